"""The console's own processes (Celery worker, ASGI server): their command lines, so
`runstack`, the test suite and the benchmark start them the same way, and the supervisor
that `runstack` stops them with.

Design decision: a stop, once begun, finishes whatever signals arrive meanwhile. `make`
passes its SIGTERM on while the terminal's SIGINT is still being handled, and people
press Ctrl-C twice; a handler that raises again would abandon the stop half-way and
leave a worker taking the next console's commands. So the first SIGINT/SIGTERM asks
for the stop, later ones are only noted, and `Supervisor.stop` terminates each child's
process group, kills what is left at a deadline, reaps the children and then empties
their groups (a worker's own children end too)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long children get to stop after SIGTERM before the SIGKILL, and how long what is
# left in their process groups gets after it.
STOP_GRACE_SECONDS = 10.0
SWEEP_SECONDS = 5.0


def worker_command(*, concurrency: int = 16, app: str = "console") -> list[str]:
    """A Celery worker with a thread pool (commands wait on AWS, not on the CPU). The
    reaper runs on its own thread in every worker (console/runs/tasks.py): no beat.
    `app` is the module holding the Celery app (bench/floor.py gives its own)."""
    command = [sys.executable, "-m", "celery", "-A", app, "--quiet", "worker"]
    command += ["--pool", "threads", "--concurrency", str(concurrency), "--loglevel", "WARNING"]
    return command + ["--without-gossip", "--without-mingle"]


def web_command(
    host: str, port: int, access_log: str = os.devnull, application: str = "console.asgi:application"
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        host,
        "-p",
        str(port),
        "--access-log",
        access_log,
        application,
    ]


class StopSignals:
    """SIGINT and SIGTERM as one request to stop, never as an interruption of the stop.

    The first signal raises KeyboardInterrupt (so a start-up step that is waiting is left at
    once), unless it arrives while a child is being spawned: then it is raised once the
    child is recorded, so no child is started without the supervisor knowing. Every later
    signal is noted and ignored."""

    def __init__(self) -> None:
        self.requested = False
        self.received = 0
        self._deferring = 0

    def install(self) -> None:
        # Installed explicitly: a shell that starts us in the background ignores SIGINT.
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)

    def stopping(self) -> None:
        """From now on no signal raises: the stop is under way."""
        self.requested = True

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if self.requested:
            return
        self.requested = True
        if not self._deferring:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        already = self.requested
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if self.requested and not already and not self._deferring:
            raise KeyboardInterrupt


class Supervisor:
    """Child processes, each the leader of its own process group (so the terminal's
    Ctrl-C reaches only the supervisor, which stops them in order)."""

    def __init__(self, signals: StopSignals) -> None:
        self.signals = signals
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def spawn(self, name: str, command: list[str], **popen: Any) -> subprocess.Popen[bytes]:
        with self.signals.deferred():
            child = subprocess.Popen(command, start_new_session=True, **popen)
            self.children.append((name, child))
        return child

    def exited(self) -> tuple[str, int] | None:
        """The first child that has exited, with its status, if any."""
        for name, child in self.children:
            if child.poll() is not None:
                return name, child.returncode
        return None

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM every group, SIGKILL what is left at the deadline, reap, sweep the groups."""
        self.signals.stopping()
        for _name, child in self.children:
            _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _name, child in self.children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
        _sweep([child.pid for _name, child in self.children], SWEEP_SECONDS)


def _signal_group(pgid: int, signum: int) -> bool:
    """Signal a process group; False when it has no member left."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a member we may not signal (it changed user); it still exists
    return True


def _sweep(groups: list[int], seconds: float) -> None:
    """Kill whatever still lives in the children's groups (their own children), and wait
    until the groups are empty (init reaps those orphans)."""
    deadline = time.monotonic() + seconds
    alive = [pgid for pgid in groups if _signal_group(pgid, signal.SIGKILL)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pgid for pgid in alive if _signal_group(pgid, 0)]
