"""A worker of the test's own: `own_worker` replaces the stack's worker with one started
with other settings (fewer slots, a small limit, a fast reaper clock) and puts the usual
one back afterwards, so those settings never leak into other tests."""

from __future__ import annotations

import contextlib
import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from console.processes import worker_command
from console.runs import workers
from tests.conftest import ROOT, Stack, _stop, _wait_for


@contextlib.contextmanager
def own_worker(stack: Stack, *, concurrency: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run the test against a worker with `concurrency` slots and `env` on top of the
    stack's environment (started as `runstack` starts it)."""
    _replace(stack.worker)
    log = open(stack.log_dir / "own-worker.log", "ab")  # noqa: SIM115 - lives as long as the process
    command = worker_command(concurrency=concurrency)
    worker = subprocess.Popen(
        command, cwd=ROOT, env={**stack.env, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(lambda: workers.live_workers() > 0, "the test's own worker")
        yield worker
    finally:
        _replace(worker)
        stack.start_worker()


def _replace(worker: subprocess.Popen[bytes]) -> None:
    _stop(worker)
    workers.redis_client().delete(workers.workers_key())


def api_call(stack: Stack, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request to the stack's real web server; returns (HTTP status, decoded JSON)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{stack.url}/api/v1/{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
