"""`manage.py setup_demo` as docker compose's `setup` service runs it: against a sandbox
another process started with `--control-secret-file`, reading the secret from
CONSOLE_SANDBOX_CONTROL_SECRET_FILE. It seeds, gives the demo user its profiles and
switches IAM enforcement on; without the secret it says what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from credentials.models import ConfigSection
from sandbox.server import answers_http, pick_free_port
from tests.conftest import ROOT, _test_database_url

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def compose_sandbox(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The `sandbox` service's command, on loopback."""
    port = pick_free_port()
    secret_file = tmp_path / "control" / "secret"
    secret_file.parent.mkdir()
    command = [
        sys.executable,
        "-m",
        "sandbox.server",
        f"--port={port}",
        f"--control-secret-file={secret_file}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)  # noqa: S603 (fixed argv)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not answers_http(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield url, secret_file
    server.terminate()
    server.wait(timeout=10)


def setup_demo(url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "CONTROL_SECRET" not in k}
    env.update(DATABASE_URL=_test_database_url(), CONSOLE_SANDBOX_URL=url, DEMO_PASSWORD="demo pw", **extra)
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", "setup_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def bootstrap_refused(url: str) -> None:
    iam = botocore.session.get_session().create_client(
        "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with pytest.raises(iam.exceptions.ClientError, match="InvalidClientTokenId"):
        iam.list_users()


def test_it_seeds_with_the_secret_the_sandbox_wrote(compose_sandbox: tuple[str, Path]) -> None:
    url, secret_file = compose_sandbox
    result = setup_demo(url, CONSOLE_SANDBOX_CONTROL_SECRET_FILE=str(secret_file))
    assert result.returncode == 0, result.stderr
    assert "Demo user: demo" in result.stdout
    names = set(ConfigSection.objects.filter(owner__username="demo").values_list("name", flat=True))
    assert {"default", "admin", "readonly", "sandbox-sso"} <= names
    assert "Team platform member bob: password " in result.stdout
    team = set(ConfigSection.objects.filter(team__slug="platform").values_list("name", flat=True))
    assert team == {"keys", "readonly", "admin"}
    bootstrap_refused(url)  # IAM is enforced


def test_without_the_secret_it_says_what_to_set(compose_sandbox: tuple[str, Path]) -> None:
    url, _ = compose_sandbox
    result = setup_demo(url)
    assert result.returncode != 0
    assert "CONSOLE_SANDBOX_CONTROL_SECRET_FILE" in result.stderr
