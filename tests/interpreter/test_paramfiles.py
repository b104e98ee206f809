"""`file://` and `fileb://` values, through the reader the caller hands the interpreter."""

from __future__ import annotations

import base64

import pytest

from console.interpreter import CommandError, Invocation, parse_command

FILES = {
    "policy.json": b'{"Version": "2012-10-17", "Statement": []}',
    "crlf.txt": b"line one\r\nline two\r\n",
    "secret.bin": b"\x00\xffraw",
    "b64.txt": base64.b64encode(b"decoded"),
    "input.json": b'{"Bucket": "from-file", "Prefix": "p/"}',
    "input.yaml": b"Bucket: from-yaml\nMaxKeys: 3\n",
    "ids.json": b'["i-1", "i-2"]',
    "tag.txt": b"from a file",
}


def read(path: str) -> bytes:
    if path not in FILES:
        raise OSError(f"[Errno 2] No such file or directory: '{path}'")
    return FILES[path]


def parsed(line: str) -> Invocation:
    result = parse_command(line, files=read)
    assert isinstance(result, Invocation)
    return result


def test_it_reads_a_text_file_for_a_parameter():
    params = parsed("aws iam create-policy --policy-name p --policy-document file://policy.json").parameters
    assert params["PolicyDocument"] == FILES["policy.json"].decode()


def test_it_reads_text_with_universal_newlines_as_the_cli():
    params = parsed("aws iam create-policy --policy-name p --policy-document file://crlf.txt").parameters
    assert params["PolicyDocument"] == "line one\nline two\n"


def test_it_sends_a_binary_file_as_raw_bytes_and_base64_decodes_a_text_one():
    assert parsed("aws kms encrypt --key-id k --plaintext fileb://secret.bin").parameters["Plaintext"] == (
        b"\x00\xffraw"
    )
    assert (
        parsed("aws kms encrypt --key-id k --plaintext file://b64.txt").parameters["Plaintext"] == b"decoded"
    )


def test_it_reads_input_documents_from_files():
    assert parsed("aws s3api list-objects --cli-input-json file://input.json").parameters == {
        "Bucket": "from-file",
        "Prefix": "p/",
    }
    assert parsed("aws s3api list-objects-v2 --cli-input-yaml file://input.yaml").parameters == {
        "Bucket": "from-yaml",
        "MaxKeys": 3,
    }


def test_it_reads_a_list_from_one_file_value():
    assert parsed("aws ec2 describe-instances --instance-ids file://ids.json").parameters == {
        "InstanceIds": ["i-1", "i-2"]
    }


def test_it_reads_a_shorthand_value_written_with_at_equals():
    params = parsed("aws ec2 create-tags --resources i --tags Key=k,Value@=file://tag.txt").parameters
    assert params["Tags"] == [{"Key": "k", "Value": "from a file"}]


@pytest.mark.parametrize(
    "line, message, code",
    [
        (
            "aws iam create-policy --policy-name p --policy-document file://nope.json",
            "\nError parsing parameter '--policy-document': Unable to load paramfile file://nope.json: "
            "[Errno 2] No such file or directory: 'nope.json'\n",
            252,
        ),
        (
            "aws iam create-policy --policy-name p --policy-document file://secret.bin",
            "\nError parsing parameter '--policy-document': Unable to load paramfile (secret.bin), text "
            "contents could not be decoded.  If this is a binary file, please use the fileb:// prefix "
            "instead of the file:// prefix.\n",
            252,
        ),
        (
            "aws s3api list-objects --cli-input-json file://nope.json",
            "\nError parsing parameter '--cli-input-json': Unable to load paramfile file://nope.json: "
            "[Errno 2] No such file or directory: 'nope.json'\n",
            252,
        ),
        (
            "aws ec2 create-tags --resources i --tags Key@=file://nope.json,Value=x",
            "\nUnable to load paramfile file://nope.json: [Errno 2] No such file or directory: 'nope.json'\n",
            255,
        ),
    ],
)
def test_it_reports_a_file_it_cannot_read_as_the_cli(line, message, code):
    with pytest.raises(CommandError) as caught:
        parse_command(line, files=read)
    assert (caught.value.message, caught.value.exit_code) == (message, code)


def test_it_refuses_file_values_when_it_has_no_reader():
    with pytest.raises(CommandError) as caught:
        parse_command("aws iam create-policy --policy-name p --policy-document file://policy.json")
    assert "file:// and fileb:// values are read from your workspace" in caught.value.message


def test_it_takes_the_outfile_of_a_streaming_output():
    result = parsed("aws s3api get-object --bucket b --key k out/data.json")
    assert result.outfile == "out/data.json" and result.parameters == {"Bucket": "b", "Key": "k"}
    assert parsed("aws lambda invoke --function-name f response.json").outfile == "response.json"


@pytest.mark.parametrize(
    "line, missing",
    [
        ("aws s3api get-object", "--bucket, --key, outfile"),
        ("aws s3api get-object --bucket b --key k", "outfile"),
        ("aws s3api get-object --cli-input-json file://input.json", "outfile"),
        ("aws s3api get-object --generate-cli-skeleton", "outfile"),
    ],
)
def test_it_requires_the_outfile_as_argparse_does(line, missing):
    with pytest.raises(CommandError) as caught:
        parse_command(line, files=read)
    assert caught.value.message.endswith(f"aws: error: the following arguments are required: {missing}\n\n")
