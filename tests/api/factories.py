from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from console.runs.models import CommandRun, OutputChunk, RunSource, RunStatus


def make_run(user: Any, *, chunks: Sequence[tuple[int, str, str]] = (), **fields: Any) -> CommandRun:
    """A finished run with output chunks given as (seq, stream, data), in any order."""
    now = timezone.now()
    values: dict[str, Any] = {
        "source": RunSource.API,
        "command": "aws sts get-caller-identity",
        "status": RunStatus.SUCCEEDED,
        "exit_code": 0,
        "started_at": now,
        "finished_at": now,
    }
    run = CommandRun.objects.create(user=user, **{**values, **fields})
    for seq, stream, data in chunks:
        OutputChunk.objects.create(run=run, seq=seq, stream=stream, data=data)
    return run
