"""Secrets never reach the stored command line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.interpreter import Builtin, Invocation, parse_command, redact_line


@pytest.mark.parametrize(
    "line, redacted",
    [
        # botocore marks these shapes sensitive
        (
            "aws iam create-login-profile --user-name bob --password 'hunter 2' --password-reset-required",
            "aws iam create-login-profile --user-name bob --password **** --password-reset-required",
        ),
        (
            "aws iam create-login-profile --user-name bob --password=hunter2",
            "aws iam create-login-profile --user-name bob --password=****",
        ),
        (
            'aws iam create-login-profile --user-name bob --password="hunter 2"',
            "aws iam create-login-profile --user-name bob --password=****",
        ),
        (
            'aws secretsmanager create-secret --name db --secret-string \'{"password": "x"}\'',
            "aws secretsmanager create-secret --name db --secret-string ****",
        ),
        (
            "aws secretsmanager put-secret-value --secret-id db --secret-binary c2VjcmV0",
            "aws secretsmanager put-secret-value --secret-id db --secret-binary ****",
        ),
        (
            "aws kms encrypt --key-id alias/k --plaintext aGVsbG8= --region eu-west-1",
            "aws kms encrypt --key-id alias/k --plaintext **** --region eu-west-1",
        ),
        # a structure or list that contains a sensitive member is masked whole
        (
            "aws cognito-idp admin-initiate-auth --user-pool-id p --client-id c "
            "--auth-flow ADMIN_NO_SRP_AUTH "
            '--auth-parameters \'{"USERNAME": "u", "PASSWORD": "p"}\'',
            "aws cognito-idp admin-initiate-auth --user-pool-id p --client-id **** "
            "--auth-flow ADMIN_NO_SRP_AUTH "
            "--auth-parameters ****",
        ),
        (
            "aws rds create-db-instance --db-instance-identifier d --db-instance-class c --engine postgres "
            "--master-user-password s3cret --master-username admin",
            "aws rds create-db-instance --db-instance-identifier d --db-instance-class c --engine postgres "
            "--master-user-password **** --master-username admin",
        ),
        # an unquoted secret with a space is masked up to the next option
        (
            "aws iam create-login-profile --user-name bob --password two words --password-reset-required",
            "aws iam create-login-profile --user-name bob --password **** **** --password-reset-required",
        ),
        # global options anywhere do not confuse it
        (
            "aws --region x iam --profile p create-login-profile --password pw --user-name u",
            "aws --region x iam --profile p create-login-profile --password **** --user-name u",
        ),
        # nothing to hide: unchanged, byte for byte
        (
            "aws  s3api list-objects-v2   --bucket 'my bucket'  --continuation-token abc",
            "aws  s3api list-objects-v2   --bucket 'my bucket'  --continuation-token abc",
        ),
        (
            "aws ec2 describe-instances --starting-token abc",
            "aws ec2 describe-instances --starting-token abc",
        ),
        # lines that do not parse: a typo of a sensitive parameter, unknown commands
        (
            "aws iam create-login-profile --user-name bob --pasword hunter2",
            "aws iam create-login-profile --user-name bob --pasword ****",
        ),
        (
            "aws iam create-login-profile --user-name bob --password 'hunter2",
            "aws iam create-login-profile --user-name bob --password ****",
        ),
        (
            "aws iam create-login-profile --user-name bob '--password hunter2",
            "aws iam create-login-profile --user-name bob ****",
        ),
        (
            "aws iam create-login-profile --user-name bob --password $PW",
            "aws iam create-login-profile --user-name bob --password ****",
        ),
        (
            "aws made-up-service do-it --client-secret abc --name n",
            "aws made-up-service do-it --client-secret **** --name n",
        ),
        (
            "aws sts assume-role --role-arn r --token-code 123456 --serial-number s",
            "aws sts assume-role --role-arn r --token-code 123456 --serial-number s",
        ),
        ("aws sts assume-rol --token-code 123456", "aws sts assume-rol --token-code ****"),
        (
            "export AWS_SECRET_ACCESS_KEY=abc AWS_REGION=eu-west-1",
            "export AWS_SECRET_ACCESS_KEY=**** AWS_REGION=eu-west-1",
        ),
        ("mysql --password=abc", "mysql --password=****"),
        (
            "aws ec2 describe-instances --cli-input-json '{}'",
            "aws ec2 describe-instances --cli-input-json '{}'",
        ),
        (
            'aws iam create-login-profile --cli-input-json \'{"Password": "x"}\'',
            "aws iam create-login-profile --cli-input-json ****",
        ),
        (  # the line `guard explain` explains is redacted as that line
            'guard explain aws iam create-login-profile --cli-input-json \'{"Password": "x"}\'',
            "guard explain aws iam create-login-profile --cli-input-json ****",
        ),
        ("", ""),
    ],
)
def test_it_masks_the_values_of_sensitive_parameters(line, redacted):
    assert redact_line(line) == redacted


def test_it_puts_the_redacted_line_on_every_parse_result():
    invocation = parse_command("aws iam create-login-profile --user-name bob --password hunter2")
    assert isinstance(invocation, Invocation)
    assert invocation.parameters["Password"] == "hunter2"
    assert invocation.redacted_line == "aws iam create-login-profile --user-name bob --password ****"
    builtin = parse_command("help --password x")
    assert isinstance(builtin, Builtin) and builtin.redacted_line == "help --password ****"


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_it_never_raises(line):
    assert isinstance(redact_line(line), str)


@settings(max_examples=200)
@given(
    st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=6, max_size=20),
    st.sampled_from(["{}", "'{}'", '"{}"', "'a {}'", "={}", "='{}'"]),
)
def test_it_never_leaves_a_password_in_the_line(secret, form):
    value = form.format(secret)
    separator = "" if value.startswith("=") else " "
    line = f"aws iam create-login-profile --user-name bob --password{separator}{value}"
    # Judge only the password's own place: a "secret" such as `profil` also spells part of
    # the command's name, which is rightly left alone.
    assert redact_line(line).startswith("aws iam create-login-profile --user-name bob --password")
    assert secret not in redact_line(line).split("--password", 1)[1]


def test_it_masks_a_customer_encryption_key():
    key = "Zm9vYmFyYmF6MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
    line = f"aws s3 cp s3://a/b s3://c/d --sse-c AES256 --sse-c-key {key}"
    assert redact_line(line) == "aws s3 cp s3://a/b s3://c/d --sse-c AES256 --sse-c-key ****"
