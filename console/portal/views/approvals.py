"""Requests waiting for a second person's approval (console/teams/approvals.py decides who):
the list an approver may decide (/approvals/), one request (/approvals/<id>, the link the
requester's terminal shows), and the decision (POST, with a reason). A request that is not
theirs to see is "not found", as everywhere in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.runs.models import ApprovalRequest
from console.teams import approvals, elevations
from console.teams.errors import TeamError


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    rows = approvals.decidable_by(request.user).order_by("created_at")
    # The header's badge counts requests for elevation too: they are listed here as well.
    asked = elevations.decidable_by(request.user).order_by("created_at")
    return render(
        request, "portal/approvals.html", {"rows": rows, "elevations": asked, "now": timezone.now()}
    )


@login_required
def approval_detail(request: HttpRequest, approval_id: int) -> HttpResponse:
    found = _visible(request, approval_id)
    may_decide = approvals.decidable_by(request.user).filter(pk=found.pk).exists()
    return render(
        request, "portal/approval.html", {"approval": found, "may_decide": may_decide, "now": timezone.now()}
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    decision, reason = request.POST.get("decision"), request.POST.get("reason", "")
    try:
        decided = approvals.decide(request.user, approval_id, decision, reason, request)
    except approvals.NotVisible:
        raise Http404("no such request") from None
    except PermissionDenied:
        messages.error(request, "You may not decide this request (only the team's owners and admins may).")
        return redirect("portal:approval", approval_id=approval_id)
    except TeamError as exc:
        messages.error(request, exc.message)
        return redirect("portal:approval", approval_id=approval_id)
    messages.success(request, f"{decided.decision.capitalize()}: {decided.command}")
    return redirect("portal:approvals")


def _visible(request: HttpRequest, approval_id: int) -> ApprovalRequest:
    found = (
        ApprovalRequest.objects.select_related("requester", "team", "decided_by")
        .filter(pk=approval_id)
        .first()
    )
    user = request.user
    if found is None or not (
        found.requester_id == user.pk or user.has_perm("teams.approve_runs", found.team)
    ):
        raise Http404("no such request")
    return found
