"""`--debug`: the request flow of one command, written to that command's stderr as the
AWS CLI writes it, with credentials, signatures and tokens scrubbed.

botocore logs through module loggers shared by every thread of a worker, so the handler
only takes records from the thread running this command (other users' commands may run
beside it), and the loggers are lowered to DEBUG only while at least one command asks."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from console.logredact import RedactSecretsFilter

LOGGERS = ("botocore", "urllib3", "credentials")
FORMAT = "%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s"

_lock = threading.Lock()
_active = 0
_saved_levels: dict[str, int] = {}


class _ThreadFilter(logging.Filter):
    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self.thread_id


class _SinkHandler(logging.Handler):
    def __init__(self, sink: Any) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.write("stderr", self.format(record) + "\n")
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
def debug_to(sink: Any, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    handler = _SinkHandler(sink)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_ThreadFilter(threading.get_ident()))
    handler.addFilter(RedactSecretsFilter())
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    _lower_levels()
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        _restore_levels()
