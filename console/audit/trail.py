"""The audit trail as JSON lines, for a SIEM or an auditor to verify offline, needing only
the file (docs/audit.md, "Verifying an export"): a `trail` line, the `public_key` lines,
every `event` (all stored fields, `prev_hash` and `hash`) with each `checkpoint` right after
the event it covers, and a last `head` line naming the newest event, so a file cut short
is detected. The export is read up to the head as it was when the export began; events
added meanwhile belong to the next one (`_outline_now`).

`verify_export` reads the file twice (keys, checkpoints and head first, then the events),
so a file of millions of events is checked in little memory, with the same walker the
console uses on its database (console/runs/chain.py). The keys in the file only prove the
file is self-consistent; pinning the console's public key (`--public-key`) proves it was
signed by the console."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from console.audit import checkpoints
from console.runs import audit, chain
from console.runs.models import AuditChainHead, AuditEvent
from credentials import crypto

FORMAT = "console-audit-trail/1"


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def export_trail() -> Iterator[str]:
    """The trail, one JSON line at a time (each ends with a newline)."""
    claims, newest_id, head = _outline_now()
    yield _line({"type": "trail", "format": FORMAT, "exported_at": chain.canonical_time(timezone.now())})
    for key_id, public_key in sorted(_keys_of(claims).items()):
        yield _line({"type": "public_key", "key_id": key_id, "public_key": public_key})
    by_seq: dict[int, list[checkpoints.Claim]] = {}
    for claim in claims:
        by_seq.setdefault(claim.event_seq, []).append(claim)
    events = AuditEvent.objects.filter(Q(id__lte=newest_id) | Q(seq__lte=head.seq)).order_by("id")
    for event in audit.chain_events(events):
        yield _line({"type": "event", **asdict(event)})
        for claim in by_seq.pop(event.seq, []):
            yield _line({"type": "checkpoint", **asdict(claim)})
    for left in by_seq.values():  # checkpoints of events that are gone: a verifier says so
        for claim in left:
            yield _line({"type": "checkpoint", **asdict(claim)})
    yield _line({"type": "head", "seq": head.seq, "hash": head.hash})


def _outline_now() -> tuple[list[checkpoints.Claim], int, chain.Head]:
    """What the export covers, read without one long transaction (it streams): every
    checkpoint, then the newest event id, then the head, in that order. Each read covers
    what the one before it saw, so nothing legitimately added meanwhile looks like
    tampering, while events an attacker left beyond a head moved back (ids already taken
    when the export began) and the checkpoints past it are exported for a verifier to see."""
    claims = checkpoints.stored_claims()
    newest_id = AuditEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    stored = AuditChainHead.objects.filter(pk=1).first()
    head = chain.Head(stored.last_seq, stored.last_hash) if stored else chain.Head(0, chain.GENESIS)
    return claims, newest_id, head


def _keys_of(claims: list[checkpoints.Claim]) -> dict[str, str]:
    keys = {claim.key_id: claim.public_key for claim in claims}
    keys.update(crypto.checkpoint_public_keys())
    return keys


class ExportError(ValueError):
    """A line of the export is not what the format says; the message names the line."""


@dataclass
class _Outline:
    keys: dict[str, str] = field(default_factory=dict)
    claims: list[checkpoints.Claim] = field(default_factory=list)
    head: chain.Head | None = None


def verify_export(path: Path, pinned: Iterable[str] = ()) -> chain.ChainResult:
    """Verify an exported trail from the file alone. `pinned` public keys (base64, or
    `id:base64`), when given, are the only ones whose signatures count."""
    try:
        outline = _outline(path)
        if outline.head is None:
            return _malformed("the export has no head line: it was cut short")
        pins = list(pinned)
        if pins and not outline.claims:
            return _malformed("the export holds no checkpoint, so nothing in it is signed by the pinned key")
        trusted = _trusted(outline.keys, pins)
        bad = checkpoints.check_claims(outline.claims, trusted)
        if bad is not None:
            return bad
        anchors = [claim.anchor() for claim in outline.claims]
        return chain.walk(_events(path), outline.head, anchors)
    except ExportError as exc:
        return _malformed(str(exc))


def _malformed(message: str) -> chain.ChainResult:
    return chain.ChainResult(0, 0, chain.Problem.MALFORMED, None, None, message)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ExportError(f"line {number} is not JSON") from None
            if not isinstance(value, dict) or not isinstance(value.get("type"), str):
                raise ExportError(f"line {number} is not an object with a type")
            yield number, value


def _outline(path: Path) -> _Outline:
    outline = _Outline()
    for number, value in _records(path):
        if outline.head is not None:
            raise ExportError(f"line {number} comes after the head line")
        kind = value["type"]
        if kind == "public_key":
            outline.keys[_text(value, "key_id", number)] = _text(value, "public_key", number)
        elif kind == "checkpoint":
            outline.claims.append(_claim(value, number))
        elif kind == "head":
            outline.head = chain.Head(_number(value, "seq", number), _text(value, "hash", number))
        elif kind not in {"trail", "event"}:
            raise ExportError(f"line {number} has an unknown type {kind!r}")
    return outline


def _events(path: Path) -> Iterator[chain.ChainEvent]:
    for number, value in _records(path):
        if value["type"] == "event":
            yield _event(value, number)


def _trusted(keys: dict[str, str], pinned: list[str]) -> dict[str, str]:
    if not pinned:
        return keys
    wanted = {p.partition(":")[2] if ":" in p else p for p in pinned}
    return {key_id: key for key_id, key in keys.items() if key in wanted}


def _event(value: dict[str, Any], number: int) -> chain.ChainEvent:
    data = value.get("data")
    if not isinstance(data, dict):
        raise ExportError(f"line {number}: data must be an object")
    return chain.ChainEvent(
        id=_number(value, "id", number),
        seq=_number(value, "seq", number),
        created_at=_text(value, "created_at", number),
        action=_text(value, "action", number),
        actor_id=_optional_number(value, "actor_id", number),
        actor_name=_text(value, "actor_name", number),
        run_id=_optional_text(value, "run_id", number),
        data=data,
        prev_hash=_text(value, "prev_hash", number),
        hash=_text(value, "hash", number),
    )


def _claim(value: dict[str, Any], number: int) -> checkpoints.Claim:
    return checkpoints.Claim(
        sequence=_number(value, "sequence", number),
        event_seq=_number(value, "event_seq", number),
        event_id=_number(value, "event_id", number),
        event_hash=_text(value, "event_hash", number),
        event_count=_number(value, "event_count", number),
        created_at=_text(value, "created_at", number),
        key_id=_text(value, "key_id", number),
        public_key=_text(value, "public_key", number),
        previous_signature=_text(value, "previous_signature", number),
        signature=_text(value, "signature", number),
    )


def _number(value: dict[str, Any], name: str, number: int) -> int:
    found = value.get(name)
    if not isinstance(found, int) or isinstance(found, bool):
        raise ExportError(f"line {number}: {name} must be a whole number")
    return found


def _optional_number(value: dict[str, Any], name: str, number: int) -> int | None:
    return None if value.get(name) is None else _number(value, name, number)


def _text(value: dict[str, Any], name: str, number: int) -> str:
    found = value.get(name)
    if not isinstance(found, str):
        raise ExportError(f"line {number}: {name} must be a string")
    return found


def _optional_text(value: dict[str, Any], name: str, number: int) -> str | None:
    return None if value.get(name) is None else _text(value, name, number)
