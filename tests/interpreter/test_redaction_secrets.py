"""Every way a secret can be typed into the new builtins is masked in the stored line."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from console.interpreter import CommandError, parse_command, redact_line

SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "line, redacted",
    [
        (f"export AWS_SECRET_ACCESS_KEY={SECRET}", "export AWS_SECRET_ACCESS_KEY=****"),
        (f"export AWS_SESSION_TOKEN={SECRET}", "export AWS_SESSION_TOKEN=****"),
        (f"export AWS_SESSION_TOKEN='{SECRET} x'", "export AWS_SESSION_TOKEN=****"),
        (f'export AWS_SECRET_ACCESS_KEY="{SECRET}"', "export AWS_SECRET_ACCESS_KEY=****"),
        (
            f"export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY={SECRET} AWS_REGION=eu-west-1",
            "export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=**** AWS_REGION=eu-west-1",
        ),
        (f"aws configure set aws_secret_access_key {SECRET}", "aws configure set aws_secret_access_key ****"),
        (f"aws configure set aws_session_token {SECRET}", "aws configure set aws_session_token ****"),
        (
            f"aws configure set default.aws_secret_access_key {SECRET} --profile p",
            "aws configure set default.aws_secret_access_key **** --profile p",
        ),
        (
            f"aws --profile dev configure set profile.dev.aws_session_token '{SECRET}'",
            "aws --profile dev configure set profile.dev.aws_session_token ****",
        ),
        (
            f"aws configure set aws_secret_access_key {SECRET} more",
            "aws configure set aws_secret_access_key **** ****",
        ),
        (
            "aws configure set aws_access_key_id AKIDEXAMPLE",
            "aws configure set aws_access_key_id AKIDEXAMPLE",
        ),
        ("aws configure set region eu-west-1", "aws configure set region eu-west-1"),
        (f"aws configure import --csv '{SECRET}'", "aws configure import --csv ****"),
        (
            f"aws sso get-role-credentials --access-token {SECRET} --account-id 1 --role-name r",
            "aws sso get-role-credentials --access-token **** --account-id 1 --role-name r",
        ),
        (
            f"aws sso list-accounts --access-token={SECRET}",
            "aws sso list-accounts --access-token=****",
        ),
        # lines that do not parse are still redacted
        (f"export AWS_SECRET_ACCESS_KEY='{SECRET}", "export ****"),
        (
            f"aws configure set aws_secret_access_key '{SECRET}",
            "aws configure set aws_secret_access_key ****",
        ),
        (
            f'aws iam create-login-profile --user-name u --cli-input-json \'{{"Password": "{SECRET}"}}\'',
            "aws iam create-login-profile --user-name u --cli-input-json ****",
        ),
        (
            f"aws cognito-idp admin-initiate-auth --user-pool-id p --client-id c --auth-flow X "
            f"--auth-parameters USERNAME=u,PASSWORD={SECRET}",
            "aws cognito-idp admin-initiate-auth --user-pool-id p --client-id **** --auth-flow X "
            "--auth-parameters ****",
        ),
    ],
)
def test_it_masks_every_secret_bearing_form(line, redacted):
    assert redact_line(line) == redacted
    try:
        stored = parse_command(line).redacted_line
    except CommandError as error:
        assert SECRET not in error.message
    else:
        assert stored == redacted


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "export AWS_SECRET_ACCESS_KEY={}",
            "export AWS_SESSION_TOKEN={}",
            "aws configure set aws_secret_access_key {}",
            "aws configure set profile.x.aws_session_token {}",
            "aws sso get-role-credentials --access-token {} --account-id 1 --role-name r",
        ]
    ),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=8, max_size=30
    ).filter(lambda s: s.strip() and not s.startswith("-") and "#" not in s),
)
def test_it_never_stores_a_secret_however_it_is_quoted(template, secret):
    import shlex

    assume(secret not in template)
    line = template.format(shlex.quote(secret))
    try:
        stored = parse_command(line).redacted_line
    except CommandError as error:
        stored = redact_line(line)
        assert secret not in error.message
    assert secret not in stored
