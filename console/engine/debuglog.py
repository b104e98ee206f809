"""`--debug`: the request flow of one command, written to that command's stderr as the
AWS CLI writes it, with credentials, signatures and tokens scrubbed.

What it shows is the command's own requests, never the credential broker's. The broker
resolves the command's credentials on the same thread, just before the command's first
request, and its calls (STS AssumeRole, IAM Identity Center GetRoleCredentials, a token
refresh) are signed with keys the user may not hold and answer with the role session
itself. The client factory, where the broker resolves the credentials, runs inside
`DebugLog.hidden()` (console/commands/aws.py), so those records never
reach the command; the scrubber (console/logredact.py) masks every credential-bearing
header and body field of what is left, and the lines are shown with control characters
made visible, as any other AWS data (console/output/controls.py).

botocore logs through module loggers shared by every thread of a worker, so the handler
only takes records from the thread running this command (other users' commands may run
beside it), and the loggers are lowered to DEBUG only while at least one command asks."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

from console.logredact import RedactSecretsFilter
from console.output.controls import show_controls

LOGGERS = ("botocore", "urllib3", "credentials")
FORMAT = "%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s"

_lock = threading.Lock()
_active = 0
_saved_levels: dict[str, int] = {}

T = TypeVar("T")
R = TypeVar("R")


class DebugLog:
    """One command's `--debug` handler. Records pass when they come from the command's
    thread and no `hidden()` block is open; `hidden()` nests."""

    def __init__(self, sink: Any, thread_id: int) -> None:
        self.handler = _SinkHandler(sink)
        self.handler.setFormatter(logging.Formatter(FORMAT))
        self.handler.addFilter(self._admits)
        self.handler.addFilter(RedactSecretsFilter())
        self._thread_id = thread_id
        self._hidden = 0

    def _admits(self, record: logging.LogRecord) -> bool:
        return record.thread == self._thread_id and self._hidden == 0

    @contextlib.contextmanager
    def hidden(self) -> Iterator[None]:
        """Calls made in here (the broker's) are not the command's: nothing of them is shown."""
        self._hidden += 1
        try:
            yield
        finally:
            self._hidden -= 1


class _SinkHandler(logging.Handler):
    def __init__(self, sink: Any) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.write("stderr", show_controls(self.format(record)) + "\n")
        except Exception:  # a debug line must never break the command
            self.handleError(record)


def _lower_levels() -> None:
    global _active
    with _lock:
        if _active == 0:
            for name in LOGGERS:
                logger = logging.getLogger(name)
                _saved_levels[name] = logger.level
                logger.setLevel(logging.DEBUG)
        _active += 1


def _restore_levels() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            for name, level in _saved_levels.items():
                logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def debug_to(sink: Any, enabled: bool) -> Iterator[DebugLog | None]:
    """Shows this thread's botocore records on `sink`'s stderr while the block runs, when
    `enabled`; yields the DebugLog (None when not enabled) for the engine's `hidden()`."""
    if not enabled:
        yield None
        return
    debug = DebugLog(sink, threading.get_ident())
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(debug.handler)
    _lower_levels()
    try:
        yield debug
    finally:
        for logger in loggers:
            logger.removeHandler(debug.handler)
        _restore_levels()
