"""Which operations' output holds secrets is what botocore marks `sensitive` in their
output shapes, anywhere inside: nothing of our own decides it."""

from __future__ import annotations

import pytest

from console.interpreter import output_is_sensitive


@pytest.mark.parametrize(
    ("service", "operation", "sensitive"),
    [
        ("sts", "AssumeRole", True),  # Credentials.SecretAccessKey
        ("sts", "GetSessionToken", True),
        ("sso", "GetRoleCredentials", True),  # roleCredentials.secretAccessKey
        ("secretsmanager", "GetSecretValue", True),  # SecretString, SecretBinary
        ("iam", "CreateAccessKey", True),  # AccessKey.SecretAccessKey
        ("ssm", "GetParameter", True),  # Parameter.Value (PSParameterValue)
        ("ssm", "GetParametersByPath", True),  # a list of them: found inside the list
        ("sts", "GetCallerIdentity", False),
        ("iam", "ListAccessKeys", False),  # ids only, never the secret
        ("secretsmanager", "ListSecrets", False),
        ("s3", "ListBuckets", False),
    ],
)
def test_it_follows_botocore_s_sensitive_marks(service, operation, sensitive):
    assert output_is_sensitive(service, operation) is sensitive
    assert output_is_sensitive(service, operation) is sensitive  # the cached answer agrees
