"""Just-in-time elevation through the API (docs/api.md): ask for Write on a team profile for
a time, list what the caller may see, decide, end. Who may do what is
console/teams/elevations.py's (the requester asks and ends; the team's owners and admins,
never the requester, decide, checked when they do); a profile or an elevation the caller
may not see answers 404 like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from console.api.auth import api_view
from console.api.errors import BadRequest, NotFound
from console.api.teams import _fields, _optional_text, _text, refusals
from console.api.validation import json_body
from console.teams import elevations
from console.teams.models import Elevation, ElevationStatus
from credentials.models import ConfigSection, SectionKind

LISTED = 200


@api_view("GET", "POST")
@refusals
def elevation_list(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        body = _fields(json_body(request), required={"profile", "duration", "reason"})
        section = _profile(request, _text(body, "profile"))
        try:
            made = elevations.request_elevation(
                request.user, section, body["duration"], _text(body, "reason"), request
            )
        except elevations.NotVisible:
            raise NotFound("no such profile") from None
        return JsonResponse(elevation_json(made), status=201)
    rows = _listed(request.user, request.GET.get("status"))
    return JsonResponse({"elevations": [elevation_json(row) for row in rows[:LISTED]]})


@api_view("GET", "POST", "DELETE")
@refusals
def elevation_detail(request: HttpRequest, elevation_id: int) -> HttpResponse:
    try:
        if request.method == "GET":
            return JsonResponse(elevation_json(elevations.visible(request.user, elevation_id, request)))
        if request.method == "DELETE":
            return JsonResponse(elevation_json(elevations.end_elevation(request.user, elevation_id, request)))
        body = _fields(json_body(request), required={"decision"}, optional={"reason"})
        decision = _text(body, "decision")
        if decision == "end":
            return JsonResponse(elevation_json(elevations.end_elevation(request.user, elevation_id, request)))
        decided = elevations.decide(
            request.user, elevation_id, decision, _optional_text(body, "reason"), request
        )
    except elevations.NotVisible:
        raise NotFound("no such elevation") from None
    return JsonResponse(elevation_json(decided))


def _profile(request: HttpRequest, address: str) -> ConfigSection:
    slug, _, name = address.partition("/")
    if not slug or not name:
        raise BadRequest('"profile" is a team profile\'s address, <team>/<profile>')
    section = (
        ConfigSection.objects.select_related("team")
        .filter(team__slug=slug, kind=SectionKind.PROFILE, name=name)
        .first()
    )
    if section is None:
        raise NotFound("no such profile")
    return section


def _listed(user: Any, status: str | None) -> Any:
    """The caller's own elevations and those of the teams where they decide, newest first;
    `status` narrows them (`active`: approved and not yet over)."""
    rows = elevations.visible_to(user)
    if status == "active":
        return elevations.active().filter(pk__in=rows.values("pk")).order_by("ends_at")
    if status:
        if status not in ElevationStatus.values:
            choices = ", ".join([*ElevationStatus.values, "active"])
            raise BadRequest(f'"status" is one of {choices}')
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def elevation_json(row: Elevation) -> dict[str, Any]:
    return {
        "id": row.pk,
        "profile": elevations.address(row),
        "requester": row.requester.get_username(),
        "minutes": row.minutes,
        "reason": row.reason,
        "status": row.status,
        "active": row.is_active,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "decided_by": row.decided_by.get_username() if row.decided_by_id else None,
        "decided_at": row.decided_at,
        "decision_reason": row.decision_reason,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "ended_by": row.ended_by.get_username() if row.ended_by_id else None,
    }
