"""The user's runs as the server keeps them, for the `history` builtin: newest first,
the lines as they were stored (redacted), with the short ids `rerun` takes."""

from __future__ import annotations

from typing import Any

from console.commands.context import PastRun
from console.runs.models import CommandRun


class RunHistoryOf:
    def __init__(self, user: Any) -> None:
        self.user = user

    def recent(self, limit: int) -> list[PastRun]:
        rows = (
            CommandRun.objects.filter(user=self.user)
            .order_by("-created_at")
            .values_list("id", "created_at", "status", "exit_code", "command")[:limit]
        )
        return [
            PastRun(pk.hex[:8], created, status, code, command) for pk, created, status, code, command in rows
        ]
