"""Shared fixtures: the cast (Alice owns, Bob is her teammate, Charlie is an outsider),
the sandbox (a real moto server over HTTP with IAM enforced), and `stack`: a real Celery
worker and a real ASGI server as subprocesses, on the test database and Redis."""

from __future__ import annotations

import inspect
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from console.processes import web_command, worker_command

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


@dataclass
class Sandbox:
    url: str
    seed: Any
    # The control secret of this start (sandbox/control.py), for configure_identity_center.
    secret: str = field(repr=False)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    from sandbox.seed import enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    process = SandboxProcess(port=settings.SANDBOX_PORT)
    process.start()
    try:
        seed = seed_demo(process.url, secret=process.control_secret)
        enforce_auth(process.url, secret=process.control_secret)
        yield Sandbox(process.url, seed, process.control_secret)
    finally:
        process.stop()


@pytest.fixture
async def _terminals_disconnected() -> Any:
    yield
    from tests.wsclient import disconnect_opened_terminals

    await disconnect_opened_terminals()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every async test disconnects the terminals it opened before its loop is torn down."""
    for item in items:
        if inspect.iscoroutinefunction(getattr(item, "function", None)):
            item.fixturenames.append("_terminals_disconnected")  # type: ignore[attr-defined]


def _make_user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD)


@pytest.fixture
def alice(db: Any) -> Any:
    return _make_user("alice")


@pytest.fixture
def bob(db: Any) -> Any:
    return _make_user("bob")


@pytest.fixture
def charlie(db: Any) -> Any:
    return _make_user("charlie")


@pytest.fixture
def alice_profiles(alice: Any, sandbox: Sandbox) -> Any:
    """Alice gets the demo profiles against the sandbox: default (IAM user keys),
    readonly and admin (roles assumed from default)."""
    from console.demo import install_sandbox_profiles

    install_sandbox_profiles(alice, sandbox.seed, sandbox.url)
    return alice


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Stack:
    url: str
    worker: subprocess.Popen[bytes]
    web: subprocess.Popen[bytes]
    env: dict[str, str]
    log_dir: Path

    def start_worker(self) -> subprocess.Popen[bytes]:
        self.worker = _start_worker(self.env, self.log_dir)
        return self.worker


def _start_worker(env: dict[str, str], log_dir: Path) -> subprocess.Popen[bytes]:
    from console.runs import workers

    log = open(log_dir / "worker.log", "ab")  # noqa: SIM115 - lives as long as the process
    worker = subprocess.Popen(
        worker_command(concurrency=8), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    _wait_for(lambda: workers.live_workers() > 0, "the Celery worker")
    return worker


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def stack(
    django_db_setup: Any, django_db_blocker: Any, sandbox: Sandbox, tmp_path_factory: Any
) -> Iterator[Stack]:
    """A real worker and ASGI server on the test database. Tests that use it must use
    `transactional_db`, so what they write is committed where the subprocesses see it."""

    clear_redis_namespace()
    env = dict(os.environ)
    env["DATABASE_URL"] = _test_database_url()
    log_dir = tmp_path_factory.mktemp("stack-logs")
    worker = _start_worker(env, log_dir)
    port = _free_port()
    env["PORT"] = str(port)  # the server's own origins (CONSOLE_ORIGINS) follow its port
    web_log = open(log_dir / "web.log", "ab")  # noqa: SIM115
    web = subprocess.Popen(
        web_command("127.0.0.1", port),
        cwd=ROOT,
        env=env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _answers(f"{url}/healthz"), "the ASGI server")
    running = Stack(url, worker, web, env, log_dir)
    try:
        yield running
    finally:
        _stop(running.web)
        _stop(running.worker)
        clear_redis_namespace()


def clear_redis_namespace() -> None:
    """Drop every key of this run's namespace (CONSOLE_REDIS_PREFIX): queues, workers, groups."""
    from console.runs import workers

    client = workers.redis_client()
    for key in client.scan_iter(f"{settings.CONSOLE_REDIS_PREFIX}*"):
        client.delete(key)


@pytest.fixture(scope="session", autouse=True)
def release_test_database(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """At the end of the run, end every other session on the test database (threads that
    async tests and the in-process consumer opened, which Django cannot close from here),
    so pytest-django can drop it instead of leaving it behind."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def settle_worker(request: Any) -> Iterator[None]:
    """After a test that used the live worker, wait until the worker has finished writing
    (a run's `finished` audit event lands just after its exit frame), so flushing the
    database between tests never races a worker's last write."""
    if "stack" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, torn down after this
    yield
    _wait_for(lambda: unsettled_runs() == 0, "the worker's last writes", timeout=10)


def unsettled_runs() -> int:
    from console.runs.audit import AuditAction
    from console.runs.models import FINAL_STATUSES, CommandRun

    ended = [AuditAction.RUN_FINISHED.value, AuditAction.RUN_REJECTED.value]
    still_running = CommandRun.objects.filter(status__in=["queued", "running"]).count()
    unaudited = CommandRun.objects.filter(status__in=FINAL_STATUSES).exclude(audit__action__in=ended).count()
    return still_running + unaudited


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise RuntimeError("the stack fixture needs PostgreSQL (set DATABASE_URL)")
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def blackhole() -> Iterator[Any]:
    from tests.blackhole import Blackhole

    hole = Blackhole()
    yield hole
    hole.close()


@pytest.fixture
def blackhole_profile(alice_profiles: Any, blackhole: Any, sandbox: Sandbox) -> Any:
    """Alice's profile `stuck`: valid keys, but its endpoint never answers."""
    from credentials.services import save_profile

    save_profile(
        alice_profiles,
        "stuck",
        {
            "region": "us-east-1",
            "endpoint_url": blackhole.url,
            "aws_access_key_id": sandbox.seed.access_key_id,
            "aws_secret_access_key": sandbox.seed.secret_access_key,
        },
    )
    return alice_profiles
