"""The audit chain's canonical forms and its verification: one walker for the database
(console/runs/audit.py) and for an exported trail (console/audit/trail.py), so the console
and an offline check agree byte for byte. docs/audit.md states the same forms for a SIEM.

An event's hash is SHA-256 over the canonical JSON of every stored field but `id` and the
hash itself: `seq`, `created_at`, `action`, `actor_id`, `actor_name`, `run_id`, `data` and
`prev_hash`. `seq` is the event's place in the chain (1, 2, 3… without gaps), given under
the head's lock by `record()`. The database's id is not hashed: it is known only after the
insert (hashing it would cost another statement on every command's path, or a row that
exists unhashed for a moment), and PostgreSQL's sequences skip numbers on rollback, so a
gap in ids proves nothing. The id is still checked: ids must rise with `seq`, so rows
renumbered to reorder the log people read (by id) are caught as reordered.

The head row keeps the newest `seq` and hash, and signed checkpoints (console/audit) vouch
for points of the chain; the walk checks both, so deleting the newest events is caught
too, not only edits in the middle."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 with only `"`, `\\` and control characters escaped: the
    same bytes as RFC 8785 (JCS) for the strings, integers, booleans and nulls events hold."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_time(moment: datetime) -> str:
    """UTC with microseconds, always six digits: `2026-12-02T04:52:53.000000Z`. Both
    PostgreSQL and SQLite keep microseconds, so a stored row reads back to the same text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainEvent:
    """One event as the chain sees it: every stored field, in canonical form."""

    id: int
    seq: int
    created_at: str
    action: str
    actor_id: int | None
    actor_name: str
    run_id: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "created_at": self.created_at,
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "run_id": self.run_id,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.hashed_fields())).hexdigest()


def digest(fields: dict[str, Any]) -> str:
    """The hash of an event from its hashed fields (ChainEvent.hashed_fields' keys)."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def digest_around_link(fields: dict[str, Any]) -> tuple[str, str]:
    """An event's canonical JSON without its two links to the chain, `prev_hash` and `seq`,
    which only the head's lock can give: the text before `prev_hash`'s value and the text
    between it and `seq`'s. For every 64-hex `prev` and integer `seq`,
    `sha256(before + prev + between + str(seq) + "}")` is `digest(fields)` with them in:
    the database finishes the hash under its own lock (console/runs/audit.py), so the lock
    is held for one statement, not for a round trip to Python and back.

    This works because `prev_hash`, `run_id` and `seq` sort last of the hashed keys, and a
    hex string and an integer are written as they are."""
    rest = {k: v for k, v in fields.items() if k not in _LAST_KEYS}
    if (
        set(rest) | _LAST_KEYS != set(ChainEvent.__dataclass_fields__) - {"id", "hash"}
        or max(rest) >= "prev_hash"
    ):
        raise ValueError(f"not an event's hashed fields: {sorted(fields)}")
    head = canonical_json(rest).decode()[:-1]
    run_id = canonical_json(fields["run_id"]).decode()
    return f'{head},"prev_hash":"', f'","run_id":{run_id},"seq":'


_LAST_KEYS = {"prev_hash", "run_id", "seq"}


@dataclass(frozen=True)
class Head:
    """The newest event's place and hash, as the head row (or an export's last line) says."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Anchor:
    """A point of the chain that a checkpoint, already found validly signed, vouches for."""

    checkpoint: int
    seq: int
    event_id: int
    event_hash: str
    event_count: int


class Problem(enum.StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    REWRITTEN = "rewritten"
    TRUNCATED = "truncated"
    HEAD = "head"
    CHECKPOINT = "checkpoint"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class ChainResult:
    """What a verification found: counts, and the first bad event with why (empty if ok)."""

    events: int
    checkpoints: int
    problem: Problem | None = None
    event_id: int | None = None
    event_seq: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return (
                f"the audit trail is intact: {self.events} events and {self.checkpoints} checkpoints verified"
            )
        if self.event_id is not None:
            where = f" at event {self.event_id} (seq {self.event_seq})"
        else:
            where = f" at seq {self.event_seq}" if self.event_seq is not None else ""
        return f"the audit trail is broken{where}: {self.problem}: {self.message}"


@dataclass
class _Walk:
    anchors: dict[int, list[Anchor]]
    start: Head
    count: int = 0
    prev: ChainEvent | None = None


def walk(
    events: Iterable[ChainEvent], head: Head, anchors: Sequence[Anchor] = (), start: Head | None = None
) -> ChainResult:
    """Check events in stored order (by id): each matches its hash, takes the next place,
    follows the one before, and agrees with every checkpoint; then the newest agrees with
    the head and no checkpoint vouches for an event that is gone. `start` walks only the
    events after a point already trusted (its place and hash) instead of from the first."""
    state = _Walk(anchors={}, start=start or Head(0, GENESIS))
    for anchor in anchors:
        state.anchors.setdefault(anchor.seq, []).append(anchor)
    stream = iter(events)
    for event in stream:
        found = _check_event(state, event, stream)
        if found is not None:
            return replace(found, events=state.count, checkpoints=len(anchors))
        state.count += 1
        state.prev = event
    end = _check_end(state, head) or ChainResult(0, 0)
    return replace(end, events=state.count, checkpoints=len(anchors))


def _bad(problem: Problem, event: ChainEvent | None, message: str) -> ChainResult:
    if event is None:
        return ChainResult(0, 0, problem, None, None, message)
    return ChainResult(0, 0, problem, event.id, event.seq, message)


def _check_event(state: _Walk, event: ChainEvent, rest: Iterator[ChainEvent]) -> ChainResult | None:
    prev = state.prev
    if event.computed_hash() != event.hash:
        return _bad(Problem.EDITED, event, "its stored fields do not match its hash: the event was edited")
    if prev is not None and event.id <= prev.id:
        return _bad(Problem.REORDERED, event, f"its id is not above that of the event before it ({prev.id})")
    expected = prev.seq + 1 if prev else state.start.seq + 1
    if event.seq != expected:
        return _misplaced(event, expected, rest)
    if event.prev_hash != (prev.hash if prev else state.start.hash):
        # Both verify on their own, so the earlier one was rewritten and re-hashed.
        if prev is None:
            return _bad(Problem.REWRITTEN, event, "it is not chained to the event before it: it was forged")
        return _bad(
            Problem.REWRITTEN,
            prev,
            f"the next event (id {event.id}) was chained to another hash: this event was rewritten "
            "(or the next one forged)",
        )
    return _check_anchors(state, event)


def _misplaced(event: ChainEvent, expected: int, rest: Iterator[ChainEvent]) -> ChainResult:
    if event.seq < expected:
        return _bad(
            Problem.REORDERED, event, f"it holds seq {event.seq} but comes where seq {expected} belongs"
        )
    later = any(expected <= other.seq < event.seq for other in rest)
    if later:
        return _bad(Problem.REORDERED, event, f"it comes before the event holding seq {expected}")
    missing = f"seq {expected}" if event.seq == expected + 1 else f"seq {expected} to {event.seq - 1}"
    return _bad(Problem.DELETED, event, f"the events at {missing} before it are missing: deleted")


def _check_anchors(state: _Walk, event: ChainEvent) -> ChainResult | None:
    for anchor in state.anchors.get(event.seq, ()):
        if (anchor.event_id, anchor.event_hash, anchor.event_count) != (event.id, event.hash, event.seq):
            return _bad(
                Problem.REWRITTEN,
                event,
                f"checkpoint {anchor.checkpoint} signed event {anchor.event_id} with hash "
                f"{anchor.event_hash[:16]}… at this seq: the events up to here were rewritten",
            )
    return None


def _check_end(state: _Walk, head: Head) -> ChainResult | None:
    newest = state.prev
    newest_seq, newest_hash = (newest.seq, newest.hash) if newest else (state.start.seq, state.start.hash)
    gone = [a for seq, found in state.anchors.items() if seq > newest_seq for a in found]
    if gone:
        anchor = min(gone, key=lambda a: a.seq)
        return ChainResult(
            0,
            0,
            Problem.TRUNCATED,
            anchor.event_id,
            anchor.seq,
            f"checkpoint {anchor.checkpoint} signed this event, which is gone; the newest stored "
            f"event is at seq {newest_seq}: the newest events were deleted",
        )
    if head.seq > newest_seq:
        return ChainResult(
            0,
            0,
            Problem.TRUNCATED,
            None,
            head.seq,
            f"the head names seq {head.seq}, but the newest stored event is at seq "
            f"{newest_seq}: the newest events were deleted",
        )
    if (head.seq, head.hash) != (newest_seq, newest_hash):
        return _bad(
            Problem.HEAD,
            newest,
            f"the head names seq {head.seq} with hash {head.hash[:16]}…, not this newest event: "
            "the head was moved",
        )
    return None
