"""What every portal view shares: the TeamError-to-form plumbing and the team page's context
(the page many forms post back to: on a refusal it is drawn again with the form's message
and what was typed; on success the view redirects to it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from console.portal import forms
from console.portal.sections import describe
from console.teams import elevations
from console.teams import services as teams
from console.teams.models import Grant, Role, Team
from console.teams.rules import uses_read_only
from credentials.models import ConfigSection


def refuse(form: forms.PortalForm, exc: Exception) -> None:
    """Show a service's refusal (TeamError and the like) on the form that asked for it."""
    form.add_error(None, getattr(exc, "message", str(exc)))


def team_sections(team: Team) -> list[ConfigSection]:
    return list(ConfigSection.objects.filter(team=team).select_related("team").order_by("kind", "name"))


def profile_choices(team: Team) -> list[tuple[str, str]]:
    return [(str(s.pk), f"{team.slug}/{s.name}") for s in team_sections(team) if s.kind == "profile"]


def grantee_choices(team: Team) -> list[tuple[str, str]]:
    """Members who run commands by grant (owners and admins need none; auditors never run)."""
    members = team.memberships.filter(role=Role.MEMBER).select_related("user").order_by("user__username")
    return [(f"user:{m.user.get_username()}", m.user.get_username()) for m in members]


def grant_form(team: Team, data: Any = None) -> forms.GrantForm:
    return forms.GrantForm(data, profiles=profile_choices(team), members=grantee_choices(team))


def role_choices_for(user: Any, team: Team) -> list[tuple[str, str]]:
    """The roles this user may hand out: admins cannot make owners."""
    mine = teams.membership_of(user, team)
    owner = mine is not None and mine.role == Role.OWNER
    return [choice for choice in forms.ROLE_CHOICES if owner or choice[0] != Role.OWNER]


def team_page(request: HttpRequest, team: Team, **bound: Any) -> HttpResponse:
    """The team page; `bound` replaces a default form with the one that failed (drawn
    again with its messages, answered 200 as Django's form views answer)."""
    user = request.user
    can = {
        "members": user.has_perm("teams.manage_members", team),
        "profiles": user.has_perm("teams.manage_profiles", team),
        "grants": user.has_perm("teams.manage_grants", team),
        "change": user.has_perm("teams.change_team", team),
        "delete": user.has_perm("teams.delete_team", team),
        "run": user.has_perm("teams.run_commands", team),
    }
    mine = teams.membership_of(user, team)
    memberships = list(team.memberships.select_related("user", "added_by").order_by("user__username"))
    sections = [s for s in team_sections(team) if user.has_perm("teams.view_profile", s)]
    owners = sum(1 for m in memberships if m.role == Role.OWNER)
    role_choices = role_choices_for(user, team)
    context = {
        "team": team,
        "mine": mine,
        "can": can,
        "members": [_member_row(user, m, mine, can["members"], owners) for m in memberships],
        "profiles": [describe(s, with_secrets=can["profiles"]) for s in sections],
        # The profiles this user may use only read-only, marked for them in the list.
        "read_only_ids": {s.pk for s in sections if uses_read_only(user, s)},
        "grants": _grants(team) if can["grants"] else [],
        # Who holds just-in-time Write now, on which profile, until when and why.
        "elevations": list(elevations.active_in(team)),
        "now": timezone.now(),
        "add_member_form": bound.get("add_member_form") or forms.AddMemberForm(),
        "role_choices": role_choices,
        "grant_form": bound.get("grant_form") or grant_form(team),
        "rename_form": bound.get("rename_form") or forms.RenameTeamForm(initial={"name": team.name}),
        "hand_on_form": bound.get("hand_on_form") or hand_on_form(team),
    }
    context["add_member_form"].fields["role"].choices = role_choices
    return render(request, "portal/team.html", context)


def _member_row(user: Any, membership: Any, mine: Any, manages: bool, owners: int) -> dict[str, Any]:
    """A member and what this user may do to them: admins manage members but not owners,
    and the last owner is offered no way out (the services would refuse it anyway)."""
    owner = mine is not None and mine.role == Role.OWNER
    touchable = manages and (owner or membership.role != Role.OWNER)
    last_owner = membership.role == Role.OWNER and owners == 1
    return {
        "m": membership,
        "editable": touchable,
        "removable": (touchable or membership.user_id == user.pk) and not last_owner,
        "me": membership.user_id == user.pk,
    }


def _grants(team: Team) -> list[Grant]:
    return list(
        Grant.objects.filter(team=team)
        .select_related("profile", "user", "created_by")
        .order_by("profile__name", "role", "user__username")
    )


def hand_on_form(team: Team, data: Any = None) -> forms.HandOnForm:
    candidates = [
        (m.pk, f"{m.user.get_username()} ({m.role})")
        for m in team.memberships.select_related("user").exclude(role=Role.OWNER).order_by("user__username")
    ]
    return forms.HandOnForm(data, candidates=candidates)
