"""The teams API: teams, members, team profiles and grants (docs/api.md). Thin adapters
over console.teams.services, which check every permission (console/teams/rules.py) and
audit every change; the views only decode the body, load the object and answer JSON.

A team the caller is not in, and a team profile the caller may neither manage nor use,
answer 404 exactly like one that does not exist (the refusal is still logged and audited),
so slugs and profile names cannot be probed. What the caller may see but not change
answers 403. No response carries a secret: a profile's secret keys are listed, and shown
masked as `aws configure list` masks them (`****************ABCD`) only to the team's
owners and admins."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime

from console.api.auth import api_view
from console.api.errors import BadRequest, Forbidden, NotFound
from console.api.validation import json_body
from console.commands.configure import mask
from console.engine import policies
from console.teams import rules
from console.teams import services as teams
from console.teams.models import Grant, Membership, Team
from console.teams.services import TeamError
from credentials.errors import CredentialError
from credentials.models import ConfigSection, SectionKind

View = Callable[..., HttpResponse]


def refusals(view: View) -> View:
    """A service's refusal as the API's error: TeamError (and a bad key or name) is a 400
    with its message, a permission denial (already logged and audited) a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (TeamError, CredentialError) as exc:
            raise BadRequest(exc.message, code="refused") from None
        except PermissionDenied as exc:
            raise Forbidden(f"you may not do this in this team ({exc})") from None

    return wrapper


# ---- teams ------------------------------------------------------------------------------


@api_view("GET", "POST")
@refusals
def team_list(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        body = _fields(json_body(request), required={"slug", "name"})
        team = teams.create_team(request.user, _text(body, "slug"), _text(body, "name"))
        return JsonResponse(team_json(team, request.user), status=201)
    roles = dict(Membership.objects.filter(user_id=request.user.pk).values_list("team_id", "role"))
    return JsonResponse(
        {"teams": [team_json(t, request.user, roles.get(t.pk)) for t in teams.teams_of(request.user)]}
    )


@api_view("GET", "PATCH", "DELETE")
@refusals
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = _team(request, slug)
    if request.method == "PATCH":
        body = _fields(json_body(request), required={"name"})
        team = teams.rename_team(request.user, team, _text(body, "name"))
    elif request.method == "DELETE":
        teams.delete_team(request.user, team)
        return HttpResponse(status=204)
    return JsonResponse(team_json(team, request.user))


def team_json(team: Team, user: Any, role: str | None = None) -> dict[str, Any]:
    if role is None:
        mine = teams.membership_of(user, team)
        role = mine.role if mine is not None else None
    return {"slug": team.slug, "name": team.name, "role": role, "created_at": team.created_at}


def _team(request: HttpRequest, slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise NotFound("no such team")
    if not request.user.has_perm("teams.view_team", team):
        rules.deny(request.user, "teams.view_team", team, request)
        raise NotFound("no such team")
    return team


# ---- members ----------------------------------------------------------------------------


@api_view("GET", "POST")
@refusals
def member_list(request: HttpRequest, slug: str) -> JsonResponse:
    team = _team(request, slug)
    if request.method == "POST":
        body = _fields(json_body(request), required={"username", "role"})
        made = teams.add_member(request.user, team, _text(body, "username"), _text(body, "role"))
        return JsonResponse(member_json(made), status=201)
    rows = team.memberships.select_related("user", "added_by").order_by("user__username")
    return JsonResponse({"members": [member_json(m) for m in rows]})


@api_view("GET", "PATCH", "DELETE")
@refusals
def member_detail(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    team = _team(request, slug)
    membership = (
        team.memberships.select_related("user", "team", "added_by").filter(user__username=username).first()
    )
    if membership is None:
        raise NotFound(f"{username} is not a member of {team.slug}")
    if request.method == "PATCH":
        body = _fields(json_body(request), required={"role"})
        membership = teams.change_role(request.user, membership, _text(body, "role"))
    elif request.method == "DELETE":
        teams.remove_member(request.user, membership)
        return HttpResponse(status=204)
    return JsonResponse(member_json(membership))


def member_json(membership: Membership) -> dict[str, Any]:
    added_by = membership.added_by.get_username() if membership.added_by_id else None
    return {
        "username": membership.user.get_username(),
        "role": membership.role,
        "added_at": membership.added_at,
        "added_by": added_by,
    }


# ---- profiles ---------------------------------------------------------------------------


@api_view("GET", "POST")
@refusals
def profile_list(request: HttpRequest, slug: str) -> JsonResponse:
    team = _team(request, slug)
    if request.method == "POST":
        body = _fields(json_body(request), required={"name"}, optional={"kind", "values"})
        return JsonResponse(_create_profiles(request, team, body), status=201)
    manages = request.user.has_perm("teams.manage_profiles", team)
    sections = ConfigSection.objects.filter(team=team).select_related("team").order_by("kind", "name")
    visible = [s for s in sections if request.user.has_perm("teams.view_profile", s)]
    return JsonResponse({"profiles": [profile_json(s, manages=manages) for s in visible]})


def _create_profiles(request: HttpRequest, team: Team, body: dict[str, Any]) -> dict[str, Any]:
    """A new profile from its `values`; a name that exists already is refused (PUT changes one)."""
    name, kind = _text(body, "name"), _kind(body.get("kind"))
    if ConfigSection.objects.filter(team=team, kind=kind, name=name).exists():
        raise BadRequest(f"{team.slug}/{name} exists already; PUT changes it", code="exists")
    section = teams.save_team_profile(request.user, team, name, _values(body), kind=kind)
    return profile_json(section, manages=True)


@api_view("GET", "PUT", "DELETE")
@refusals
def profile_detail(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    team = _team(request, slug)
    section = _section(request, team, name, _kind(request.GET.get("kind")))
    if request.method == "PUT":
        section = _put_profile(request, team, section, json_body(request))
    elif request.method == "DELETE":
        teams.delete_team_profile(request.user, section)
        return HttpResponse(status=204)
    return JsonResponse(profile_json(section, manages=request.user.has_perm("teams.manage_profiles", team)))


def _put_profile(request: HttpRequest, team: Team, section: ConfigSection, data: Any) -> ConfigSection:
    """`values` replaces the settings; `policy` and `production` set the guardrail policy
    (docs/guardrails.md). Each part is checked and audited by its own service."""
    body = _fields(data, required=set(), optional={"values", "policy", "production"})
    if not body:
        raise BadRequest('send "values", "policy" or "production"')
    if "values" in body:
        section = teams.save_team_profile(request.user, team, section.name, _values(body), kind=section.kind)
    if "policy" in body or "production" in body:
        policy = body.get("policy", section.policy)
        production = body.get("production", section.production)
        section = teams.set_team_policy(request.user, section, policy, production=production)
    return section


def _section(request: HttpRequest, team: Team, name: str, kind: str) -> ConfigSection:
    section = ConfigSection.objects.select_related("team").filter(team=team, kind=kind, name=name).first()
    if section is None:
        raise NotFound("no such profile")
    if not request.user.has_perm("teams.view_profile", section):
        rules.deny(request.user, "teams.view_profile", section, request)
        raise NotFound("no such profile")
    return section


def profile_json(section: ConfigSection, *, manages: bool) -> dict[str, Any]:
    """Settings in full; secrets by name, masked for managers, never in the clear."""
    stored = section.open_secrets()
    return {
        "name": section.name,
        "kind": section.kind,
        "address": f"{section.team.slug}/{section.name}" if section.kind == SectionKind.PROFILE else None,
        "settings": dict(section.settings),
        "secrets": {key: (mask(value) if manages else "stored") for key, value in sorted(stored.items())},
        # The guardrail policy: level -> decision ({} when none is set, which allows all).
        "policy": dict(section.policy),
        "preset": policies.preset_of(section.policy) if section.policy else None,
        "production": section.production,
        "updated_at": section.updated_at,
    }


def _kind(value: Any) -> str:
    kind = value if value not in (None, "") else str(SectionKind.PROFILE)
    if kind not in SectionKind.values:
        raise BadRequest(f'"kind" must be one of {", ".join(SectionKind.values)}')
    return str(kind)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    values = body.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise BadRequest('"values" must be an object of config keys, e.g. {"region": "eu-west-1"}')
    for key, value in values.items():
        nested = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        if not isinstance(value, str) and not nested:
            raise BadRequest(
                f'"values.{key}" must be a string (or, for a nested setting, an object of strings)'
            )
    return values


@api_view("POST")
@refusals
def profile_import(request: HttpRequest, slug: str) -> JsonResponse:
    """A pasted `[profile …]` / `[sso-session …]` section: keys given replace the stored ones."""
    team = _team(request, slug)
    body = _fields(json_body(request), required={"config"})
    saved = teams.import_team_section(request.user, team, _text(body, "config"))
    return JsonResponse({"profiles": [profile_json(s, manages=True) for s in saved]}, status=201)


# ---- grants -----------------------------------------------------------------------------


@api_view("GET", "POST")
@refusals
def grant_list(request: HttpRequest, slug: str) -> JsonResponse:
    team = _team(request, slug)
    rules.require(request.user, "teams.manage_grants", team, request)
    if request.method == "POST":
        body = _fields(
            json_body(request), required={"profile"}, optional={"user", "role", "expires_at", "read_only"}
        )
        section = _section(request, team, _text(body, "profile"), SectionKind.PROFILE)
        made = teams.grant(
            request.user,
            section,
            user=_optional_text(body, "user"),
            role=_optional_text(body, "role"),
            expires_at=_time(body.get("expires_at")),
            read_only=_flag(body, "read_only"),
        )
        return JsonResponse(grant_json(made), status=201)
    rows = Grant.objects.filter(team=team).select_related("profile", "user", "created_by")
    return JsonResponse({"grants": [grant_json(g) for g in rows]})


@api_view("GET", "DELETE")
@refusals
def grant_detail(request: HttpRequest, slug: str, grant_id: int) -> HttpResponse:
    team = _team(request, slug)
    rules.require(request.user, "teams.manage_grants", team, request)
    found = (
        Grant.objects.select_related("profile", "user", "team", "created_by")
        .filter(pk=grant_id, team=team)
        .first()
    )
    if found is None:
        raise NotFound("no such grant")
    if request.method == "DELETE":
        teams.revoke_grant(request.user, found)
        return HttpResponse(status=204)
    return JsonResponse(grant_json(found))


def grant_json(made: Grant) -> dict[str, Any]:
    return {
        "id": made.pk,
        "profile": made.profile.name,
        "user": made.user.get_username() if made.user_id else None,
        "role": made.role or None,
        "expires_at": made.expires_at,
        "read_only": made.read_only,
        "live": made.is_live,
        "created_by": made.created_by.get_username() if made.created_by_id else None,
        "created_at": made.created_at,
    }


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest('"expires_at" must be an ISO 8601 time with its zone, e.g. 2030-01-31T18:00:00Z')
    return parsed


# ---- bodies -----------------------------------------------------------------------------


def _fields(data: Any, *, required: set[str], optional: Collection[str] = ()) -> dict[str, Any]:
    """The body as an object with exactly these fields; every problem reported at once."""
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", code="invalid_json")
    problems = [f'unknown field "{name}"' for name in sorted(set(data) - required - set(optional))]
    problems += [f'"{name}" is required' for name in sorted(required - set(data))]
    if problems:
        raise BadRequest("; ".join(problems))
    return data


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadRequest(f'"{name}" must be a string')
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    return None if body.get(name) is None else _text(body, name)


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadRequest(f'"{name}" must be true or false')
    return value
