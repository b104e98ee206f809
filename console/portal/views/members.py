"""A team's members: add by username, change a role, remove. The services decide who may
(admins cannot make or remove owners; a team keeps at least one owner) and say why not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from console.portal import forms
from console.portal.access import team_for, team_membership
from console.portal.views.common import team_page
from console.teams import services as teams
from console.teams.models import Team
from console.teams.services import TeamError


@login_required
@require_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    form = forms.AddMemberForm(request.POST)
    if form.is_valid():
        try:
            membership = teams.add_member(
                request.user, team, form.cleaned_data["username"].strip(), form.cleaned_data["role"]
            )
        except TeamError as exc:
            form.add_error("username", exc.message)
        else:
            name = membership.user.get_username()
            messages.success(request, f"{name} added to {team.slug} as {membership.role}.")
            return redirect("portal:team", slug=team.slug)
    return team_page(request, team, add_member_form=form)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team = team_for(request, slug)
    membership = team_membership(team, membership_id)
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, team, form.first_error())
    try:
        teams.change_role(request.user, membership, form.cleaned_data["role"])
    except TeamError as exc:
        return _refused(request, team, exc.message)
    messages.success(request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}.")
    return redirect("portal:team", slug=team.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team = team_for(request, slug)
    membership = team_membership(team, membership_id)
    name = membership.user.get_username()
    leaving = membership.user_id == request.user.pk
    try:
        teams.remove_member(request.user, membership)
    except TeamError as exc:
        return _refused(request, team, exc.message)
    if leaving:
        messages.success(request, f"You left {team.slug}.")
        return redirect("portal:teams")
    messages.success(request, f"{name} removed from {team.slug}; their sessions with its profiles ended.")
    return redirect("portal:team", slug=team.slug)


def _refused(request: HttpRequest, team: Team, message: str) -> HttpResponse:
    """A refusal from a row's own small form: shown at the top of the team page."""
    messages.error(request, message)
    return team_page(request, team)
