"""Requests waiting for approval through the API (docs/api.md): the pending ones the
caller may decide, and the decision. Who may decide is console/teams/approvals.py's
(owners and admins of the profile's team, never the requester, checked when they decide);
a request the caller may not see answers 404 like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from console.api.auth import api_view
from console.api.errors import NotFound
from console.api.teams import _fields, _optional_text, _text, refusals
from console.api.validation import json_body
from console.runs.models import ApprovalRequest
from console.teams import approvals


@api_view("GET")
def approval_list(request: HttpRequest) -> JsonResponse:
    rows = approvals.decidable_by(request.user).order_by("created_at")
    return JsonResponse({"approvals": [approval_json(row) for row in rows]})


@api_view("POST")
@refusals
def approval_detail(request: HttpRequest, approval_id: int) -> JsonResponse:
    body = _fields(json_body(request), required={"decision"}, optional={"reason"})
    try:
        decided = approvals.decide(
            request.user, approval_id, _text(body, "decision"), _optional_text(body, "reason"), request
        )
    except approvals.NotVisible:
        raise NotFound("no such approval request") from None
    return JsonResponse(approval_json(decided))


def approval_json(row: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "run_id": str(row.run_id),
        "command": row.command,
        "profile": row.profile,
        "levels": list(row.levels),
        "requester": row.requester.get_username(),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "decision": row.decision,
        "decided_by": row.decided_by.get_username() if row.decided_by_id else None,
        "reason": row.reason,
    }
