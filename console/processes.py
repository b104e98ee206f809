"""The command lines of the console's own processes (Celery worker, ASGI server), so
`runstack`, the test suite and the benchmark start them the same way."""

from __future__ import annotations

import os
import sys


def worker_command(*, concurrency: int = 16, beat_schedule: str | None = None) -> list[str]:
    """A Celery worker with a thread pool (commands wait on AWS, not on the CPU); with
    `beat_schedule`, it also runs the reaper's beat."""
    command = [sys.executable, "-m", "celery", "-A", "console", "--quiet", "worker"]
    if beat_schedule:
        command += ["--beat", "--schedule", beat_schedule]
    command += ["--pool", "threads", "--concurrency", str(concurrency), "--loglevel", "WARNING"]
    return command + ["--without-gossip", "--without-mingle"]


def web_command(host: str, port: int, access_log: str = os.devnull) -> list[str]:
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
        "console.asgi:application",
    ]
