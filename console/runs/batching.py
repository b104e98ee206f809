"""Statements a command's path sends together, in one round trip to the database.

Every command writes its run row and audit event, and its worker ends it, on a busy
machine where each round trip waits for the process to be scheduled again (bench/README.md:
under load the web process spent most of its time waiting on psycopg's socket). Statements
that do not need each other's answers are sent in psycopg's pipeline mode: the server
still runs them one after the other, each (in READ COMMITTED) with a snapshot taken when
it starts, so a statement after a lock sees what the transaction it waited for committed,
exactly as when they are sent one at a time. Only the answers come back together, when
the block ends; read them (`fetchone`, `rowcount`) after it.

Elsewhere (SQLite, the embedded default) the block is a plain block: the same statements,
one at a time. An error in a batch is raised, as Django's own error type, when the block
ends; call it inside the transaction the statements belong to, which it then aborts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def one_round_trip() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
