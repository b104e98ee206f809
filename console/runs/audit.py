"""The audit log is a hash chain: each event's hash covers the previous hash and the
event's own canonical JSON, so a deleted or edited row is detectable by `verify_chain`.
Appends lock a single head row, which orders concurrent writers; the cost is one row lock
per event, small next to an AWS call. Event names follow `source:subject:action`."""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Any

from django.db import transaction

from console.runs.models import AuditChainHead, AuditEvent, CommandRun

GENESIS = "0" * 64


class AuditAction(str, enum.Enum):
    RUN_SUBMITTED = "console:run:submitted"
    RUN_REJECTED = "console:run:rejected"
    RUN_FINISHED = "console:run:finished"
    RUN_CANCEL_REQUESTED = "console:run:cancel_requested"
    ACCESS_DENIED = "console:access:denied"


def _digest(prev_hash: str, action: str, actor_name: str, data: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "action": action, "actor": actor_name, "data": data},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    action: AuditAction,
    *,
    actor: Any = None,
    run: CommandRun | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction that does the audited change."""
    # The run id is kept in `data` (not only the FK) so the chain survives a deleted run.
    data = {**(data or {}), **({"run": str(run.pk)} if run else {})}
    actor_name = getattr(actor, "username", "") or "system"
    # No savepoint: callers already hold a transaction, and a failure must abort it whole.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        digest = _digest(head.last_hash, action.value, actor_name, data)
        event = AuditEvent.objects.create(
            action=action.value,
            actor=actor,
            actor_name=actor_name,
            run=run,
            data=data,
            prev_hash=head.last_hash,
            hash=digest,
        )
        head.last_hash = digest
        head.save(update_fields=["last_hash"])
    return event


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)  # only ever on the first event
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def verify_chain() -> int | None:
    """The id of the first event that breaks the chain, or None when it is intact."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        expected = _digest(prev, event.action, event.actor_name, event.data)
        if event.prev_hash != prev or event.hash != expected:
            return event.pk
        prev = event.hash
    return None

