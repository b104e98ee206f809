"""Telling the user that a call is being retried.

botocore retries throttling and transient errors itself (exponential backoff with
jitter, per `retry_mode` and `max_attempts`). It builds a new request for every attempt
and announces it with the `request-created` event, whose context carries the attempt
number; clients.py registers `announce_retry` for that event on every client it creates.
Clients are shared by all runs of a worker process, so the listener (the run's output) is
per thread: whoever runs a command calls `listen_for_retries` on the thread that makes the
AWS calls, and `stop_listening` when done."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

RetryListener = Callable[[str, int, int | None], None]

_local = threading.local()


def listen_for_retries(listener: RetryListener | None) -> None:
    _local.listener = listener


def stop_listening() -> None:
    _local.listener = None


@contextmanager
def retry_notices(listener: RetryListener) -> Iterator[None]:
    previous = getattr(_local, "listener", None)
    _local.listener = listener
    try:
        yield
    finally:
        _local.listener = previous


def announce_retry(request: Any, operation_name: str | None = None, **_: Any) -> None:
    listener: RetryListener | None = getattr(_local, "listener", None)
    retries = (getattr(request, "context", None) or {}).get("retries") or {}
    attempt = int(retries.get("attempt") or 1)
    if listener is not None and attempt > 1:
        listener(operation_name or "the operation", attempt, retries.get("max"))


def dim_retry_line(operation: str, attempt: int, most: int | None) -> str:
    """The line the terminal shows: dim (SGR 2), on stderr, so stdout stays the CLI's."""
    of = f" of {most}" if most else ""
    return f"\x1b[2mRetrying {operation} (attempt {attempt}{of})...\x1b[0m\n"
