"""Stage marks on a command's path, for the latency benchmark's breakdown (bench/latency.py).

A command crosses three processes (web, Celery worker, web again), so its stages are
marked with the wall clock (`time.time_ns`, one clock for every process on a machine)
and written as lines `<run id> <stage> <ns>` appended to the file CONSOLE_TRACE_STAGES
names; the benchmark reads the file afterwards. Appending one short line with O_APPEND
is one write(2) that no other process's line can interleave with, so no lock, no Redis
round trip and no DB row: nothing that would change what it measures. Unset (always, but
in the benchmark), `mark` is one test of a module constant and returns: it costs the normal
path nothing. Only run ids and stage names are written, never a command or its output.
Django-free, so every layer may mark."""

from __future__ import annotations

import os
import time
import uuid

_PATH = os.environ.get("CONSOLE_TRACE_STAGES", "")
ENABLED = bool(_PATH)
_fd: int | None = None
_fd_pid: int | None = None

# The order of a command's stages; the benchmark prints the time between each and the one before.
STAGES = (
    "received",  # the run frame reached the consumer
    "written",  # the run row and its audit event committed
    "published",  # execute_run is on the broker
    "picked",  # a worker's task began
    "claimed",  # queued -> running
    "credentials",  # the broker resolved the session
    "client",  # a client for it is ready
    "called",  # the AWS call answered
    "formatted",  # the command wrote its output and returned
    "stored",  # the final state (and the last chunk) committed
    "doorbell",  # the run's group was told
    "sent",  # the consumer sent the exit frame
)


def clock() -> int:
    """Now, for a mark taken later (`at`); 0 when tracing is off."""
    return time.time_ns() if ENABLED else 0


def mark(run_id: uuid.UUID | str | None, stage: str, at: int = 0) -> None:
    if not ENABLED or not run_id:
        return
    os.write(_file(), f"{run_id} {stage} {at or time.time_ns()}\n".encode())


def _file() -> int:
    global _fd, _fd_pid
    if _fd is None or _fd_pid != os.getpid():  # a forked child opens its own
        _fd, _fd_pid = os.open(_PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), os.getpid()
    return _fd
