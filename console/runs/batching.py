"""Statements a command's path sends together, in one round trip to the database.

Every command writes its run row and audit event, and its worker ends it, on a busy
machine where each round trip waits for the process to be scheduled again (bench/README.md:
under load the web process spent most of its time waiting on psycopg's socket). Statements
that do not need each other's answers are sent in psycopg's pipeline mode: the server
still runs them one after the other, each (in READ COMMITTED) with a snapshot taken when
it starts, so a statement after a lock sees what the transaction it waited for committed,
exactly as when they are sent one at a time. Only the answers come back together, when
the block ends; read them (`fetchone`, `rowcount`) after it, or, from code that does not
own the block, in a check given to `when_answered`.

Elsewhere (SQLite, the embedded default) the block is a plain block: the same statements,
one at a time. An error in a batch is raised, as Django's own error type, when the block
ends; call it inside the transaction the statements belong to, which it then aborts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from django.db import connection

# The checks of the block open on this thread (its connection's): one block at a time.
_open = threading.local()


@contextlib.contextmanager
def one_round_trip() -> Iterator[None]:
    if connection.vendor != "postgresql" or getattr(_open, "checks", None) is not None:
        yield  # SQLite, or inside a block already: its round trip carries these too
        return
    connection.ensure_connection()
    checks: list[Callable[[], None]] = []
    _open.checks = checks
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            yield
    finally:
        _open.checks = None
    for check in checks:
        check()


def when_answered(check: Callable[[], None]) -> None:
    """Run `check` once the answers of the statements sent so far are in: when the open
    block ends (still inside its transaction), or at once when no block is open."""
    checks = getattr(_open, "checks", None)
    if checks is None:
        check()
    else:
        checks.append(check)
