"""The terminal's environment: where `export`, `unset` and `env` keep their variables.

A shell's environment belongs to the shell; here a terminal is a browser tab and its
commands run on any worker, so the variables live on the server per (user, terminal) and
are read by the broker for every command from that terminal. The whole mapping is sealed
(it may hold AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN); only names are in the clear. API
runs have no terminal and so an empty environment. Nothing here touches the server's own
process environment. What a command may export is console/commands/environment.py."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from console.commands.environment import check_assignments, check_count
from console.runs.models import TerminalEnvironment
from credentials.crypto import CryptoError
from credentials.profiles import is_production, profile_choice

log = logging.getLogger(__name__)


class RunEnvironment:
    """One terminal's environment, as `CommandContext.environment`."""

    def __init__(self, user: Any, terminal_id: str) -> None:
        self.user = user
        self.terminal_id = terminal_id

    def load(self) -> dict[str, str]:
        return load(self.user, self.terminal_id)

    def export(self, assignments: Mapping[str, str]) -> dict[str, str]:
        return export(self.user, self.terminal_id, dict(assignments))

    def unset(self, names: list[str]) -> dict[str, str]:
        return unset(self.user, self.terminal_id, names)


def load(user: Any, terminal_id: str) -> dict[str, str]:
    """Read by every command from a terminal: one plain query (no ORM compile step); a
    (user, terminal) has at most one row."""
    if not terminal_id:
        return {}
    table = TerminalEnvironment._meta.db_table
    rows = TerminalEnvironment.objects.raw(
        f"SELECT * FROM {table} WHERE user_id = %s AND terminal_id = %s", [user.pk, terminal_id]
    )
    row = next(iter(rows), None)
    return row.open_values() if row is not None else {}


def _save(user: Any, terminal_id: str, change: Callable[[dict[str, str]], dict[str, str]]) -> dict[str, str]:
    with transaction.atomic():
        row, _ = TerminalEnvironment.objects.select_for_update().get_or_create(
            user=user, terminal_id=terminal_id
        )
        values = change(row.open_values())
        row.names = sorted(values)
        row.seal_values(values)
        row.save()
    return values


def export(user: Any, terminal_id: str, assignments: dict[str, str]) -> dict[str, str]:
    check_assignments(assignments)

    def apply(values: dict[str, str]) -> dict[str, str]:
        merged = {**values, **assignments}
        check_count(merged)
        return merged

    return _save(user, terminal_id, apply)


def unset(user: Any, terminal_id: str, names: list[str]) -> dict[str, str]:
    return _save(user, terminal_id, lambda values: {k: v for k, v in values.items() if k not in names})


def prompt_context(user: Any, terminal_id: str) -> dict[str, Any]:
    """What the terminal's prompt and header show: the profile its commands use when they
    name none (`AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`), whether the
    terminal chose it, and whether that profile is tagged production (docs/guardrails.md).
    A name the user may not use is shown as typed and is not production."""
    try:
        values = load(user, terminal_id)
    except CryptoError:  # sealed under keys since rotated away: the commands say so
        log.warning("terminal environment of user %s could not be opened", user.pk)
        values = {}
    name, source = profile_choice(None, values)
    return {"profile": name, "chosen": source is not None, "production": is_production(user, name)}


def forget_user(user_id: int) -> None:
    TerminalEnvironment.objects.filter(user_id=user_id).delete()
