"""Just-in-time elevation in the portal (console/teams/elevations.py decides who may do
what): the list (/elevations/: requests waiting for this user, active elevations in their
teams, their own), asking (/elevations/new, from a team profile's page), one elevation
(/elevations/<id>, the link approvers' terminals get) with Approve / Deny and End. An
elevation that is not theirs to see is "not found", as everywhere in the portal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from console.portal import forms
from console.portal.views.common import refuse
from console.teams import elevations
from console.teams import services as teams
from console.teams.errors import TeamError
from credentials.models import ConfigSection

OWN_LISTED = 50


@login_required
def elevation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "waiting": elevations.decidable_by(user).order_by("created_at"),
        "active": elevations.active()
        .filter(pk__in=elevations.visible_to(user).values("pk"))
        .order_by("ends_at"),
        "own": elevations.of_user(user).order_by("-created_at")[:OWN_LISTED],
        "now": timezone.now(),
    }
    return render(request, "portal/elevations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def elevation_new(request: HttpRequest) -> HttpResponse:
    choices = _usable_choices(request.user)
    initial = {"profile": request.GET.get("profile", "")}
    form = forms.ElevationForm(request.POST or None, profiles=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        section = ConfigSection.objects.select_related("team").filter(pk=form.cleaned_data["profile"]).first()
        if section is None:
            raise Http404("no such profile")
        try:
            made = elevations.request_elevation(
                request.user, section, form.cleaned_data["duration"], form.cleaned_data["reason"], request
            )
        except elevations.NotVisible:
            raise Http404("no such profile") from None
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(
                request, f"Asked for Write on {elevations.address(made)}; an owner or admin decides."
            )
            return redirect("portal:elevation", elevation_id=made.pk)
    limit = settings.CONSOLE_ELEVATION_MAX_HOURS
    return render(request, "portal/elevation_new.html", {"form": form, "max_hours": limit})


def _usable_choices(user: Any) -> list[tuple[str, str]]:
    return [
        (str(section.pk), f"{team.slug}/{section.name}") for team, section in teams.usable_team_profiles(user)
    ]


@login_required
def elevation_detail(request: HttpRequest, elevation_id: int) -> HttpResponse:
    found = _visible(request, elevation_id)
    context = {
        "elevation": found,
        "may_decide": elevations.decidable_by(request.user).filter(pk=found.pk).exists(),
        "may_end": (found.is_active or found.is_pending)
        and (
            found.requester_id == request.user.pk
            or request.user.has_perm("teams.approve_elevations", found.team)
        ),
        "now": timezone.now(),
    }
    return render(request, "portal/elevation.html", context)


@login_required
@require_POST
def elevation_decide(request: HttpRequest, elevation_id: int) -> HttpResponse:
    decision, reason = request.POST.get("decision"), request.POST.get("reason", "")
    return _act(
        request,
        elevation_id,
        lambda: elevations.decide(request.user, elevation_id, decision, reason, request),
    )


@login_required
@require_POST
def elevation_end(request: HttpRequest, elevation_id: int) -> HttpResponse:
    return _act(request, elevation_id, lambda: elevations.end_elevation(request.user, elevation_id, request))


def _act(request: HttpRequest, elevation_id: int, act: Any) -> HttpResponse:
    try:
        done = act()
    except elevations.NotVisible:
        raise Http404("no such elevation") from None
    except PermissionDenied:
        messages.error(request, "Only the team's owners and admins may do this.")
    except TeamError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Elevation on {elevations.address(done)}: {done.status}.")
    return redirect("portal:elevation", elevation_id=elevation_id)


def _visible(request: HttpRequest, elevation_id: int) -> Any:
    try:
        return elevations.visible(request.user, elevation_id, request)
    except elevations.NotVisible:
        raise Http404("no such elevation") from None
