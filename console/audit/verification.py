"""Verifying the whole audit trail: the checkpoints' signatures (against the keys this
console trusts, never the keys the rows name), then the chain of events against its head
and every checkpoint. `manage.py verify_audit` and the workers' periodic thread run it;
each periodic run is kept as a TrailCheck, whose newest the audit page shows."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from console.audit import checkpoints
from console.audit.models import TrailCheck
from console.runs import audit, chain
from credentials import crypto

log = logging.getLogger(__name__)


def verify_trail() -> chain.ChainResult:
    """The first problem of the stored trail, or an ok result with what was verified.
    The checkpoints are read before the events: one made meanwhile covers only events
    that the later read sees too."""
    claims = checkpoints.stored_claims()
    bad = checkpoints.check_claims(claims, crypto.checkpoint_public_keys())
    if bad is not None:
        return replace(bad, checkpoints=len(claims))
    return audit.verify_chain([claim.anchor() for claim in claims])


def check_and_record() -> TrailCheck:
    """Verify the trail and keep the result for the audit page."""
    result = verify_trail()
    if not result.ok:
        log.error("%s", result.summary())
    return TrailCheck.objects.create(
        checked_at=timezone.now(),
        ok=result.ok,
        events=result.events,
        checkpoints=result.checkpoints,
        problem=str(result.problem or ""),
        first_bad_event_id=result.event_id,
        first_bad_event_seq=result.event_seq,
        message=result.message,
    )


def latest_check() -> TrailCheck | None:
    """The newest verification, for the audit page (templates/audit/_trail_status.html)."""
    return TrailCheck.objects.order_by("-checked_at").first()


def run_trail_chores() -> None:
    """The periodic part, on every worker's reaper thread (console/runs/tasks.py): a
    checkpoint when one is due, then a verification when the last is old enough."""
    checkpoints.make_checkpoint()
    last = latest_check()
    every = timedelta(minutes=settings.CONSOLE_AUDIT_VERIFY_MINUTES)
    if last is None or timezone.now() - last.checked_at >= every:
        check_and_record()


def log_trail_denied(user: Any) -> None:
    """A refused export of the trail is audited like any refused look."""
    log.warning("user %s was refused the audit trail export", user.pk)
    audit.record(audit.AuditAction.ACCESS_DENIED, actor=user, data={"action": "export audit trail"})
