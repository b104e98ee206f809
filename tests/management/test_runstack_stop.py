"""`manage.py runstack` (what `make run` runs) started as a real process group and stopped
as `make` stops it: a SIGTERM to the group, then more signals (Ctrl-C pressed again, make's
own SIGTERM) while it is stopping its children. The stop still finishes: when runstack
exits, no process it started (sandbox, worker and its children, web server) is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, _free_port, _test_database_url

pytestmark = [pytest.mark.django_db(transaction=True)]


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc (children, their children…)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for init."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Output:
    """runstack's stdout, read as it comes, so the test knows when it is up and stopping."""

    def __init__(self, stream: Any) -> None:
        self.text = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in iter(stream.readline, ""):
            with self._lock:
                self.text += line

    def wait_for(self, words: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"runstack never printed {words!r}:\n{self.text}")
            time.sleep(0.05)


@pytest.fixture
def runstack(tmp_path: Path) -> Any:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_test_database_url(),
        CONSOLE_LOCAL_DIR=str(tmp_path),
        SANDBOX_PORT=str(_free_port()),
        PORT=str(_free_port()),
        DEMO_PASSWORD="a demo password",
        PYTHONUNBUFFERED="1",
    )
    command = [sys.executable, "manage.py", "runstack"]
    process = subprocess.Popen(  # noqa: S603 (fixed argv)
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as under make
    )
    yield process, Output(process.stdout)
    for pid in descendants(process.pid) | {process.pid}:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)  # whatever the test found left behind
    process.wait(timeout=10)


@pytest.mark.parametrize("again", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_the_stop_leaves_no_process_running(runstack: Any, again: int) -> None:
    process, output = runstack
    output.wait_for("AWS console running", timeout=120)
    time.sleep(1)  # the worker's pool and reaper thread are up too
    started = descendants(process.pid)
    assert len(started) >= 3, output.text  # sandbox, worker, web at least

    os.killpg(process.pid, signal.SIGTERM)
    output.wait_for("Stopping", timeout=10)
    signals = 0
    while process.poll() is None and signals < 200:
        os.killpg(process.pid, again)  # again and again, all through the stop
        signals += 1
        time.sleep(0.02)
    process.wait(timeout=60)

    assert signals > 1, "the stop ended before a second signal could arrive"
    assert [pid for pid in started if alive(pid)] == [], output.text
