"""`aws s3 ...` lines and the S3Command they become; their errors, beside the AWS CLI's."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from console.interpreter import Builtin, CommandError, GlobalOptions, S3Command, parse_command, redact_line
from tests.compat.oracle import message_line, v2_exit_code

ORACLE_ENVIRONMENT = {
    "PATH": os.environ.get("PATH", ""),
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_PAGER": "",
}


def cli_output(line: str) -> tuple[int, str, str]:
    """The CLI as a process: its argparse errors exit the process (none of these lines
    reaches AWS: the endpoint is a closed port, so a call would fail loudly)."""
    done = subprocess.run(  # noqa: S603 - a fixed program and the test's own words
        [
            str(Path(sys.executable).with_name("aws")),
            *shlex.split(line)[1:],
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        env=ORACLE_ENVIRONMENT,
        capture_output=True,
        timeout=60,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


PARSED = [
    ("aws s3 ls", {"name": "ls", "paths": ("s3://",)}),
    (
        "aws s3 ls s3://b/logs/ --recursive --human-readable --summarize --page-size 50",
        {"recursive": True, "human_readable": True, "summarize": True, "page_size": 50},
    ),
    ("aws s3 ls b --request-payer", {"paths": ("b",), "request_payer": "requester"}),
    ("aws s3 ls --request-payer=requester s3://b", {"paths": ("s3://b",), "request_payer": "requester"}),
    ("aws s3 ls --bucket-name-prefix logs --bucket-region eu-west-1", {"bucket_name_prefix": "logs"}),
    ("aws --region eu-west-1 s3 mb s3://b", {"name": "mb", "options": GlobalOptions(region="eu-west-1")}),
    ("aws s3 mb s3://b --tags team web --tags env prod", {"tags": (("team", "web"), ("env", "prod"))}),
    ("aws s3 rb s3://b --force", {"name": "rb", "paths": ("s3://b",), "force": True}),
    ("aws s3 rm s3://b", {"name": "rm", "paths": ("s3://b/",)}),  # the CLI's bucket normalisation
    (
        "aws s3 rm s3://b/logs --recursive --dryrun --exclude * --include *.log --quiet",
        {
            "recursive": True,
            "dryrun": True,
            "quiet": True,
            "filters": (("exclude", "*"), ("include", "*.log")),
        },
    ),
    ("aws s3 rm s3://b/k --only-show-errors", {"only_show_errors": True, "quiet": False}),
    ("aws s3 presign s3://b/k", {"name": "presign", "expires_in": 3600}),
    ("aws s3 presign s3://b/k --expires-in 60", {"expires_in": 60}),
    ("aws s3 cp s3://a/k s3://b", {"name": "cp", "paths": ("s3://a/k", "s3://b/")}),
    (
        "aws s3 cp s3://a/k s3://b/k2 --acl private --storage-class STANDARD_IA --sse --request-payer",
        {
            "copy_parameters": (
                ("ACL", "private"),
                ("StorageClass", "STANDARD_IA"),
                ("ServerSideEncryption", "AES256"),
                ("RequestPayer", "requester"),
            )
        },
    ),
    ("aws s3 mv s3://a/ s3://b/ --recursive --no-progress", {"name": "mv", "recursive": True}),
    ("aws s3 mv s3://a/k s3://a/k2", {"paths": ("s3://a/k", "s3://a/k2")}),
]


@pytest.mark.parametrize("line, fields", PARSED)
def test_it_reads_the_command(line, fields):
    command = parse_command(line)
    assert isinstance(command, S3Command)
    assert {name: getattr(command, name) for name in fields} == fields
    assert command.redacted_line == redact_line(line)


@pytest.mark.parametrize(
    "line, args",
    [("aws s3 help", ("s3",)), ("aws s3 ls help", ("s3", "ls")), ("aws s3 cp s3://a/k help", ("s3", "cp"))],
)
def test_it_asks_for_help(line, args):
    assert parse_command(line) == Builtin("help", args, line)


# Errors the CLI reports before any AWS call: the same text, and v2's exit code.
CLI_ERRORS = [
    "aws s3 lss",
    "aws s3 ls --bogus",
    "aws s3 ls s3://a s3://b",
    "aws s3 ls --page-size x",
    "aws s3 ls --recursive=yes",
    "aws s3 ls --request-payer payer",
    "aws s3 ls --page-size",
    "aws s3 rm",
    "aws s3 rm notes.txt",
    "aws s3 rm s3://b/k --exclude",
    "aws s3 mb",
    "aws s3 mb bucket",
    "aws s3 mb s3://bucket--x-s3",
    "aws s3 mb s3://b --tags team",
    "aws s3 rb bucket",
    "aws s3 rb s3://b/key",
    "aws s3 presign s3://b/k --expires-in soon",
    "aws s3 cp s3://a/k",
    "aws s3 cp s3://a/k s3://b/k --acl secret",
    "aws s3 cp s3://a/k s3://b/k --metadata-directive KEEP",
    "aws s3 mv s3://a/k s3://a/k",
    "aws s3 mv s3://a/k s3://a/",
    "aws s3 mv s3://a s3://a",
    "aws s3 cp a.txt b.txt",
    "aws s3 sync . other",
    "aws s3 mv - s3://b/k",
    "aws s3 cp - s3://b/ --recursive",
    "aws s3 sync s3://b -",
    "aws s3 sync . s3://b --recursive",
]


@pytest.mark.parametrize("line", CLI_ERRORS)
def test_it_refuses_what_the_cli_refuses(line):
    code, _, stderr = cli_output(line)
    with pytest.raises(CommandError) as refused:
        parse_command(line)
    assert refused.value.exit_code == v2_exit_code(code, stderr)
    if "usage:" in stderr:
        assert message_line(refused.value.message) == message_line(stderr)
    else:
        assert refused.value.message == stderr


CONSOLE_REFUSALS = [
    ("aws s3 website s3://b --index-document index.html", "use `aws s3api put-bucket-website`", 7),
    ("aws s3 cp s3://a/k s3://b/k --sse-c-key secret", "argument --sse-c-key of `aws s3 cp`", 28),
    ("aws s3 cp s3://a/k s3://b/k --metadata a=b", "not available in this console yet", 28),
    ("aws s3 ls s3://arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "access point", 10),
    ("aws s3 rm s3://b/k --dryrun --dryrun", "argument --dryrun: given more than once", 28),
]


@pytest.mark.parametrize("line, fragment, position", CONSOLE_REFUSALS)
def test_it_explains_what_it_does_not_run(line, fragment, position):
    with pytest.raises(CommandError) as refused:
        parse_command(line)
    assert fragment in refused.value.message
    assert refused.value.position == position


def test_it_refuses_the_sse_c_key_without_echoing_it_in_the_message():
    with pytest.raises(CommandError) as refused:
        parse_command("aws s3 cp s3://a/k s3://b/k --sse-c-key hunter2")
    assert "hunter2" not in refused.value.message
