"""Lines the console refuses: the text, return code and position of each refusal."""

from __future__ import annotations

import contextlib
import io
import shlex

import pytest

from console.interpreter import CommandError, parse_command

USAGE_BLOCK = (
    "\nusage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    "To see help text, you can run:\n\n"
    "  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\n"
)


def refusal(line: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    return caught.value


@pytest.mark.parametrize(
    "line, message, exit_code, position",
    [
        (
            "grep -r x",
            "console: command not found: grep\n"
            "Commands start with `aws`. Type `help` to see what this terminal runs.\n",
            127,
            0,
        ),
        (
            "  terraform plan",
            "console: command not found: terraform\n"
            "Commands start with `aws`. Type `help` to see what this terminal runs.\n",
            127,
            2,
        ),
        ("", "console: empty command\n", 252, None),
        ("   ", "console: empty command\n", 252, None),
        ("aws", USAGE_BLOCK + "aws: error: the following arguments are required: command\n\n", 252, None),
        (
            "aws ec2",
            USAGE_BLOCK + "aws: error: the following arguments are required: operation\n\n",
            252,
            None,
        ),
        (
            "aws s3api list-objects",
            USAGE_BLOCK + "aws: error: the following arguments are required: --bucket\n\n",
            252,
            None,
        ),
        (
            "aws s3api get-object-acl --region x",
            USAGE_BLOCK + "aws: error: the following arguments are required: --bucket, --key\n\n",
            252,
            None,
        ),
        (
            "aws s3api list-objects --bucket",
            USAGE_BLOCK + "aws: error: argument --bucket: expected one argument\n\n",
            252,
            23,
        ),
        (
            "aws s3api list-objects --bucket --prefix p",
            USAGE_BLOCK + "aws: error: argument --bucket: expected one argument\n\n",
            252,
            23,
        ),
        (
            "aws s3api list-objects --bucket b --prefx p",
            USAGE_BLOCK + "Unknown options: --prefx, p\nDid you mean --prefix?\n\n",
            252,
            34,
        ),
        (
            "aws s3api list-buckets --regoin eu-west-1",
            USAGE_BLOCK + "Unknown options: --regoin, eu-west-1\nDid you mean --region?\n\n",
            252,
            23,
        ),
        ("aws s3api list-objects --bucket b extra", USAGE_BLOCK + "Unknown options: extra\n\n", 252, 34),
        ("aws iam get-user --max-items 5", USAGE_BLOCK + "Unknown options: --max-items, 5\n\n", 252, 17),
        (
            "aws ec2 describe-instances --dry-run=yes",
            USAGE_BLOCK + "aws: error: argument --dry-run: ignored explicit argument 'yes'\n\n",
            252,
            27,
        ),
        (
            "aws s3api list-objects --bucket b --max-keys abc",
            "\ninvalid literal for int() with base 10: 'abc'\n",
            255,
            45,
        ),
        (
            "aws logs get-log-events --log-stream-name s --start-time abc",
            USAGE_BLOCK + "aws: error: argument --start-time: invalid int value: 'abc'\n\n",
            252,
            57,
        ),
        (
            "aws cloudwatch put-metric-alarm --alarm-name a --threshold x",
            USAGE_BLOCK + "aws: error: argument --threshold: invalid float value: 'x'\n\n",
            252,
            59,
        ),
        (
            "aws ec2 describe-instances --max-items ten",
            USAGE_BLOCK + "aws: error: argument --max-items: invalid int value: 'ten'\n\n",
            252,
            39,
        ),
        (
            "aws --cli-read-timeout soon sts get-caller-identity",
            USAGE_BLOCK + "aws: error: argument --cli-read-timeout: invalid int value: 'soon'\n\n",
            252,
            23,
        ),
        (
            "aws s3api put-bucket-versioning --bucket b --versioning-configuration '{\"Status\": }'",
            "\nError parsing parameter '--versioning-configuration': "
            "Invalid JSON: Expecting value: line 1 column 12 "
            '(char 11)\nJSON received: {"Status": }\n',
            252,
            82,
        ),
        (
            "aws ec2 describe-instances --instance-ids '[\"a\",]'",
            "\nError parsing parameter '--instance-ids': "
            "Invalid JSON: Expecting value: line 1 column 6 (char 5)\n"
            'JSON received: ["a",]\n',
            252,
            48,
        ),
        ("aws kms encrypt --key-id k --plaintext abc", '\nInvalid base64: "****"\n', 255, 39),
        (
            "aws kinesis put-record --stream-name s --partition-key k --data abc",
            '\nInvalid base64: "abc"\n',
            255,
            64,
        ),
        (
            "aws ec2 describe-instances --no-paginate --max-items 5",
            "\nError during pagination: "
            "Cannot specify --no-paginate along with pagination arguments: --max-items\n",
            255,
            None,
        ),
        (
            "aws ec2 modify-instance-attribute --instance-id i --ebs-optimized --no-ebs-optimized",
            '\nCannot specify both the "--ebs-optimized" option and the "--no-ebs-optimized" option.\n',
            255,
            66,
        ),
        (
            "aws sts get-caller-identity --query 'foo['",
            "\nBad value for --query foo[: Invalid jmespath expression: "
            'Incomplete expression:\n"foo["\n     ^\n',
            255,
            41,
        ),
        (
            "aws sts get-caller-identity --endpoint-url example.com",
            '\nBad value for --endpoint-url "example.com": scheme is missing.  Must be of the form '
            "http://<hostname>/ or https://<hostname>/\n",
            255,
            43,
        ),
        # departures from argparse, which keeps the last of a repeated option
        (
            "aws s3api list-objects --bucket a --bucket b",
            USAGE_BLOCK + "aws: error: argument --bucket: given more than once\n\n",
            252,
            34,
        ),
        (
            "aws iam create-login-profile --user-name u --password p --password-reset-required "
            "--no-password-reset-required",
            USAGE_BLOCK + "aws: error: argument --no-password-reset-required: not allowed with argument "
            "--password-reset-required\n\n",
            252,
            82,
        ),
        (
            "aws --region a sts get-caller-identity --region b",
            USAGE_BLOCK + "aws: error: argument --region: given more than once\n\n",
            252,
            39,
        ),
    ],
)
def test_it_refuses_a_line_as_the_cli_does(line, message, exit_code, position):
    error = refusal(line)
    assert (error.message, error.exit_code, error.position) == (message, exit_code, position)


@pytest.mark.parametrize(
    "line, fragment, position",
    [
        (
            "aws ec3 describe-instances",
            "aws: error: argument command: Invalid choice, valid choices are:\n\n",
            4,
        ),
        (
            "aws ec2 describe-instancs",
            "aws: error: argument operation: Invalid choice, valid choices are:\n\n",
            8,
        ),
        ("aws ses verify-email-address --email-address a", "argument operation: Invalid choice", 8),
        (
            "aws --output xml sts get-caller-identity",
            "aws: error: argument --output: Invalid choice, valid choices are:\n\n"
            "json                                     | text                                    \n"
            "table                                    | yaml                                    \n"
            "yaml-stream                             \n\n",
            13,
        ),
        ("aws sts get-caller-identity --color blue", "argument --color: Invalid choice", 36),
    ],
)
def test_it_lists_the_valid_choices_for_an_invalid_one(line, fragment, position):
    error = refusal(line)
    assert fragment in error.message
    assert (error.exit_code, error.position) == (252, position)


@pytest.mark.parametrize(
    "line, suggestions",
    [
        ("aws dynamdb scan", ["dynamodb"]),
        ("aws cloudformaton list-stacks", ["cloudformation"]),
        ("aws ec2 describe-instancs", ["describe-instances"]),
    ],
)
def test_it_suggests_close_names(line, suggestions):
    message = refusal(line).message
    assert "maybe you meant:\n\n" in message
    for suggestion in suggestions:
        assert f"  * {suggestion}\n" in message


@pytest.mark.parametrize(
    "line, fragment, position",
    [
        (
            "aws --no-verify-ssl s3api list-buckets",
            "always verifies TLS certificates with the system's trust store",
            4,
        ),
        ("aws s3api list-buckets --ca-bundle /tmp/ca.pem", "always verifies TLS certificates", 23),
        ("aws --version", "--version is not available in this console", 4),
        ("aws ecr get-login-password", "`aws ecr get-login-password` is a hand-written AWS CLI command", 8),
        (
            "aws ec2 wait instance-running --instance-ids i-1",
            "`aws ec2 wait` is a hand-written AWS CLI command",
            8,
        ),
        (
            "aws s3api put-object --bucket b --key k --body data.txt",
            "a streaming blob is read from your workspace, and this command has none",
            47,
        ),
        (
            "aws iam create-policy --policy-name p --policy-document file://policy.json",
            "file:// and fileb:// values are read from your workspace, and this command has none",
            56,
        ),
    ],
)
def test_it_explains_what_this_console_does_not_do(line, fragment, position):
    error = refusal(line)
    assert fragment in error.message
    assert error.message.endswith("\n")
    assert (error.exit_code, error.position) == (252, position)


def test_it_refuses_preview_services_as_the_cli_does():
    error = refusal("aws sdb list-domains")
    assert error.message.startswith(
        "AWS CLI support for this service is only available in a preview stage.\n"
    )
    assert (error.exit_code, error.position) == (1, 4)


def test_it_never_echoes_a_secret_in_an_error():
    error = refusal("aws iam create-login-profile --user-name u --password hunter2 --pasword=hunter3 oops")
    assert "hunter" not in error.message
    assert "Unknown options: --pasword=****, oops" in error.message


def cli_v1_stderr(line: str) -> str:
    """What awscli (the oracle) prints for the line; its usage block differs from v2's."""
    from awscli.clidriver import create_clidriver

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            create_clidriver().main(shlex.split(line)[1:])
        except SystemExit:
            pass
    return err.getvalue()


@pytest.mark.parametrize(
    "line",
    [
        "aws s3api list-objects",
        "aws s3api get-object-acl",
        "aws s3api list-objects --bucket",
        "aws ec2 describe-instances --dry-run=yes",
        "aws logs get-log-events --log-stream-name s --start-time abc",
        "aws cloudwatch put-metric-alarm --alarm-name a --threshold x",
        "aws ec2 describe-instances --max-items ten",
        "aws s3api list-objects --bucket b --max-keys abc",
        "aws s3api list-objects --bucket b --prefx",
        "aws s3api list-objects --bucket b extra",
        "aws s3api put-bucket-versioning --bucket b --versioning-configuration '{\"Status\": }'",
        "aws ec2 describe-instances --instance-ids '[\"a\",]'",
        "aws ec2 describe-instances --no-paginate --max-items 5",
        "aws ec2 modify-instance-attribute --instance-id i --ebs-optimized --no-ebs-optimized",
        "aws sts get-caller-identity --query 'foo['",
        "aws sts get-caller-identity --endpoint-url example.com",
        "aws ec2 describe-instancs",
        "aws deploy list-applicatons",
        "aws --output xml sts get-caller-identity",
    ],
)
def test_it_says_what_awscli_says(line):
    ours = refusal(line).message
    theirs = cli_v1_stderr(line)
    # The oracle's argparse names itself after the running program, not "aws".
    core = theirs.split("error: ", 1)[1] if "error: argument" in theirs or "error: the" in theirs else theirs
    core = core.split("\n\nUnknown options: ", 1)[-1] if "Unknown options" in core else core
    assert core.strip() in ours
