"""Who decides a request for approval (console/runs/approvals.py has the request's life):
anyone with `teams.approve_runs` on the profile's team — its owners and admins — except
the person who asked. The right is checked when they decide, not when the request was
made, so an approver who lost it while a request waited cannot approve it.

A refusal of the right is logged and audited as every permission denial (rules.require);
a reason is required for a denial and kept, trimmed, with either decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from console.runs import approvals
from console.runs.models import ApprovalRequest
from console.teams.errors import TeamError
from console.teams.models import Membership
from console.teams.rules import MANAGERS, deny, require

DECISIONS = ("approve", "deny")
MAX_REASON = 1000
DENIAL_NEEDS_A_REASON = "say why you deny it: the requester reads the reason."


class NotVisible(PermissionDenied):
    """A request the actor may not even see: to them it does not exist."""


def checked_reason(reason: Any, *, required: str | None) -> str:
    """A decision's or a request's reason, trimmed to MAX_REASON; TeamError when it is not
    text, or when `required` (the message to show) and empty."""
    if reason is not None and not isinstance(reason, str):
        raise TeamError("reason is text.")
    text = (reason or "").strip()[:MAX_REASON]
    if required and not text:
        raise TeamError(required)
    return text


def deciding_teams(user: Any) -> QuerySet[Membership]:
    """The teams where `user` decides requests (their owner or admin), as a subquery."""
    return Membership.objects.filter(user_id=user.pk, role__in=MANAGERS).values("team_id")


class TeamApprovers:
    """The seam's provider: a team's approvers, in one query."""

    def approvers(self, team_id: int) -> Sequence[tuple[int, str]]:
        rows = Membership.objects.filter(team_id=team_id, role__in=MANAGERS).order_by("user__username")
        return list(rows.values_list("user_id", "user__username"))


def decidable_by(user: Any) -> QuerySet[ApprovalRequest]:
    """The pending, unexpired requests `user` may decide: their teams' where they approve,
    never their own."""
    teams = deciding_teams(user)
    return approvals.pending_requests().filter(team_id__in=teams).exclude(requester_id=user.pk)


def pending_count(user: Any) -> int:
    return decidable_by(user).count() if user.is_authenticated else 0


def decide(actor: Any, request_id: Any, decision: Any, reason: Any, http: Any = None) -> ApprovalRequest:
    """Approve or deny request `request_id`; raises NotVisible (a request they cannot see
    is the same as none), PermissionDenied (seen, not theirs to decide) or TeamError."""
    if decision not in DECISIONS:
        raise TeamError("decision is approve or deny.")
    reason = checked_reason(reason, required=DENIAL_NEEDS_A_REASON if decision == "deny" else None)
    request = _visible(actor, request_id, http)
    if request.requester_id == actor.pk:
        deny(actor, "teams.approve_runs", request, http)
        raise TeamError("nobody approves their own request; another owner or admin of the team must.")
    require(actor, "teams.approve_runs", request.team, http)  # now, not when it was asked
    try:
        if decision == "approve":
            return approvals.approve(request.pk, actor, reason)
        return approvals.deny(request.pk, actor, reason)
    except approvals.NotPending as exc:
        raise TeamError(str(exc)) from None


def _visible(actor: Any, request_id: Any, http: Any) -> ApprovalRequest:
    try:
        key = int(request_id)
    except (TypeError, ValueError):
        raise NotVisible("teams.approve_runs") from None
    request = ApprovalRequest.objects.select_related("team").filter(pk=key).first()
    if request is None or not (
        request.requester_id == actor.pk or actor.has_perm("teams.approve_runs", request.team)
    ):
        deny(actor, "teams.approve_runs", request, http)
        raise NotVisible("teams.approve_runs")
    return request
