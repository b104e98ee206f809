"""Re-run lines: a global option set where it stands (or added), the rest of the line as
stored; and a stored line that still holds a redaction placeholder is recognised."""

from __future__ import annotations

import pytest

from console.interpreter import CommandError, holds_redacted_value, redact_line, set_global_options


@pytest.mark.parametrize(
    ("line", "values", "expected"),
    [
        ("aws s3 ls", {"--profile": "admin"}, "aws s3 ls --profile admin"),
        (
            "aws s3 ls",
            {"--profile": "a", "--region": "eu-west-1"},
            "aws s3 ls --profile a --region eu-west-1",
        ),
        ("aws --profile x s3 ls", {"--profile": "y"}, "aws --profile y s3 ls"),
        (
            "aws s3 ls --profile=x --region us-east-1",
            {"--profile": "y"},
            "aws s3 ls --profile y --region us-east-1",
        ),
        ("aws s3 ls --region a --region b", {"--region": "c"}, "aws s3 ls --region c --region c"),
        ("aws s3 ls --profile", {"--profile": "p"}, "aws s3 ls --profile p"),
        ("aws s3 ls  ", {"--profile": "team/prod"}, "aws s3 ls --profile team/prod"),
        ("aws s3 ls", {"--profile": "it's"}, "aws s3 ls --profile 'it'\"'\"'s'"),
        (
            "aws sts get-caller-identity --query 'Arn'",
            {"--region": "x-1"},
            "aws sts get-caller-identity --query 'Arn' --region x-1",
        ),
    ],
)
def test_it_sets_global_options_where_they_stand(line, values, expected):
    assert set_global_options(line, values) == expected


def test_only_an_aws_line_takes_them():
    with pytest.raises(CommandError) as caught:
        set_global_options("whoami", {"--profile": "x"})
    assert caught.value.message == "console: only an aws command takes --profile or --region\n"


@pytest.mark.parametrize(
    ("typed", "held"),
    [
        ("aws iam create-login-profile --user-name u --password hunter2", True),
        ("aws secretsmanager create-secret --name n --secret-string 's e c r e t'", True),
        ("export AWS_SECRET_ACCESS_KEY=abc", True),
        ("aws configure set aws_secret_access_key abc", True),
        ("aws s3 ls", False),
        ("aws sts get-caller-identity --query 'Arn'", False),
        ("aws s3 ls s3://bucket-named-****", False),  # a mask outside a secret's place is data
    ],
)
def test_it_recognises_a_stored_line_that_held_a_secret(typed, held):
    stored = redact_line(typed)
    assert holds_redacted_value(stored) is held
    assert holds_redacted_value(typed) is False  # the line as typed holds the real value
