"""Role-session keys stay out of `--debug` and out of the server's log.

The broker's own calls (AssumeRole while resolving a role profile) are not the command's:
`--debug` never shows them, and what it does show has every credential-bearing header and
body field masked. The root log filter masks the same fields, in XML (STS, IAM), JSON
(IAM Identity Center), forms, query strings and headers, so botocore's debug log at the
root writes no key either. The keys searched for are the real ones the sandbox issued."""

from __future__ import annotations

import io
import json
import logging

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

from console.logredact import redact
from console.runs.models import OutputChunk
from credentials import crypto
from credentials.clients import get_client
from credentials.models import CachedSession
from credentials.types import AwsCredentials
from tests.credentials.test_canary import _forms, debug_worker  # noqa: F401 - a fixture
from tests.wsclient import open_terminal, receive, run_command

CANARY = "CanaryKey0123/+abc=="

SYNTAXES = {
    "sts xml": f"<Credentials><SecretAccessKey>{CANARY}</SecretAccessKey>",
    "sts xml token": f"<SessionToken>{CANARY}</SessionToken>",
    "sts xml key id": f"<AccessKeyId>{CANARY}</AccessKeyId>",
    "iam xml password": f"<ns:Password attr='1'>{CANARY}</ns:Password>",
    "secrets manager xml": f"<SecretString>{CANARY}</SecretString>",
    "sso json": f'{{"roleCredentials":{{"secretAccessKey":"{CANARY}"}}}}',
    "sso json token": f'{{"sessionToken": "{CANARY}"}}',
    "sso json key id": f'{{"accessKeyId":"{CANARY}"}}',
    "oidc access token": f'{{"accessToken":"{CANARY}","tokenType":"Bearer"}}',
    "oidc refresh token": f'{{"refreshToken": "{CANARY}"}}',
    "oidc client secret": f'{{"clientSecret":"{CANARY}"}}',
    "oidc device code": f'{{"deviceCode":"{CANARY}"}}',
    "json with escaped slash": '{"secretAccessKey":"CanaryKey0123\\/+abc=="}',
    "json inside json": f'\\"secretAccessKey\\":\\"{CANARY}\\"',
    "python repr": f"{{'SecretAccessKey': '{CANARY}'}}",
    "python bytes header": f"{{'X-Amz-Security-Token': b'{CANARY}'}}",
    "sso bearer header": f"{{'x-amz-sso_bearer_token': b'{CANARY}'}}",
    "canonical request": f"host:sts.amazonaws.com\nx-amz-security-token:{CANARY}\n",
    "form password": f"Action=CreateLoginProfile&Password={CANARY}&PasswordResetRequired=true",
    "form new password": f"Action=ChangePassword&OldPassword=x&NewPassword={CANARY}",
    "form web identity": f"Action=AssumeRoleWithWebIdentity&WebIdentityToken={CANARY}",
    "presigned url token": f"?X-Amz-Security-Token={CANARY}&X-Amz-Date=20240101",
    "presigned url signature": "?X-Amz-Signature=CanaryKey0123abc&X-Amz-Date=1",
    "presigned url credential": "?X-Amz-Credential=CanaryKey0123ABC%2F20240101%2Fus-east-1",
    "authorization": "Authorization: AWS4-HMAC-SHA256 Credential=CanaryKey0123/x, Signature=CanaryKey0123",
    "signature line": "Signature:\nca0a7e0123456789abcdef0123456789",
    "bearer": f"Authorization: Bearer {CANARY}",
}


@pytest.mark.parametrize("name", list(SYNTAXES))
def test_it_masks_credential_fields_in_every_syntax(name):
    cleaned = redact(SYNTAXES[name])
    assert "CanaryKey0123" not in cleaned and "ca0a7e" not in cleaned
    assert "****" in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "<PasswordLastUsed>2024-01-01T00:00:00Z</PasswordLastUsed>",
        "<NextToken>page2</NextToken>",
        "Action=CreateLoginProfile&PasswordResetRequired=true",
        '{"tokenType": "Bearer", "expiresIn": 28800}',
    ],
)
def test_it_leaves_fields_that_only_look_like_secrets(text):
    assert redact(text) == text


def _open(row: CachedSession) -> AwsCredentials:
    return AwsCredentials.from_json(
        json.loads(crypto.open_sealed(row.sealed_credentials, row.secret_context()))
    )


def _key_forms(*sessions: AwsCredentials) -> dict[str, set[str]]:
    return {
        f"{label} of session {number}": _forms(value)
        for number, creds in enumerate(sessions)
        for label, value in (
            ("access key id", creds.access_key_id),
            ("secret", creds.secret_access_key),
            ("session token", creds.session_token or ""),
        )
    }


@pytest.fixture
def root_log():
    """botocore at DEBUG into a root handler configured as settings.LOGGING's."""
    config = settings.LOGGING
    handler = logging.StreamHandler(io.StringIO())
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    root, botocore = logging.getLogger(), logging.getLogger("botocore")
    saved = (root.level, botocore.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    botocore.setLevel(logging.DEBUG)
    yield handler.stream
    root.removeHandler(handler)
    root.setLevel(saved[0])
    botocore.setLevel(saved[1])


def test_it_keeps_issued_keys_out_of_botocore_debug_logs_at_the_root(root_log, sandbox):
    source = AwsCredentials(sandbox.seed.access_key_id, sandbox.seed.secret_access_key)
    sts = get_client("sts", region="us-east-1", endpoint_url=sandbox.url, credentials=source)
    issued = sts.assume_role(RoleArn=sandbox.seed.admin_role_arn, RoleSessionName="canary")["Credentials"]
    role = AwsCredentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    iam = get_client("iam", region="us-east-1", endpoint_url=sandbox.url, credentials=role)
    key = iam.create_access_key(UserName="demo")["AccessKey"]
    iam.delete_access_key(UserName="demo", AccessKeyId=key["AccessKeyId"])
    logged = root_log.getvalue()
    assert "<AssumeRoleResponse" in logged and "<CreateAccessKeyResponse" in logged  # bodies were logged
    new_key = AwsCredentials(key["AccessKeyId"], key["SecretAccessKey"])
    leaks = [
        label
        for label, forms in _key_forms(source, role, new_key).items()
        if any(form and form in logged for form in forms)
    ]
    assert leaks == []


@database_sync_to_async
def _role_sessions_and_stored_output(user) -> tuple[list[AwsCredentials], str]:
    sessions = [_open(row) for row in CachedSession.objects.filter(user=user)]
    stored = "".join(OutputChunk.objects.values_list("data", flat=True))
    return sessions, stored


@pytest.mark.django_db(transaction=True)
async def test_it_shows_only_the_commands_requests_with_debug_and_no_role_session(
    stack,
    alice_profiles,
    sandbox,
    debug_worker,  # noqa: F811 - the fixture imported above
):
    comm, connected, _ = await open_terminal(alice_profiles)
    assert connected and (await receive(comm))["type"] == "hello"
    result = await run_command(comm, "aws s3api list-buckets --profile admin --debug")
    await comm.disconnect()
    assert result.code == 0, result.stderr
    assert "Making request for OperationModel(name=ListBuckets)" in result.stderr
    assert "AssumeRole" not in result.stderr  # the broker's call is not the command's
    assert "X-Amz-Security-Token': b'****'" in result.stderr  # the command's own token, masked
    sessions, stored = await _role_sessions_and_stored_output(alice_profiles)
    assert len(sessions) == 1 and sessions[0].method == "assume-role"  # the broker did assume it
    source = AwsCredentials(sandbox.seed.access_key_id, sandbox.seed.secret_access_key)
    places = {"frames": json.dumps(result.frames), "stored output": stored, "worker log": debug_worker()}
    assert "AssumeRole" in places["worker log"]  # the server's debug log saw the broker's call
    leaks = [
        f"{label} in {place}"
        for label, forms in _key_forms(source, *sessions).items()
        for place, text in places.items()
        if any(form and form in text for form in forms)
    ]
    assert leaks == []
