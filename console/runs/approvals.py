"""A run that waits for a second person's approval (the guardrail's `approve` decision).

The worker's guardrail (console/commands/guardrail.py) meets `approve` before the command
sends anything. Without an approval of its own it notes the request in the run's record
and the command stops; the worker then ends its task with the run `awaiting_approval`
and one ApprovalRequest row (`open_request`), so a waiting run holds no worker slot. The
terminal gets a line saying who may approve, the link, and that Ctrl-C withdraws it.

Deciding (console/teams/approvals.py asks who may) moves the run on:
- approve: `awaiting_approval -> queued` and a fresh task with the run's id only. The new
  worker parses the sealed line again, resolves fresh credentials with the requester's
  rights, and meets the same gate, which lets it through once: `consume` marks the
  approved request used in one UPDATE that also checks the run, the profile and expiry,
  so a redelivered task or a second worker can never send it twice. A worker that dies
  between approval and start leaves a queued run the reaper ends `lost`, as any other;
  the re-queued run's `heartbeat_at` is the time it was queued again, which the reaper
  counts from (a queued run never beats otherwise).
- deny, expiry (the reaper's `expire_due`): the run ends `rejected` with the reason.
- Ctrl-C / cancel (`withdraw`): the run ends `cancelled`, the request `withdrawn`.

Every step is an audit event naming the run. Who approves is the teams layer's business,
told to this one through `register` (console/teams/apps.py), as the broker's seam is."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.commands.record import Pending
from console.errors import ExitCode
from console.runs import audit, lifecycle, notify, store, workers
from console.runs.models import ApprovalDecision, ApprovalRequest, CommandRun, RunStatus

log = logging.getLogger(__name__)


class Approvers(Protocol):
    def approvers(self, team_id: int) -> Sequence[tuple[int, str]]:
        """(user id, username) of everyone who may approve a run on the team's profiles."""


_approvers: Approvers | None = None


def register(provider: Approvers) -> None:
    global _approvers
    _approvers = provider


def approvers_of(team_id: int, *, besides: int | None = None) -> list[tuple[int, str]]:
    found = list(_approvers.approvers(team_id)) if _approvers is not None else []
    return [(pk, name) for pk, name in found if pk != besides]


def link(request: ApprovalRequest) -> str:
    return f"/approvals/{request.pk}"


def _data(request: ApprovalRequest, **more: Any) -> dict[str, Any]:
    data = {
        "approval": request.pk,
        "profile": request.profile,
        "team_id": request.team_id,
        "levels": list(request.levels),
    }
    return {**data, **more}


def open_request(
    run: CommandRun, pending: Pending, output: Sequence[tuple[str, str]], first_seq: int | None
) -> ApprovalRequest | None:
    """running -> awaiting_approval with its request, its output so far and the line that
    says who may approve, in one transaction; None if the run was not running any more."""
    expires = timezone.now() + timedelta(minutes=settings.CONSOLE_APPROVAL_MINUTES)
    with transaction.atomic():
        if not lifecycle.compare_and_set(run.pk, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL):
            return None
        request = ApprovalRequest.objects.create(
            run=run,
            requester=run.user,
            team_id=pending.team_id,
            profile=pending.profile,
            levels=list(pending.levels),
            command=run.command,
            expires_at=expires,
        )
        seq = first_seq if first_seq is not None else store.next_seq(run.pk)
        for stream, data in [*output, ("stderr", waiting_line(request, pending))]:
            seq = store.append_chunk(run.pk, stream, data, seq=seq)
        audit.record(
            audit.AuditAction.APPROVAL_REQUESTED,
            actor=run.user,
            run=run,
            data=_data(request, expires_at=expires.isoformat()),
        )
    notify.notify_run(run.pk)
    notice = (
        f"approval: {run.user.username} asks to run `{run.command}` on {pending.profile}: {link(request)}"
    )
    for user_id, _name in approvers_of(pending.team_id, besides=run.user_id):
        notify.notify_user(user_id, notice)
    return request


def waiting_line(request: ApprovalRequest, pending: Pending) -> str:
    names = [name for _pk, name in approvers_of(pending.team_id, besides=request.requester_id)]
    who = ", ".join(names) if names else "nobody yet (the team has no other owner or admin)"
    return (
        f"guardrail: {pending.command} is {', '.join(pending.levels)}; profile {pending.profile} needs "
        f"another team member's approval. Waiting up to {settings.CONSOLE_APPROVAL_MINUTES} min; "
        f"who may approve: {who}; {link(request)} — Ctrl-C withdraws the request. Nothing was sent.\n"
    )


def pending_requests() -> Any:
    """Requests still waiting and not expired (a QuerySet; callers narrow it to the teams
    their user may decide for)."""
    return ApprovalRequest.objects.filter(
        decision=ApprovalDecision.PENDING, expires_at__gt=timezone.now()
    ).select_related("requester", "run", "team")


def approve(request_id: int, actor: Any, reason: str) -> ApprovalRequest:
    """Mark approved and queue the run again (its id only), if it still waits."""
    with transaction.atomic():
        request = _locked_pending(request_id)
        now = timezone.now()
        ApprovalRequest.objects.filter(pk=request.pk).update(
            decision=ApprovalDecision.APPROVED, decided_by=actor, decided_at=now, reason=reason
        )
        lifecycle.compare_and_set(
            request.run_id, RunStatus.AWAITING_APPROVAL, RunStatus.QUEUED, heartbeat_at=now
        )
        audit.record(
            audit.AuditAction.APPROVAL_APPROVED,
            actor=actor,
            run=request.run,
            data=_data(request, reason=reason),
        )
        store.append_chunk(
            request.run_id, "stderr", f"guardrail: approved by {actor.username}; running it now.\n"
        )
        transaction.on_commit(lambda: _enqueue(request))
    notify.notify_run(request.run_id)
    request.refresh_from_db()
    return request


def deny(request_id: int, actor: Any, reason: str) -> ApprovalRequest:
    with transaction.atomic():
        request = _locked_pending(request_id)
        ApprovalRequest.objects.filter(pk=request.pk).update(
            decision=ApprovalDecision.DENIED, decided_by=actor, decided_at=timezone.now(), reason=reason
        )
        audit.record(
            audit.AuditAction.APPROVAL_DENIED,
            actor=actor,
            run=request.run,
            data=_data(request, reason=reason),
        )
    _end(request, RunStatus.REJECTED, f"approval denied by {actor.username}: {reason}")
    request.refresh_from_db()
    return request


def _enqueue(request: ApprovalRequest) -> None:
    problem = workers.enqueue_execution(request.run_id)
    if problem:  # the approval stands; the run ends as any run nobody could queue
        lifecycle.reject_queued_run(request.run, problem)


class NotPending(Exception):
    """The request was decided, withdrawn or expired already."""


def _locked_pending(request_id: int) -> ApprovalRequest:
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("run", "run__user")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.decision != ApprovalDecision.PENDING:
        raise NotPending("this request was decided already or withdrawn.")
    if request.expires_at <= timezone.now():
        raise NotPending("this request has expired.")
    return request


def _end(request: ApprovalRequest, status: str, reason: str) -> None:
    code = ExitCode.CANCELLED if status == RunStatus.CANCELLED else ExitCode.SERVICE
    lifecycle.end_run(
        request.run,
        RunStatus.AWAITING_APPROVAL,
        status,
        code,
        reason=reason,
        output=[("stderr", f"guardrail: {reason}; nothing was sent\n")],
    )


def consume(run_id: Any, profile: str) -> str:
    """The gate's question on an approved run: "approved" if this run's approved request
    for this profile is unexpired and unused (it is used now, once), "expired" when its
    approval ran out before a worker started it, "" when there is none."""
    now = timezone.now()
    approved = ApprovalRequest.objects.filter(
        run_id=run_id, profile=profile, decision=ApprovalDecision.APPROVED
    )
    with transaction.atomic():
        if approved.filter(consumed_at__isnull=True, expires_at__gt=now).update(consumed_at=now):
            return "approved"
    return "expired" if approved.filter(consumed_at__isnull=True).exists() else ""


def withdraw(run: CommandRun, actor: Any) -> bool:
    """Ctrl-C on a waiting run: the request is withdrawn and the run ends cancelled."""
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update()
            .filter(run=run, decision=ApprovalDecision.PENDING)
            .first()
        )
        if request is None:
            return False
        ApprovalRequest.objects.filter(pk=request.pk).update(
            decision=ApprovalDecision.WITHDRAWN, decided_at=timezone.now(), reason="withdrawn"
        )
        audit.record(audit.AuditAction.APPROVAL_WITHDRAWN, actor=actor, run=run, data=_data(request))
    request.run = run
    _end(request, RunStatus.CANCELLED, "the approval request was withdrawn")
    return True


def expire_due() -> int:
    """The reaper's round: every pending request past its time ends its run rejected."""
    count = 0
    due = ApprovalRequest.objects.filter(decision=ApprovalDecision.PENDING, expires_at__lte=timezone.now())
    for request_id in list(due.values_list("pk", flat=True)):
        count += _expire(request_id)
    return count


def _expire(request_id: int) -> int:
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update(of=("self",))
            .select_related("run", "run__user")
            .filter(pk=request_id, decision=ApprovalDecision.PENDING)
            .first()
        )
        if request is None:
            return 0
        ApprovalRequest.objects.filter(pk=request.pk).update(
            decision=ApprovalDecision.EXPIRED, decided_at=timezone.now(), reason="expired"
        )
        audit.record(audit.AuditAction.APPROVAL_EXPIRED, run=request.run, data=_data(request))
    minutes = settings.CONSOLE_APPROVAL_MINUTES
    _end(request, RunStatus.REJECTED, f"nobody approved it within {minutes} minutes")
    return 1
