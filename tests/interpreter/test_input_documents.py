"""--cli-input-json / --cli-input-yaml fill in what the command line does not give."""

from __future__ import annotations

import pytest

from console.interpreter import CommandError, Invocation, parse_command

from .cli_oracle import cli_parameters

SAME_AS_THE_CLI = [
    'aws logs filter-log-events --cli-input-json \'{"logGroupName": "g", "filterPattern": "p"}\'',
    'aws logs filter-log-events --cli-input-json \'{"logGroupName": "g", "filterPattern": "p"}\' '
    "--filter-pattern q",
    'aws logs filter-log-events --log-group-name c --cli-input-json \'{"logGroupName": "b", "limit": 5}\'',
    'aws ec2 describe-instances --cli-input-json \'{"Filters": [{"Name": "a", "Values": ["b"]}]}\' '
    "--instance-ids i-1",
    "aws ec2 describe-instances --filters Name=x,Values=y "
    '--cli-input-json \'{"Filters": [], "DryRun": true}\'',
    'aws dynamodb get-item --cli-input-json \'{"TableName": "t", "Key": {"id": {"S": "1"}}}\'',
    "aws sts get-caller-identity --cli-input-json '{}'",
]


@pytest.mark.parametrize("line", SAME_AS_THE_CLI)
def test_it_merges_an_input_document_as_the_cli_does(line):
    expected, stderr = cli_parameters(line)
    assert expected is not None, stderr
    assert parse_command(line).parameters == expected


def test_it_reads_yaml_input_like_json_input():
    json_line = 'aws s3api list-objects --cli-input-json \'{"Bucket": "b", "MaxKeys": 5}\' --prefix q'
    yaml_line = "aws s3api list-objects --cli-input-yaml 'Bucket: b\nMaxKeys: 5' --prefix q"
    assert parse_command(yaml_line).parameters == parse_command(json_line).parameters


def test_it_decodes_blobs_in_an_input_document_as_cli_v2_does():
    line = 'aws kms encrypt --key-id k --cli-input-json \'{"Plaintext": "aGk="}\''
    result = parse_command(line)
    assert isinstance(result, Invocation)
    assert result.parameters == {"KeyId": "k", "Plaintext": b"hi"}


@pytest.mark.parametrize(
    "line, fragment, position",
    [
        (
            "aws s3api list-objects --cli-input-json file://input.json",
            "file:// and fileb:// values are read from your workspace, and this command has none",
            40,
        ),
        (
            "aws s3api list-objects --cli-input-yaml fileb:///etc/passwd",
            "file:// and fileb:// values are read from your workspace, and this command has none",
            40,
        ),
        (
            "aws s3api list-objects --cli-input-json '{\"Bucket\": }'",
            "Error parsing parameter '--cli-input-json': Invalid JSON: Expecting value: line 1 "
            "column 12 (char 11)\n"
            'JSON received: {"Bucket": }',
            52,
        ),
        ("aws s3api list-objects --cli-input-json '[1]'", "the input must be a mapping", 41),
        ("aws s3api list-objects --cli-input-yaml 'a: [b'", "Invalid YAML", 46),
        (
            "aws s3api list-objects --cli-input-yaml 'a: &x [1]\nb: *x'",
            "anchors and aliases are not accepted",
            54,
        ),
        (
            "aws s3api list-objects --cli-input-json '{}' --cli-input-yaml 'a: 1'",
            "argument --cli-input-yaml: not allowed with argument --cli-input-json",
            45,
        ),
        ("aws s3api list-objects --cli-input-json", "argument --cli-input-json: expected one argument", 23),
        (
            "aws s3api list-objects --cli-input-json '{}' --cli-input-json '{}'",
            "argument --cli-input-json: given more than once",
            45,
        ),
        (
            "aws s3api list-objects --cli-input-json '" + "[" * 100_000 + "'",
            "Invalid JSON: the document is nested too deeply",
            41,
        ),
    ],
)
def test_it_refuses_a_bad_input_document(line, fragment, position):
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert fragment in caught.value.message
    assert caught.value.exit_code == 252
    assert caught.value.position == position


def test_it_leaves_missing_required_parameters_to_botocore_as_the_cli_does():
    result = parse_command('aws s3api list-objects --cli-input-json \'{"Prefix": "p"}\'')
    assert result.parameters == {"Prefix": "p"}


def test_it_hides_an_input_document_that_can_carry_a_secret():
    line = 'aws iam create-login-profile --cli-input-json \'{"UserName": "bob", "Password": "hunter2"}\''
    assert "hunter2" not in parse_command(line).redacted_line
    with pytest.raises(CommandError) as caught:
        parse_command("aws iam create-login-profile --cli-input-json '{\"Password\": hunter2}'")
    assert "hunter2" not in caught.value.message
