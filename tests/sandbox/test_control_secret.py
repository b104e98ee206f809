"""The sandbox's control plane (moto's /moto-api/, the sandbox's /_sandbox/ admin
endpoints) answers only a caller that presents this start's control secret: a direct
HTTP request without it, or with a wrong one, is refused and changes nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from sandbox import control
from sandbox.identitycenter.seed import configure_identity_center
from sandbox.seed import SandboxSeed, enforce_auth, seed_demo
from sandbox.server import SandboxProcess, answers_http, pick_free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the demo directory password"
# Every kind of control request an attacker would send: dump, reset, switch auth off,
# record others' requests, reseed, and set an Identity Center password.
CONTROL_REQUESTS = [
    ("GET", "/moto-api/", b""),
    ("GET", "/moto-api/data.json", b""),
    ("POST", "/moto-api/reset", b""),
    ("POST", "/moto-api/reset-auth", b"1000"),
    ("POST", "/moto-api/recorder/start-recording", b""),
    ("GET", "/moto-api/recorder/download-recording", b""),
    ("POST", "/moto-api/seed?a=42", b""),
    ("POST", "/moto-api/proxy/passthrough", b"{}"),
    ("GET", "/_sandbox/identity-center", b""),
    (
        "POST",
        "/_sandbox/identity-center",
        json.dumps({"users": {"demo": "mallory", "mallory": "x"}}).encode(),
    ),
]


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[tuple[str, SandboxSeed, str]]:
    # Its own server: if the gate failed, these requests would wipe the shared one.
    with SandboxProcess() as process:
        secret = process.control_secret
        seed = seed_demo(process.url, secret=secret, sso_password=PASSWORD)
        enforce_auth(process.url, secret=secret)
        yield process.url, seed, secret


def send(url: str, method: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        f"{url}{path}",
        data=body or None,
        method=method,
        headers={"Content-Type": "text/plain", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def caller_arn(url: str, seed: SandboxSeed) -> str:
    sts = botocore.session.get_session().create_client(
        "sts",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=seed.access_key_id,
        aws_secret_access_key=seed.secret_access_key,
    )
    return str(sts.get_caller_identity()["Arn"])


def bootstrap_key_is_refused(url: str) -> bool:
    iam = botocore.session.get_session().create_client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="sandbox-bootstrap",
        aws_secret_access_key="sandbox-bootstrap",
    )
    try:
        iam.list_users()
    except iam.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"] == "InvalidClientTokenId"
    return False


@pytest.mark.parametrize("presented", [None, "", "a-wrong-secret"])
def test_it_refuses_every_control_request_without_the_secret(
    own_sandbox: tuple[str, SandboxSeed, str], presented: str | None
) -> None:
    url, seed, secret = own_sandbox
    headers = {} if presented is None else {control.HEADER: presented}
    statuses = {path: send(url, method, path, body, headers) for method, path, body in CONTROL_REQUESTS}
    assert statuses == {path: 403 for _, path, _ in CONTROL_REQUESTS}
    # Nothing changed: the seed's key still works, IAM is still enforced, no new user.
    assert caller_arn(url, seed).endswith(":user/demo")
    assert bootstrap_key_is_refused(url)
    assert configure_identity_center(url, secret=secret)["users"] == ["demo"]


def test_it_serves_the_control_plane_with_the_secret(own_sandbox: tuple[str, SandboxSeed, str]) -> None:
    url, _, secret = own_sandbox
    request = urllib.request.Request(f"{url}/moto-api/data.json", headers={control.HEADER: secret})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "iam" in json.loads(response.read())


def test_the_health_probe_needs_no_secret_and_tells_nothing(
    own_sandbox: tuple[str, SandboxSeed, str],
) -> None:
    url, _, _ = own_sandbox
    with urllib.request.urlopen(f"{url}{control.HEALTH_PATH}", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}


def test_each_start_has_its_own_secret() -> None:
    first, second = SandboxProcess(), SandboxProcess()
    try:
        first.start()
        second.start()
        assert first.control_secret and second.control_secret
        assert first.control_secret != second.control_secret
        assert (
            send(first.url, "GET", "/moto-api/data.json", b"", {control.HEADER: second.control_secret}) == 403
        )
    finally:
        first.stop()
        second.stop()


def server_env() -> dict[str, Any]:
    return {k: v for k, v in os.environ.items() if k != control.SECRET_ENV}


def test_the_server_refuses_to_start_without_a_secret() -> None:
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "sandbox.server", f"--port={pick_free_port()}"],
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "no control secret" in result.stderr


def test_a_server_started_with_a_secret_file_writes_a_fresh_owner_only_one(tmp_path: Path) -> None:
    """The docker compose shape: the server makes the secret, the seeder reads the file."""
    path = tmp_path / "control-secret"
    path.write_text("a stale secret from the previous start")
    port = pick_free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sandbox.server", f"--port={port}", f"--control-secret-file={path}"]
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(), stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while not answers_http(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        secret = path.read_text()
        assert secret != "a stale secret from the previous start"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert send(url, "GET", "/moto-api/data.json", b"", {control.HEADER: secret}) == 200
        assert send(url, "GET", "/moto-api/data.json", b"") == 403
    finally:
        server.terminate()
        server.wait(timeout=10)
