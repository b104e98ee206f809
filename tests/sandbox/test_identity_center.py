"""The sandbox Identity Center speaks sso-oidc and the sso portal as botocore expects.

Every call goes through botocore's own ``sso-oidc`` and ``sso`` clients, unchanged,
against a real sandbox server with IAM enforced; approvals are plain form posts to
the verification page, as a script (or the console's tests) would make them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sandbox.errors import SandboxError
from sandbox.identitycenter.seed import configure_identity_center, demo_assignments, role_name
from sandbox.seed import SandboxSeed, enforce_auth, seed_demo
from sandbox.server import SandboxProcess

PASSWORD = "correct horse battery staple"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ACCOUNT = "123456789012"
SECOND_ACCOUNT = "210987654321"
BOTOCORE = botocore.session.get_session()


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[tuple[str, SandboxSeed, str]]:
    with SandboxProcess() as process:
        secret = process.control_secret
        seed = seed_demo(process.url, secret=secret, sso_password=PASSWORD)
        enforce_auth(process.url, secret=secret)
        assert seed.identity_center is not None
        bob = {"bob": demo_assignments(seed.identity_center)}
        configure_identity_center(process.url, secret=secret, users={"bob": "bobs password"}, assignments=bob)
        yield process.url, seed, secret


@pytest.fixture(scope="module")
def url(own_sandbox: tuple[str, SandboxSeed, str]) -> str:
    return own_sandbox[0]


@pytest.fixture(scope="module")
def secret(own_sandbox: tuple[str, SandboxSeed, str]) -> str:
    return own_sandbox[2]


@pytest.fixture(scope="module")
def start_url(own_sandbox: tuple[str, SandboxSeed, str]) -> str:
    assert own_sandbox[1].identity_center is not None
    return own_sandbox[1].identity_center.start_url


@pytest.fixture(scope="module")
def oidc(url: str) -> Any:
    return BOTOCORE.create_client("sso-oidc", region_name="us-east-1", endpoint_url=url)


@pytest.fixture(scope="module")
def sso(url: str) -> Any:
    return BOTOCORE.create_client("sso", region_name="us-east-1", endpoint_url=url)


@pytest.fixture
def lifetimes(url: str, secret: str) -> Iterator[Any]:
    """Shorten lifetimes for one test; AWS's defaults are restored afterwards."""
    yield lambda **seconds: configure_identity_center(url, secret=secret, lifetimes=seconds)
    defaults = {"device_code": 600, "access_token": 3600, "session": 28800}
    configure_identity_center(url, secret=secret, lifetimes=defaults)


def register(oidc: Any, scopes: list[str] | None = None) -> dict[str, Any]:
    extra = {"scopes": scopes} if scopes is not None else {}
    return dict(oidc.register_client(clientName="console-test", clientType="public", **extra))


def start(oidc: Any, client: dict[str, Any], start_url: str) -> dict[str, Any]:
    return dict(
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=start_url
        )
    )


def poll(oidc: Any, client: dict[str, Any], authorization: dict[str, Any]) -> dict[str, Any]:
    return dict(
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=authorization["deviceCode"],
        )
    )


def post_form(url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(url, data, timeout=10) as response:  # noqa: S310 (test sandbox URL)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def decide(url: str, user_code: str, action: str, username: str = "demo", password: str = PASSWORD) -> int:
    fields = {"user_code": user_code, "username": username, "password": password, "action": action}
    return post_form(f"{url}/device/confirm", fields)[0]


def sign_in(
    oidc: Any, url: str, start_url: str, scopes: list[str] | None = None, **who: str
) -> dict[str, Any]:
    client = register(oidc, scopes)
    authorization = start(oidc, client, start_url)
    assert decide(url, authorization["userCode"], "approve", **who) == 200
    return {**poll(oidc, client, authorization), "client": client}


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# --- sso-oidc ------------------------------------------------------------------------


def test_it_registers_a_public_client(oidc: Any) -> None:
    client = register(oidc, ["sso:account:access"])
    assert client["clientId"] and client["clientSecret"]
    assert client["clientSecretExpiresAt"] > time.time() + 80 * 24 * 3600


def test_it_starts_a_device_authorization(oidc: Any, url: str, start_url: str) -> None:
    authorization = start(oidc, register(oidc), start_url)
    assert authorization["userCode"][4] == "-" and len(authorization["userCode"]) == 9
    assert authorization["verificationUri"] == f"{url}/device"
    assert authorization["verificationUriComplete"] == f"{url}/device?user_code={authorization['userCode']}"
    assert authorization["expiresIn"] > 500 and authorization["interval"] == 1


def test_it_rejects_an_unknown_start_url(oidc: Any) -> None:
    with pytest.raises(oidc.exceptions.InvalidRequestException):
        start(oidc, register(oidc), "https://d-0000000000.awsapps.com/start")


def test_it_rejects_a_wrong_client_secret(oidc: Any, start_url: str) -> None:
    client = register(oidc)
    with pytest.raises(oidc.exceptions.InvalidClientException) as exc:
        start(oidc, {**client, "clientSecret": "nope"}, start_url)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401


def test_it_answers_pending_then_issues_a_token_once_approved(oidc: Any, url: str, start_url: str) -> None:
    client = register(oidc, ["sso:account:access"])
    authorization = start(oidc, client, start_url)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as exc:
        poll(oidc, client, authorization)
    assert exc.value.response["error"] == "authorization_pending"
    assert decide(url, authorization["userCode"], "approve") == 200
    token = poll(oidc, client, authorization)
    assert token["tokenType"] == "Bearer"
    assert 3500 < token["expiresIn"] <= 3600
    assert token["accessToken"] and token["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        poll(oidc, client, authorization)  # a device code is redeemed once


def test_it_says_slow_down_when_polled_faster_than_the_interval(oidc: Any, start_url: str) -> None:
    client = register(oidc)
    authorization = start(oidc, client, start_url)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, authorization)
    with pytest.raises(oidc.exceptions.SlowDownException):
        poll(oidc, client, authorization)
    time.sleep(authorization["interval"] + 0.1)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, authorization)


def test_it_answers_access_denied_when_the_user_denies(oidc: Any, url: str, start_url: str) -> None:
    client = register(oidc)
    authorization = start(oidc, client, start_url)
    assert decide(url, authorization["userCode"], "deny") == 200
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        poll(oidc, client, authorization)


def test_it_answers_expired_token_after_the_device_code_expires(
    oidc: Any, start_url: str, lifetimes: Any
) -> None:
    lifetimes(device_code=1)
    client = register(oidc)
    authorization = start(oidc, client, start_url)
    assert authorization["expiresIn"] <= 1
    time.sleep(1.2)
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        poll(oidc, client, authorization)


def test_it_rejects_an_unknown_device_code(oidc: Any) -> None:
    client = register(oidc)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        poll(oidc, client, {"deviceCode": "not-a-device-code"})


def test_it_renews_the_access_token_with_the_refresh_token(
    oidc: Any, sso: Any, url: str, start_url: str
) -> None:
    token = sign_in(oidc, url, start_url, ["sso:account:access"])
    client = token["client"]
    renewed = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="refresh_token",
        refreshToken=token["refreshToken"],
    )
    assert renewed["accessToken"] != token["accessToken"]
    assert sso.list_accounts(accessToken=renewed["accessToken"])["accountList"]


def test_it_issues_no_refresh_token_without_the_scope(oidc: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url, scopes=None)
    assert "refreshToken" not in token


def test_it_rejects_an_unknown_refresh_token(oidc: Any) -> None:
    client = register(oidc, ["sso:account:access"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken="not-a-refresh-token",
        )


def test_it_expires_access_tokens_but_the_session_refreshes_them(
    oidc: Any, sso: Any, url: str, start_url: str, lifetimes: Any
) -> None:
    lifetimes(access_token=1)
    token = sign_in(oidc, url, start_url, ["sso:account:access"])
    assert token["expiresIn"] <= 1
    time.sleep(1.2)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token["accessToken"])
    client = token["client"]
    renewed = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="refresh_token",
        refreshToken=token["refreshToken"],
    )
    assert renewed["expiresIn"] <= 1


# --- the portal ----------------------------------------------------------------------


def test_it_lists_the_accounts_and_roles_of_the_user(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    accounts = sso.list_accounts(accessToken=token)["accountList"]
    assert [a["accountId"] for a in accounts] == [ACCOUNT, SECOND_ACCOUNT]
    assert accounts[0]["accountName"] == "sandbox" and "@" in accounts[0]["emailAddress"]
    roles = sso.list_account_roles(accessToken=token, accountId=ACCOUNT)["roleList"]
    assert roles == [
        {"roleName": "AdministratorAccess", "accountId": ACCOUNT},
        {"roleName": "ReadOnlyAccess", "accountId": ACCOUNT},
    ]


def test_it_paginates_as_modeled(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    first = sso.list_accounts(accessToken=token, maxResults=1)
    assert len(first["accountList"]) == 1 and first["nextToken"]
    pages = sso.get_paginator("list_account_roles").paginate(
        accessToken=token, accountId=ACCOUNT, PaginationConfig={"PageSize": 1}
    )
    assert [len(page["roleList"]) for page in pages] == [1, 1]


def role_credentials(sso: Any, token: str, account_id: str, permission_set: str) -> dict[str, Any]:
    response = sso.get_role_credentials(accessToken=token, accountId=account_id, roleName=permission_set)
    return dict(response["roleCredentials"])


def aws(url: str, service: str, credentials: dict[str, Any]) -> Any:
    return BOTOCORE.create_client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=credentials["accessKeyId"],
        aws_secret_access_key=credentials["secretAccessKey"],
        aws_session_token=credentials["sessionToken"],
    )


def test_it_hands_out_role_credentials_that_work_with_iam_enforced(
    oidc: Any, sso: Any, url: str, start_url: str
) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    credentials = role_credentials(sso, token, ACCOUNT, "AdministratorAccess")
    assert credentials["accessKeyId"].startswith("ASIA")
    assert credentials["expiration"] > (time.time() + 3000) * 1000  # milliseconds
    identity = aws(url, "sts", credentials).get_caller_identity()
    role = role_name(ACCOUNT, "AdministratorAccess")
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/demo"
    assert role.startswith("AWSReservedSSO_AdministratorAccess_") and len(role.rsplit("_", 1)[1]) == 16
    aws(url, "s3", credentials).create_bucket(Bucket="made-by-sso-admin")


def test_it_keeps_a_read_only_set_read_only(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    s3 = aws(url, "s3", role_credentials(sso, token, ACCOUNT, "ReadOnlyAccess"))
    assert "demo-console-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="not-by-read-only")
    assert error_code(exc) == "AccessDenied"


def test_it_hands_out_credentials_in_the_second_account(
    oidc: Any, sso: Any, url: str, start_url: str
) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    credentials = role_credentials(sso, token, SECOND_ACCOUNT, "AdministratorAccess")
    identity = aws(url, "sts", credentials).get_caller_identity()
    assert identity["Account"] == SECOND_ACCOUNT
    buckets = aws(url, "s3", credentials).list_buckets()["Buckets"]
    assert [b["Name"] for b in buckets] == ["cross-account-demo-bucket"]


def test_it_refuses_a_role_the_user_is_not_assigned(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url)["accessToken"]
    with pytest.raises(ClientError) as exc:
        role_credentials(sso, token, SECOND_ACCOUNT, "ReadOnlyAccess")
    assert error_code(exc) == "ForbiddenException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_it_gives_each_user_their_own_token(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    demo = sign_in(oidc, url, start_url)["accessToken"]
    bob = sign_in(oidc, url, start_url, username="bob", password="bobs password")["accessToken"]
    assert demo != bob
    arn = aws(url, "sts", role_credentials(sso, bob, ACCOUNT, "ReadOnlyAccess")).get_caller_identity()["Arn"]
    assert arn.endswith("/bob")
    sso.logout(accessToken=bob)
    assert sso.list_accounts(accessToken=demo)["accountList"]


def test_it_revokes_the_token_on_logout(oidc: Any, sso: Any, url: str, start_url: str) -> None:
    token = sign_in(oidc, url, start_url, ["sso:account:access"])
    sso.logout(accessToken=token["accessToken"])
    with pytest.raises(sso.exceptions.UnauthorizedException) as exc:
        role_credentials(sso, token["accessToken"], ACCOUNT, "AdministratorAccess")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    client = token["client"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken=token["refreshToken"],
        )


def test_it_rejects_an_unknown_token(sso: Any) -> None:
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken="not-a-token")


# --- the AWS CLI as the oracle -------------------------------------------------------


def test_it_serves_the_aws_clis_sso_profile_and_token_refresh(
    oidc: Any, url: str, start_url: str, tmp_path: Path
) -> None:
    """awscli's (botocore's) SSO credential provider, in its own process, unchanged.

    The cached token is two minutes from expiry, inside botocore's refresh window,
    so the CLI first renews it with the refresh-token grant, then gets the role
    credentials, then calls STS with them.
    """
    token = sign_in(oidc, url, start_url, ["sso:account:access"])
    config = tmp_path / "config"
    config.write_text(
        f"[sso-session sandbox]\nsso_start_url = {start_url}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n\n"
        f"[profile sandbox-sso]\nsso_session = sandbox\nsso_account_id = {ACCOUNT}\n"
        "sso_role_name = ReadOnlyAccess\nregion = us-east-1\n"
    )
    cache = tmp_path / ".aws" / "sso" / "cache" / f"{hashlib.sha1(b'sandbox').hexdigest()}.json"  # noqa: S324
    cache.parent.mkdir(parents=True)
    expires = datetime.now(UTC) + timedelta(minutes=2)
    cache.write_text(
        json.dumps(
            {
                "startUrl": start_url,
                "region": "us-east-1",
                "accessToken": token["accessToken"],
                "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "clientId": token["client"]["clientId"],
                "clientSecret": token["client"]["clientSecret"],
                "registrationExpiresAt": "2099-01-01T00:00:00Z",
                "refreshToken": token["refreshToken"],
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(config), AWS_ENDPOINT_URL=url)
    aws_cli = [sys.executable, "-m", "awscli", "--profile", "sandbox-sso", "--output", "json"]
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [*aws_cli, "sts", "get-caller-identity"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    role = role_name(ACCOUNT, "ReadOnlyAccess")
    assert json.loads(result.stdout)["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/demo"
    assert json.loads(cache.read_text())["accessToken"] != token["accessToken"]  # refreshed


def test_it_refuses_a_bad_configuration_without_changing_anything(url: str, secret: str) -> None:
    with pytest.raises(SandboxError, match="unknown lifetime"):
        configure_identity_center(url, secret=secret, users={"eve": "x"}, lifetimes={"forever": 1})
    assert "eve" not in configure_identity_center(url, secret=secret)["users"]
