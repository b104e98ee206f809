"""Web identity: AssumeRoleWithWebIdentity with a token stored sealed in the profile.

The request is unsigned (the token is the proof), and moto answers unsigned requests only
while IAM enforcement is off, so this test runs its own moto server without enforcement:
still a real STS peer over HTTP, just not the locked sandbox."""

from __future__ import annotations

import json

import botocore.session
import pytest

from credentials import broker
from credentials.clients import get_client
from credentials.models import ConfigSection
from credentials.services import save_profile

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.CanaryWebIdentitySignature"


@pytest.fixture(scope="module")
def open_moto():
    from sandbox.server import SandboxProcess

    process = SandboxProcess(port=None)
    process.start()
    iam = botocore.session.Session().create_client(
        "iam",
        region_name="us-east-1",
        endpoint_url=process.url,
        aws_access_key_id="AKIABOOTSTRAP",
        aws_secret_access_key="bootstrap",
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": "accounts.example.com"},
            }
        ],
    }
    arn = iam.create_role(RoleName="WebRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    yield process.url, arn
    process.stop()


def test_it_assumes_a_role_with_a_sealed_web_identity_token(alice, open_moto, settings):
    url, arn = open_moto
    settings.CONSOLE_ENDPOINT_ALLOWLIST = url.split("://", 1)[1]
    save_profile(
        alice,
        "web",
        {"role_arn": arn, "web_identity_token": TOKEN, "region": "us-east-1", "endpoint_url": url},
    )
    assert TOKEN not in ConfigSection.objects.get(owner=alice, name="web").sealed_secrets
    session = broker.resolve_session(alice, profile="web")
    assert session.credentials.method == "assume-role-with-web-identity"
    sts = get_client("sts", region="us-east-1", endpoint_url=url, credentials=session.credentials)
    assert sts.get_caller_identity()["Arn"].endswith(":assumed-role/WebRole/alice")
