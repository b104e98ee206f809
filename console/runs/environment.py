"""The terminal's environment: what `export`, `unset` and `env` change and show.

A shell's environment belongs to the shell; here a terminal is a browser tab and its
commands run on any worker, so the variables live on the server per (user, terminal) and
are read by the broker for every command from that terminal. The whole mapping is sealed
(it may hold AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN); only names are in the clear. API
runs have no terminal and so an empty environment. Nothing here touches the server's own
process environment."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import transaction

from console.runs.models import TerminalEnvironment
from credentials import crypto

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Shown masked by `env` as `aws configure list` masks keys: never sent back in full.
SECRET_NAMES = frozenset({"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"})
MAX_VARIABLES = 100
MAX_VALUE_LENGTH = 8192


class EnvironmentError_(ValueError):
    """A bad `export`: the message is what the shell would say."""


def load(user: Any, terminal_id: str) -> dict[str, str]:
    if not terminal_id:
        return {}
    row = TerminalEnvironment.objects.filter(user=user, terminal_id=terminal_id).first()
    return _open(row) if row is not None else {}


def _open(row: TerminalEnvironment) -> dict[str, str]:
    if not row.sealed_values:
        return {}
    return dict(json.loads(crypto.open_sealed(row.sealed_values, row.secret_context())))


def _save(user: Any, terminal_id: str, change: Any) -> dict[str, str]:
    with transaction.atomic():
        row, _ = TerminalEnvironment.objects.select_for_update().get_or_create(
            user=user, terminal_id=terminal_id
        )
        values = change(_open(row))
        row.names = sorted(values)
        row.sealed_values = crypto.seal(json.dumps(values), row.secret_context()) if values else ""
        row.save()
    return values


def export(user: Any, terminal_id: str, assignments: dict[str, str]) -> dict[str, str]:
    for name, value in assignments.items():
        if not NAME.match(name):
            raise EnvironmentError_(f"export: `{name}': not a valid identifier")
        if len(value) > MAX_VALUE_LENGTH:
            raise EnvironmentError_(f"export: {name}: value too long (at most {MAX_VALUE_LENGTH} characters)")

    def apply(values: dict[str, str]) -> dict[str, str]:
        merged = {**values, **assignments}
        if len(merged) > MAX_VARIABLES:
            raise EnvironmentError_(f"export: too many variables (at most {MAX_VARIABLES})")
        return merged

    return _save(user, terminal_id, apply)


def unset(user: Any, terminal_id: str, names: list[str]) -> dict[str, str]:
    return _save(user, terminal_id, lambda values: {k: v for k, v in values.items() if k not in names})


def shown(name: str, value: str) -> str:
    if name in SECRET_NAMES or name.endswith(("_SECRET", "_TOKEN", "_PASSWORD")):
        return ("*" * 16) + value[-4:] if value else ""
    return value


def forget_terminal(user: Any, terminal_id: str) -> None:
    TerminalEnvironment.objects.filter(user=user, terminal_id=terminal_id).delete()


def forget_user(user_id: int) -> None:
    TerminalEnvironment.objects.filter(user_id=user_id).delete()
