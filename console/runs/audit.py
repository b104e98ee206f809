"""The audit log is a hash chain: each event's hash covers the previous hash and every
stored field of the event (console/runs/chain.py has the canonical forms), so an edited,
deleted or reordered row is detectable by `verify_chain`. Appends lock a single head row,
which orders concurrent writers and gives each event its place (`seq`); the cost is one
row lock per event, small next to an AWS call. Event names follow `source:subject:action`."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from console.runs import batching, chain, plainsql
from console.runs.models import AuditChainHead, AuditEvent, CommandRun

GENESIS = chain.GENESIS


class AuditAction(enum.StrEnum):
    RUN_SUBMITTED = "console:run:submitted"
    RUN_REJECTED = "console:run:rejected"
    RUN_FINISHED = "console:run:finished"
    RUN_CANCEL_REQUESTED = "console:run:cancel_requested"
    ACCESS_DENIED = "console:access:denied"
    # A profile's guardrail policy (console/commands/guardrail.py): the level and the
    # profile, never the command's parameters.
    GUARDRAIL_DENIED = "console:guardrail:denied"
    GUARDRAIL_CONFIRMED = "console:guardrail:confirmed"
    GUARDRAIL_UNCONFIRMED = "console:guardrail:unconfirmed"
    # An active elevation let the command through where the policy or a read-only grant
    # would have asked for approval or refused it.
    GUARDRAIL_ELEVATED = "console:guardrail:elevated"
    # A second person's approval (console/runs/approvals.py): the request, the profile,
    # the levels and the decider's reason.
    APPROVAL_REQUESTED = "console:approval:requested"
    APPROVAL_APPROVED = "console:approval:approved"
    APPROVAL_DENIED = "console:approval:denied"
    APPROVAL_EXPIRED = "console:approval:expired"
    APPROVAL_WITHDRAWN = "console:approval:withdrawn"
    # Just-in-time elevation (console/teams/elevations.py): Write on one team profile for
    # a stated time; the profile, the minutes, the reasons, never a secret.
    ELEVATION_REQUESTED = "console:elevation:requested"
    ELEVATION_APPROVED = "console:elevation:approved"
    ELEVATION_DENIED = "console:elevation:denied"
    ELEVATION_EXPIRED = "console:elevation:expired"
    ELEVATION_ENDED = "console:elevation:ended"
    # Sign-in (console/accounts): who, from where, how; never a password or a code.
    SIGNIN_PASSWORD_ACCEPTED = "console:signin:password_accepted"  # noqa: S105 - an event name
    SIGNIN_SUCCEEDED = "console:signin:succeeded"
    SIGNIN_FAILED = "console:signin:failed"
    SIGNIN_LOCKED_OUT = "console:signin:locked_out"
    SIGNIN_ENDED = "console:signin:ended"
    SIGNOUT_SUCCEEDED = "console:signout:succeeded"
    TOTP_ENROLLED = "console:totp:enrolled"
    TOTP_REMOVED = "console:totp:removed"
    RECOVERY_CODE_USED = "console:recovery_code:used"
    RECOVERY_CODES_REPLACED = "console:recovery_codes:replaced"
    TEAM_CREATED = "team:team:created"
    TEAM_RENAMED = "team:team:renamed"
    TEAM_DELETED = "team:team:deleted"
    MEMBER_ADDED = "team:member:added"
    MEMBER_ROLE_CHANGED = "team:member:role_changed"
    MEMBER_REMOVED = "team:member:removed"
    PROFILE_CREATED = "team:profile:created"
    PROFILE_UPDATED = "team:profile:updated"
    PROFILE_DELETED = "team:profile:deleted"
    POLICY_CHANGED = "team:policy:changed"
    GRANT_CREATED = "team:grant:created"
    GRANT_REVOKED = "team:grant:revoked"
    GRANT_EXPIRED = "team:grant:expired"
    API_TOKEN_CREATED = "console:api_token:created"  # noqa: S105 - an event name
    API_TOKEN_REVOKED = "console:api_token:revoked"  # noqa: S105 - an event name


def record(
    action: AuditAction,
    *,
    actor: Any = None,
    run: CommandRun | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event. Call inside the transaction that does the audited change, if any.

    Every command writes two events on its way from keypress to output, and every writer
    waits for the one head row, so this is the hot path's most contended write. On
    PostgreSQL it is one statement that locks the head, finishes the event's hash from the
    head's hash and place (chain.digest_around_link), moves the head and inserts the event:
    the lock is held from that statement to the commit, never across a round trip to a
    busy Python process (bench/README.md, "the audit chain's lock"). On SQLite, whose
    writers take turns anyway, it is three plain statements with the hash taken here.
    Values go through the model fields' own preparation on both."""
    # The run id is kept in `data` (not only the FK) so the chain survives a deleted run.
    data = {**(data or {}), **({"run": str(run.pk)} if run else {})}
    actor_name = getattr(actor, "username", "") or "system"
    values = {
        "created_at": timezone.now(),
        "action": action.value,
        "actor": getattr(actor, "pk", None),
        "actor_name": actor_name,
        "run": run.pk if run else None,
        "data": data,
    }
    if connection.vendor == "postgresql":
        # One statement is atomic: outside a caller's transaction it is a transaction of
        # its own, without a BEGIN and a COMMIT round trip (the outcome's copy, lifecycle).
        _append_in_one_statement(values)
        return
    # No savepoint: callers already hold a transaction, and a failure must abort it whole.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        prev, last_seq = _locked_head(cursor)
        values.update(seq=last_seq + 1, prev_hash=prev)
        values["hash"] = chain.digest(_hashed(values))
        with batching.one_round_trip():
            cursor.execute(*_insert_sql(values))
            cursor.execute(
                f"UPDATE {_HEAD_TABLE} SET last_hash = %s, last_seq = %s WHERE id = 1",
                [values["hash"], values["seq"]],
            )


_EVENT_TABLE = AuditEvent._meta.db_table
_HEAD_TABLE = AuditChainHead._meta.db_table


def _hashed(values: dict[str, Any]) -> dict[str, Any]:
    """The event's hashed fields; without `seq` and `prev_hash` until the head gives them."""
    run = values["run"]
    links: dict[str, Any] = {name: values[name] for name in ("seq", "prev_hash") if name in values}
    return {
        "created_at": chain.canonical_time(values["created_at"]),
        "action": values["action"],
        "actor_id": values["actor"],
        "actor_name": values["actor_name"],
        "run_id": str(run) if run is not None else None,
        "data": values["data"],
        **links,
    }


def _append_in_one_statement(values: dict[str, Any]) -> None:
    """Inside a caller's batch (console/runs/batching.py) the statement travels with the
    caller's own, and whether it appended is checked when their answers are in."""
    before, between = chain.digest_around_link(_hashed(values))
    fields, _, _ = plainsql.insert_columns(AuditEvent, tuple(values))
    params = [before, between, *(f.get_db_prep_save(values[f.name], connection) for f in fields)]
    sql = _append_sql(tuple(values))
    cursor = connection.cursor()
    cursor.execute(sql, params)

    def appended() -> None:
        try:
            if cursor.rowcount == 0:  # only ever before the first event: no head row yet
                AuditChainHead.objects.get_or_create(pk=1)
                with connection.cursor() as again:
                    again.execute(sql, params)
        finally:
            cursor.close()

    batching.when_answered(appended)


@functools.cache
def _append_sql(names: tuple[str, ...]) -> str:
    _, columns, marks = plainsql.insert_columns(AuditEvent, names)
    return _APPEND_SQL.format(columns=columns, marks=marks)


# The head's row is locked by `old` (FOR UPDATE waits for a writer ahead and then reads
# the row it committed); `link` takes the hash as chain.digest would, in SQL; the UPDATE
# moves the head and hands the links to the INSERT. `{columns}` and `{marks}` are the
# event's own (plainsql), the chain's three columns come last.
_APPEND_SQL = f"""
WITH old AS (
    SELECT last_hash, last_seq + 1 AS seq FROM {_HEAD_TABLE} WHERE id = 1 FOR UPDATE
), link AS (
    SELECT old.last_hash AS prev_hash, old.seq, encode(sha256(convert_to(
        %s::text || old.last_hash || %s::text || old.seq::text || '}}}}', 'UTF8')), 'hex') AS hash
    FROM old
), moved AS (
    UPDATE {_HEAD_TABLE} AS head SET last_hash = link.hash, last_seq = link.seq
    FROM link WHERE head.id = 1 RETURNING link.prev_hash, link.seq, link.hash
)
INSERT INTO {_EVENT_TABLE} ({{columns}}, prev_hash, seq, hash)
SELECT {{marks}}, moved.prev_hash, moved.seq, moved.hash FROM moved
"""


def _insert_sql(values: dict[str, Any]) -> tuple[str, list[Any]]:
    fields, columns, marks = plainsql.insert_columns(AuditEvent, tuple(values))
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    return f"INSERT INTO {_EVENT_TABLE} ({columns}) VALUES ({marks})", params


def _locked_head(cursor: Any) -> tuple[str, int]:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    cursor.execute(f"SELECT last_hash, last_seq FROM {_HEAD_TABLE} WHERE id = 1{lock}")
    row = cursor.fetchone()
    if row is None:  # only ever before the first event
        AuditChainHead.objects.get_or_create(pk=1)
        cursor.execute(f"SELECT last_hash, last_seq FROM {_HEAD_TABLE} WHERE id = 1{lock}")
        row = cursor.fetchone()
    return str(row[0]), int(row[1])


def verify_chain(anchors: Sequence[chain.Anchor] = ()) -> chain.ChainResult:
    """Walk the stored chain against its head and the `anchors` (points that signed
    checkpoints vouch for; console/audit/checkpoints.py checks their signatures first).
    Reads in one snapshot, so events appended meanwhile are neither half seen nor missed."""
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:  # must be the transaction's first statement; SQLite's are snapshots already
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = AuditChainHead.objects.filter(pk=1).first()
        stored = chain.Head(head.last_seq, head.last_hash) if head else chain.Head(0, chain.GENESIS)
        return chain.walk(chain_events(AuditEvent.objects.order_by("id")), stored, anchors)


def chain_events(events: QuerySet[AuditEvent]) -> Iterator[chain.ChainEvent]:
    """Stored events as the chain hashes them (the export writes the same fields)."""
    for event in events.iterator(chunk_size=2000):
        yield as_chain_event(event)


def as_chain_event(event: AuditEvent) -> chain.ChainEvent:
    return chain.ChainEvent(
        id=event.pk,
        seq=event.seq,
        created_at=chain.canonical_time(event.created_at),
        action=event.action,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        run_id=str(event.run_id) if event.run_id is not None else None,
        data=event.data,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )
