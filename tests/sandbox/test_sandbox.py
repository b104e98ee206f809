"""The sandbox is a real moto server over HTTP that fails like AWS once seeded.

One server for the module (starting and seeding it takes about a second); every
test talks to it with botocore, as the console's workers will.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sandbox.errors import SandboxError
from sandbox.seed import SandboxSeed, enforce_auth, seed_demo
from sandbox.server import SandboxProcess, answers_http

SESSION_NAME = "alice"
# One botocore session for the module: it caches the service models, which makes
# each new client cheap (a fresh session re-reads them, ~100 ms for S3).
BOTOCORE = botocore.session.get_session()


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[tuple[str, SandboxSeed, str]]:
    # Its own server, not the suite's shared one: these tests create buckets and
    # must see a freshly seeded account.
    with SandboxProcess() as process:
        seed = seed_demo(process.url, secret=process.control_secret)
        enforce_auth(process.url, secret=process.control_secret)
        yield process.url, seed, process.control_secret


@pytest.fixture(scope="module")
def url(own_sandbox: tuple[str, SandboxSeed, str]) -> str:
    return own_sandbox[0]


@pytest.fixture(scope="module")
def seed(own_sandbox: tuple[str, SandboxSeed, str]) -> SandboxSeed:
    return own_sandbox[1]


@pytest.fixture(scope="module")
def secret(own_sandbox: tuple[str, SandboxSeed, str]) -> str:
    return own_sandbox[2]


def client(url: str, service: str, key: str, secret: str, token: str | None = None) -> Any:
    return BOTOCORE.create_client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def demo_client(url: str, seed: SandboxSeed, service: str) -> Any:
    return client(url, service, seed.access_key_id, seed.secret_access_key)


def role_client(url: str, seed: SandboxSeed, role_arn: str, service: str) -> Any:
    sts = demo_client(url, seed, "sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)["Credentials"]
    return client(url, service, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_it_identifies_the_demo_user(url: str, seed: SandboxSeed) -> None:
    identity = demo_client(url, seed, "sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/demo"


def test_it_rejects_a_wrong_secret_key(url: str, seed: SandboxSeed) -> None:
    sts = client(url, "sts", seed.access_key_id, "not-the-secret")
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_code(excinfo) == "SignatureDoesNotMatch"


def test_it_rejects_an_unknown_access_key(url: str) -> None:
    sts = client(url, "sts", "AKIAUNKNOWNUNKNOWN00", "whatever")
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_code(excinfo) == "InvalidClientTokenId"


def test_it_rejects_the_bootstrap_key_once_auth_is_enforced(url: str) -> None:
    sts = client(url, "sts", "sandbox-bootstrap", "sandbox-bootstrap")
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_code(excinfo) == "InvalidClientTokenId"


def test_it_lets_the_demo_user_list_the_demo_bucket(url: str, seed: SandboxSeed) -> None:
    s3 = demo_client(url, seed, "s3")
    names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert "demo-console-bucket" in names
    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket="demo-console-bucket")["Contents"]]
    assert keys == ["README.txt"]


def test_it_denies_the_demo_user_creating_a_bucket(url: str, seed: SandboxSeed) -> None:
    with pytest.raises(ClientError) as excinfo:
        demo_client(url, seed, "s3").create_bucket(Bucket="alice-demo-user-bucket")
    assert error_code(excinfo) == "AccessDenied"


def test_it_denies_the_readonly_role_creating_a_bucket(url: str, seed: SandboxSeed) -> None:
    s3 = role_client(url, seed, seed.readonly_role_arn, "s3")
    assert s3.list_buckets()["Buckets"]
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket="alice-readonly-bucket")
    assert error_code(excinfo) == "AccessDenied"


def test_it_lets_the_admin_role_create_a_bucket(url: str, seed: SandboxSeed) -> None:
    s3 = role_client(url, seed, seed.admin_role_arn, "s3")
    s3.create_bucket(Bucket="alice-admin-bucket")
    names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert "alice-admin-bucket" in names


def test_it_names_the_assumed_role_session(url: str, seed: SandboxSeed) -> None:
    identity = role_client(url, seed, seed.admin_role_arn, "sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::123456789012:assumed-role/ConsoleAdmin/{SESSION_NAME}"


def test_it_accepts_a_source_identity(url: str, seed: SandboxSeed) -> None:
    sts = demo_client(url, seed, "sts")
    response = sts.assume_role(
        RoleArn=seed.admin_role_arn, RoleSessionName=SESSION_NAME, SourceIdentity=SESSION_NAME
    )
    assert response["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/ConsoleAdmin/{SESSION_NAME}")


def test_it_denies_the_readonly_role_assuming_the_admin_role(url: str, seed: SandboxSeed) -> None:
    sts = role_client(url, seed, seed.readonly_role_arn, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=seed.admin_role_arn, RoleSessionName=SESSION_NAME)
    assert error_code(excinfo) == "AccessDenied"


def test_it_reaches_the_second_account_through_the_cross_account_role(url: str, seed: SandboxSeed) -> None:
    assert seed.cross_account_role_arn is not None
    sts = role_client(url, seed, seed.cross_account_role_arn, "sts")
    assert sts.get_caller_identity()["Account"] == "210987654321"
    s3 = role_client(url, seed, seed.cross_account_role_arn, "s3")
    names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert names == ["cross-account-demo-bucket"]


def test_it_refuses_to_seed_once_auth_is_enforced(url: str, secret: str) -> None:
    with pytest.raises(SandboxError, match="InvalidClientTokenId"):
        seed_demo(url, secret=secret)


def test_it_redacts_the_secret_key_in_repr(seed: SandboxSeed) -> None:
    assert seed.secret_access_key not in repr(seed)
    assert seed.access_key_id in repr(seed)


def test_it_refuses_a_port_in_use() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(SandboxError) as excinfo:
            SandboxProcess(port=port).start()
    assert str(excinfo.value) == (f"port {port} is already in use; set SANDBOX_PORT to another port")


def test_it_stops_the_server() -> None:
    process = SandboxProcess()
    process.start()
    assert answers_http(process.url)
    process.stop()
    assert not answers_http(process.url)
