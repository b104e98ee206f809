"""A team's grants: let one member, or every member, use a team profile, perhaps until a
time; revoke (the grantees' cached sessions for that profile end at once)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from console.portal.access import team_for
from console.portal.views.common import grant_form, refuse, team_page
from console.teams import services as teams
from console.teams.models import Grant
from console.teams.services import TeamError
from credentials.models import ConfigSection


@login_required
@require_POST
def grant_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    form = grant_form(team, request.POST)
    if form.is_valid():
        section = ConfigSection.objects.get(pk=form.cleaned_data["profile"], team=team)
        try:
            made = teams.grant(
                request.user,
                section,
                expires_at=form.cleaned_data["expires_at"],
                read_only=form.cleaned_data["read_only"],
                **form.grantee_kwargs(),
            )
        except TeamError as exc:
            refuse(form, exc)
        else:
            who = made.user.get_username() if made.user_id else "every member"
            until = f" until {made.expires_at:%Y-%m-%d %H:%M} UTC" if made.expires_at else ""
            how = " read-only" if made.read_only else ""
            messages.success(request, f"{who} may use {team.slug}/{section.name}{how}{until}.")
            return redirect("portal:team", slug=team.slug)
    return team_page(request, team, grant_form=form)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, slug: str, grant_id: int) -> HttpResponse:
    team = team_for(request, slug)
    found = Grant.objects.select_related("profile", "user", "team").filter(pk=grant_id, team=team).first()
    if found is None:
        raise Http404("no such grant")
    try:
        teams.revoke_grant(request.user, found)
    except TeamError as exc:
        messages.error(request, exc.message)
        return team_page(request, team)
    who = found.user.get_username() if found.user_id else "every member"
    messages.success(request, f"Revoked: {who} may no longer use {team.slug}/{found.profile.name}.")
    return redirect("portal:team", slug=team.slug)
