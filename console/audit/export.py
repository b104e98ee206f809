"""The audit log's export: the filtered runs as CSV (for people and spreadsheets) or JSON
lines (for a SIEM), one record a run, never a secret (the command line is the stored,
redacted one; the principal holds ids, not keys; output is named by size and digest).

Streamed, never built whole: the runs are read with `iterator()` in batches and each
batch is encoded as it arrives. The page and the API are served by an ASGI server, which
would read a synchronous iterator to the end before sending a byte (Django's
StreamingHttpResponse does so with a warning), so the stream is asynchronous and each
batch is read through `sync_to_async` on the request's one database thread.

A JSON line is `{"type": "run", ...}` and carries the run's audit events (id, action,
prev_hash, hash), so a SIEM can tie it to the hash chain, and the stream ends with the
signed checkpoints that vouch for those events (`checkpoint_records`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from itertools import islice
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet

from console.audit import checkpoints
from console.audit.models import AuditCheckpoint
from console.runs.models import AuditEvent, CommandRun

BATCH = 500
CSV_COLUMNS = (
    "id",
    "created_at",
    "started_at",
    "finished_at",
    "duration_seconds",
    "user",
    "source",
    "rerun_of",
    "team",
    "profile",
    "profile_chain",
    "principal_type",
    "principal_arn",
    "principal_account",
    "principal_role",
    "principal_access_key_id",
    "account",
    "region",
    "endpoint",
    "service",
    "operation",
    "status",
    "exit_code",
    "output_bytes",
    "output_sha256",
    "aws_calls",
    "command",
)
# A spreadsheet reads a cell starting so as a formula (CSV injection): such a cell gets a
# leading `'`. The JSON lines carry every value exactly as stored.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_queryset(runs: QuerySet[CommandRun]) -> QuerySet[CommandRun]:
    """What a record reads, in as few queries as `iterator()` allows (one per batch)."""
    events = AuditEvent.objects.order_by("id").only("id", "run_id", "action", "prev_hash", "hash")
    return runs.select_related("user", "team").prefetch_related(Prefetch("audit", queryset=events))


def record(run: CommandRun) -> dict[str, Any]:
    """One run as the export writes it (docs/audit.md, "Export")."""
    duration = run.duration
    return {
        "id": str(run.pk),
        "created_at": _time(run.created_at),
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "duration_seconds": duration.total_seconds() if duration is not None else None,
        "user": run.user.get_username(),
        "source": run.source,
        "rerun_of": str(run.rerun_of_id) if run.rerun_of_id else None,
        "team": run.team.slug if run.team is not None else None,
        "profile": run.profile,
        "profile_chain": list(run.profile_chain),
        "principal": dict(run.principal),
        "account": run.aws_account,
        "region": run.region,
        "endpoint": run.endpoint,
        "service": run.service,
        "operation": run.operation,
        "status": run.status,
        "exit_code": run.exit_code,
        "output_bytes": run.output_bytes,
        "output_sha256": run.output_sha256,
        "aws_calls": [_call(call) for call in run.aws_calls],
        "command": run.command,
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _call(call: dict[str, Any]) -> dict[str, Any]:
    keys = ("service", "operation", "status", "request_id", "attempts", "error")
    return {key: call.get(key) for key in keys}


def jsonl_line(run: CommandRun) -> str:
    events = [
        {"id": e.pk, "action": e.action, "prev_hash": e.prev_hash, "hash": e.hash} for e in run.audit.all()
    ]
    body = {"type": "run", **record(run), "audit_events": events}
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")) + "\n"


def csv_row(run: CommandRun) -> list[Any]:
    flat = record(run)
    principal = flat.pop("principal")
    for key in ("type", "arn", "account", "role", "access_key_id"):
        flat[f"principal_{key}"] = principal.get(key, "")
    flat["profile_chain"] = " <- ".join(flat["profile_chain"])
    flat["aws_calls"] = json.dumps(flat["aws_calls"], separators=(",", ":")) if flat["aws_calls"] else ""
    return [_cell(flat[column]) for column in CSV_COLUMNS]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_line(fields: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue()


def checkpoint_records(first_event: int | None, last_event: int | None) -> list[dict[str, Any]]:
    """The signed checkpoints that vouch for events `first_event`..`last_event` (the ids the
    exported runs carry; None when they carry none): those inside the range and the first
    one at or after its end, each as checkpoints.py states it (the same fields as in the
    trail export). An event is tied to them through the chain, which the full trail export
    (/audit/trail.jsonl, docs/audit.md) lets a SIEM walk offline."""
    if first_event is None or last_event is None:
        return []
    stored = AuditCheckpoint.objects.filter(event_id__gte=first_event).order_by("sequence")
    chosen: list[AuditCheckpoint] = []
    for checkpoint in stored.iterator():
        chosen.append(checkpoint)
        if checkpoint.event_id >= last_event:
            break
    return [asdict(checkpoints.as_claim(checkpoint)) for checkpoint in chosen]


def _batches(runs: QuerySet[CommandRun]) -> Iterator[list[CommandRun]]:
    rows = export_queryset(runs).iterator(chunk_size=BATCH)
    while batch := list(islice(rows, BATCH)):
        yield batch


async def _batches_async(runs: QuerySet[CommandRun]) -> AsyncIterator[list[CommandRun]]:
    batches = _batches(runs)
    # thread_sensitive (the default): every batch is read on the request's one DB thread,
    # where the iterator's cursor lives.
    next_batch = sync_to_async(lambda: next(batches, None))
    while (batch := await next_batch()) is not None:
        yield batch


async def stream_csv(runs: QuerySet[CommandRun]) -> AsyncIterator[str]:
    yield csv_line(CSV_COLUMNS)
    async for batch in _batches_async(runs):
        yield "".join(csv_line(csv_row(run)) for run in batch)


async def stream_jsonl(runs: QuerySet[CommandRun]) -> AsyncIterator[str]:
    first: int | None = None
    last: int | None = None
    async for batch in _batches_async(runs):
        ids = [event.pk for run in batch for event in run.audit.all()]
        if ids:
            first = min(ids) if first is None else min(first, *ids)
            last = max(ids) if last is None else max(last, *ids)
        yield "".join(jsonl_line(run) for run in batch)
    for checkpoint in await sync_to_async(checkpoint_records)(first, last):
        yield json.dumps({"type": "checkpoint", **checkpoint}, cls=DjangoJSONEncoder) + "\n"
