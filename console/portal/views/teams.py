"""Teams: the list (mine, with my role), creating one, the team page, renaming, handing
ownership on and deleting. Function views: load, authorize, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from console.portal import forms
from console.portal.access import team_for, team_membership
from console.portal.services import hand_on as hand_on_ownership
from console.portal.views.common import hand_on_form, refuse, team_page
from console.teams import rules
from console.teams import services as teams
from console.teams.models import Membership
from console.teams.services import TeamError
from credentials.models import ConfigSection, SectionKind


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    form = forms.TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.create_team(request.user, form.cleaned_data["slug"], form.cleaned_data["name"])
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"Team {team.slug} created: you are its owner.")
            return redirect("portal:team", slug=team.slug)
    return render(request, "portal/teams.html", {"rows": _team_rows(request.user), "form": form})


def _team_rows(user: Any) -> list[dict[str, Any]]:
    """My teams, each with my role and its numbers of members and profiles."""
    mine = list(teams.teams_of(user))
    ids = [team.pk for team in mine]
    roles = dict(Membership.objects.filter(user_id=user.pk, team_id__in=ids).values_list("team_id", "role"))
    members = _counts(Membership.objects.filter(team_id__in=ids))
    profiles = _counts(ConfigSection.objects.filter(team_id__in=ids, kind=SectionKind.PROFILE))
    return [
        {
            "team": t,
            "role": roles.get(t.pk),
            "members": members.get(t.pk, 0),
            "profiles": profiles.get(t.pk, 0),
        }
        for t in mine
    ]


def _counts(rows: QuerySet[Any]) -> dict[int, int]:
    return dict(rows.values("team_id").annotate(n=Count("pk")).values_list("team_id", "n"))


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return team_page(request, team_for(request, slug))


@login_required
@require_POST
def team_rename(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    form = forms.RenameTeamForm(request.POST)
    if form.is_valid():
        try:
            teams.rename_team(request.user, team, form.cleaned_data["name"])
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(request, "Team renamed.")
            return redirect("portal:team", slug=team.slug)
    return team_page(request, team, rename_form=form)


@login_required
@require_POST
def team_hand_on(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    form = hand_on_form(team, request.POST)
    if form.is_valid():
        membership = team_membership(team, form.cleaned_data["membership"])
        try:
            hand_on_ownership(request.user, team, membership, step_down=form.cleaned_data["step_down"])
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"{membership.user.get_username()} is now an owner of {team.slug}.")
            return redirect("portal:team", slug=team.slug)
    return team_page(request, team, hand_on_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def team_delete(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    rules.require(request.user, "teams.delete_team", team)
    form = forms.ConfirmDeleteForm(request.POST or None, expected=team.slug)
    if request.method == "POST" and form.is_valid():
        try:
            teams.delete_team(request.user, team)
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"Team {slug} deleted, with its profiles and grants.")
            return redirect("portal:teams")
    context = {
        "team": team,
        "form": form,
        "profiles": team.sections.count(),
        "members": team.memberships.count(),
    }
    return render(request, "portal/team_delete.html", context)
