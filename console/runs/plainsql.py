"""The column lists of the plain INSERTs on a command's path (its run row, its audit events,
its output chunks), built once per process from the models' own fields, so the statements
skip the ORM's compile step and stay the same on PostgreSQL and SQLite. Callers prepare
the values with each field's `get_db_prep_save`, in the order of the fields returned."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection


@functools.cache
def insert_columns(model: Any, names: tuple[str, ...] | None = None) -> tuple[tuple[Any, ...], str, str]:
    """The model's fields (every concrete one, or those `names`d, in that order), their
    quoted column list and one row's placeholders."""
    meta = model._meta
    fields = tuple(meta.concrete_fields) if names is None else tuple(meta.get_field(n) for n in names)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return fields, columns, ", ".join(["%s"] * len(fields))
