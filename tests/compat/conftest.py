"""Fixtures of the compatibility suite: the seeded world, the oracle, and the console as a
script sees it (the REST API of the real ASGI server and Celery worker, 80 columns, no
colour). Both sides are asked in parallel and once per command line."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from tests.compat.cases import Case
from tests.compat.compare import oracle_lines
from tests.compat.oracle import Oracle, Result, write_config
from tests.compat.world import build_world


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "compat: byte-for-byte comparison with the awscli oracle")


@pytest.fixture(scope="session")
def world(sandbox: Any) -> dict[str, Any]:
    return build_world(sandbox.url, sandbox.seed)


@pytest.fixture(scope="session")
def oracle(sandbox: Any, world: dict[str, Any], tmp_path_factory: Any) -> Iterator[Oracle]:
    env = write_config(tmp_path_factory.mktemp("oracle-config"), sandbox.url, sandbox.seed)
    runner = Oracle(sandbox.url, env)
    yield runner
    runner.close()


class Console:
    """Submits command lines to `POST /api/v1/runs` with `wait`, several at a time."""

    def __init__(self, url: str, token: str, workers: int = 4) -> None:
        self._url = url
        self._token = token
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console")
        self._futures: dict[str, Future[Result]] = {}

    def prefetch(self, command: str) -> None:
        if command not in self._futures:
            self._futures[command] = self._pool.submit(self._run, command)

    def run(self, command: str) -> Result:
        self.prefetch(command)
        return self._futures[command].result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def _run(self, command: str) -> Result:
        """A run the reaper declared lost is asked once more: the suite's reaper clock is 3 s
        (tests/envsetup.py), and on a shared 2-core machine at load 10 a worker thread can
        miss its 1-s heartbeat that long. The lines are read-only, so a second run is safe;
        a second loss fails the line."""
        run = self._post(command)
        if run["status"] == "lost":
            run = self._post(command)
        return Result(run["stdout"], run["stderr"], run["exit_code"])

    def _post(self, command: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self._url}/api/v1/runs",
            data=json.dumps({"command": command, "wait": True}).encode(),
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=150) as response:  # noqa: S310 - the test server
            run = json.load(response)
        assert run["status"] not in ("queued", "running"), f"the run did not end: {run}"
        return dict(run)


@pytest.fixture(scope="module")
def console(stack: Any, sandbox: Any, world: dict[str, Any], django_db_blocker: Any) -> Iterator[Console]:
    """Alice with the demo profiles, committed (the worker and web processes must see her)
    for the whole module rather than per test: one user and one token for every line."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from console.api.tokens import create_token
    from console.demo import install_sandbox_profiles

    with django_db_blocker.unblock():
        alice = get_user_model().objects.create_user("alice", "alice@example.com", "unused")
        install_sandbox_profiles(alice, sandbox.seed, sandbox.url)
        token = create_token(alice, name="compat")
    client = Console(stack.url, token)
    try:
        yield client
    finally:
        client.close()
        with django_db_blocker.unblock():
            # As a transactional test ends: the audit chain and runs go with everything else.
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def prefetched(request: Any, oracle: Oracle, console: Console, world: dict[str, Any]) -> dict[str, Any]:
    """Start every selected command on both sides now, so each test only waits for its own
    answer."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)
    ]
    for case in selected:
        line = case.resolve(world)
        for oracle_line in oracle_lines(case, line):
            oracle.prefetch(oracle_line)
        console.prefetch(line)
    return world
