"""docker-compose.yml, as Compose reads it: the migrations run exactly once (web and
worker wait for them), the seeder holds the sandbox's control secret and the services
that run users' commands do not, and `.dockerignore` keeps local state out of the image.

How the file is read, in order of preference: `docker compose config` (the Compose v2
plugin) when it is installed, else `docker-compose config` (Compose v1, e.g. Debian's
package) when that is; neither needs a Docker daemon. A machine with neither gets the
same checks on the file's structure in Python (PyYAML, anchors and merge keys resolved
as Compose resolves them), so CI needs nothing a fresh machine lacks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
USERS_COMMANDS = ("web", "worker")  # the services that run what users type


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed argv)
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/usr/local/bin:/bin"},
    )


def _compose_v2() -> bool:
    return shutil.which("docker") is not None and _run(["docker", "compose", "version"]).returncode == 0


def load_config() -> tuple[str, dict[str, Any]]:
    """The file with the `sandbox` profile on, and who read it."""
    if _compose_v2():
        result = _run(
            [
                "docker",
                "compose",
                "-f",
                str(COMPOSE_FILE),
                "--profile",
                "sandbox",
                "config",
                "--format",
                "json",
            ]
        )
        assert result.returncode == 0, result.stderr
        return "docker compose", json.loads(result.stdout)
    if shutil.which("docker-compose"):
        result = _run(["docker-compose", "-f", str(COMPOSE_FILE), "--profile", "sandbox", "config"])
        assert result.returncode == 0, result.stderr
        return "docker-compose", yaml.safe_load(result.stdout)
    return "python", yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    _reader, config = load_config()
    return dict(config["services"])


def command(service: dict[str, Any]) -> list[str]:
    value = service.get("command") or []
    return value.split() if isinstance(value, str) else list(value)


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """target → source, from the short ("src:dst[:mode]") or the long syntax."""
    found = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        found[target] = source
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_exactly_one_service_migrates_and_the_others_wait_for_it(services: dict[str, Any]) -> None:
    migrating = [name for name, service in services.items() if "migrate" in command(service)]
    assert migrating == ["migrate"]
    assert "profiles" not in services["migrate"]  # it runs with or without the sandbox
    for name in ("web", "worker", "setup"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_seeder_holds_the_control_secret_and_the_console_does_not(services: dict[str, Any]) -> None:
    sandbox = command(services["sandbox"])
    secret_file = sandbox[sandbox.index("--control-secret-file") + 1]
    secret_dir = str(Path(secret_file).parent)
    volume = mounts(services["sandbox"])[secret_dir]

    setup = services["setup"]
    assert environment(setup)["CONSOLE_SANDBOX_CONTROL_SECRET_FILE"] == secret_file
    assert mounts(setup)[secret_dir] == volume
    assert setup["depends_on"]["sandbox"]["condition"] == "service_healthy"
    assert command(setup) == ["python", "manage.py", "setup_demo"]
    for name in USERS_COMMANDS:
        assert volume not in mounts(services[name]).values(), name
        assert not any("CONTROL_SECRET" in key for key in environment(services[name])), name


def test_the_sandbox_health_check_needs_no_secret(services: dict[str, Any]) -> None:
    probe = services["sandbox"]["healthcheck"]["test"]
    assert any(part.endswith("/_health") for part in probe)


@pytest.mark.parametrize("kept_out", [".local/", ".venv/", ".git/", "*.sqlite3", "node_modules/"])
def test_the_image_leaves_local_state_out(kept_out: str) -> None:
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    assert kept_out in lines


def test_the_worker_scales_with_compose(services: dict[str, Any]) -> None:
    """`docker compose up --scale worker=3` (docs/deploy.md): copies of a service cannot
    share a fixed container name or host port, and each must reach the same database,
    Redis and keys (the shared state volume, in the local settings)."""
    worker, web = services["worker"], services["web"]
    assert "container_name" not in worker
    assert not worker.get("ports")
    for name in ("DATABASE_URL", "REDIS_URL", "CONSOLE_ENV"):
        assert environment(worker)[name] == environment(web)[name], name
    assert mounts(worker)["/state"] == mounts(web)["/state"]
