"""A team's profiles: create and edit with the profile form, or paste a section; look at
one (settings, masked secrets, its grants, its guardrail policy), set its policy, test it
with a real run, open a terminal with it, delete it. Secrets are write-only: no page ever
carries one, masked or not, in a form field; the masked form `****************ABCD` is
shown to those who manage them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from console.engine import policies
from console.portal import forms
from console.portal.access import team_for, team_section
from console.portal.sections import describe, masked_secrets, team_address
from console.portal.services import test_command, test_profile
from console.portal.views.common import refuse
from console.runs import store
from console.runs.errors import RunError
from console.teams import elevations, rules
from console.teams import services as teams
from console.teams.models import Grant, Team
from console.teams.services import TeamError
from credentials import configfiles
from credentials.models import ConfigSection


@login_required
@require_http_methods(["GET", "POST"])
def profile_new(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    rules.require(request.user, "teams.manage_profiles", team)
    form_class = forms.SECTION_FORMS.get(request.GET.get("kind", "profile"), forms.ProfileForm)
    form = form_class(request.POST or None, team=True)
    if request.method == "POST" and form.is_valid():
        if section := _save(request, team, form):
            messages.success(request, f"Profile {team_address(section)} saved.")
            return redirect("portal:team-profile", slug=team.slug, section_id=section.pk)
    return _form_page(request, team, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, slug: str, section_id: uuid.UUID) -> HttpResponse:
    team = team_for(request, slug)
    section = team_section(request, team, section_id)
    rules.require(request.user, "teams.manage_profiles", team)
    form_class = forms.SECTION_FORMS.get(section.kind, forms.ProfileForm)
    form = form_class(
        request.POST or None, team=True, section=section, stored_secrets=masked_secrets(section)
    )
    if request.method == "POST" and form.is_valid():
        if _save(request, team, form):
            messages.success(request, f"Profile {team_address(section)} saved.")
            return redirect("portal:team-profile", slug=team.slug, section_id=section.pk)
    return _form_page(request, team, form, section)


def _save(request: HttpRequest, team: Team, form: forms.SectionForm) -> ConfigSection | None:
    try:
        return teams.save_team_profile(
            request.user, team, form.cleaned_data["name"], form.values(), kind=form.KIND
        )
    except TeamError as exc:
        refuse(form, exc)
        return None


def _form_page(
    request: HttpRequest, team: Team, form: forms.SectionForm, section: ConfigSection | None
) -> HttpResponse:
    context = {"team": team, "form": form, "section": section, "kind": form.KIND}
    return render(request, "portal/team_profile_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_paste(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for(request, slug)
    rules.require(request.user, "teams.manage_profiles", team)
    form = forms.PasteSectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = teams.import_team_section(request.user, team, form.cleaned_data["text"])
        except TeamError as exc:
            refuse(form, exc)
        else:
            names = ", ".join(f"[{configfiles.section_header(s.kind, s.name)}]" for s in saved)
            messages.success(request, f"Saved {names} in {team.slug}.")
            if len(saved) == 1 and saved[0].kind == "profile":
                return redirect("portal:team-profile", slug=team.slug, section_id=saved[0].pk)
            return redirect("portal:team", slug=team.slug)
    return render(request, "portal/team_profile_paste.html", {"team": team, "form": form})


@login_required
def profile_detail(request: HttpRequest, slug: str, section_id: uuid.UUID) -> HttpResponse:
    team = team_for(request, slug)
    return _detail_page(request, team, team_section(request, team, section_id))


def _detail_page(request: HttpRequest, team: Team, section: ConfigSection, **extra: object) -> HttpResponse:
    manages = request.user.has_perm("teams.manage_profiles", team)
    context = {
        "team": team,
        "profile": describe(section, with_secrets=manages),
        "address": team_address(section),
        "manages": manages,
        "can_use": request.user.has_perm("teams.use_profile", section),
        "grants": Grant.objects.filter(profile=section).select_related("user") if manages else [],
        "test_command": test_command(section),
        "policy": policies.describe(section.policy),
        "policy_rows": [(level, policies.decide(section.policy, level)) for level in policies.LEVELS],
        "policy_form": forms.PolicyForm(section=section) if manages else None,
        # Active elevations of this profile: everyone's for its managers, one's own else.
        "elevations": _elevations(request, section, manages),
        **extra,
    }
    return render(request, "portal/team_profile.html", context)


def _elevations(request: HttpRequest, section: ConfigSection, manages: bool) -> list[Any]:
    rows = elevations.active().filter(profile=section).order_by("ends_at")
    return list(rows if manages else rows.filter(requester_id=request.user.pk))


@login_required
@require_POST
def profile_policy(request: HttpRequest, slug: str, section_id: uuid.UUID) -> HttpResponse:
    team = team_for(request, slug)
    section = team_section(request, team, section_id)
    rules.require(request.user, "teams.manage_profiles", team, request)
    form = forms.PolicyForm(request.POST, section=section)
    if form.is_valid():
        try:
            teams.set_team_policy(
                request.user, section, form.policy(), production=form.cleaned_data["production"]
            )
        except TeamError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"Guardrail policy of {team_address(section)} saved.")
            return redirect("portal:team-profile", slug=team.slug, section_id=section.pk)
    return _detail_page(request, team, section, policy_form=form)


@login_required
@require_POST
def profile_test(request: HttpRequest, slug: str, section_id: uuid.UUID) -> HttpResponse:
    team = team_for(request, slug)
    section = team_section(request, team, section_id)
    rules.require(request.user, "teams.use_profile", section)
    try:
        run = test_profile(request.user, section)
    except RunError as exc:
        return _detail_page(request, team, section, test_error=exc.message)
    stdout, stderr = store.run_streams(run, request.user.pk)
    result = {"run": run, "stdout": stdout, "stderr": stderr}
    return _detail_page(request, team, section, test=result)


@login_required
@require_http_methods(["GET", "POST"])
def profile_delete(request: HttpRequest, slug: str, section_id: uuid.UUID) -> HttpResponse:
    team = team_for(request, slug)
    section = team_section(request, team, section_id)
    rules.require(request.user, "teams.manage_profiles", team)
    if request.method == "POST":
        try:
            teams.delete_team_profile(request.user, section)
        except TeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Profile {team_address(section)} deleted, with its grants.")
            return redirect("portal:team", slug=team.slug)
    context = {
        "team": team,
        "section": section,
        "address": team_address(section),
        "grants": section.grants.count(),
    }
    return render(request, "portal/team_profile_delete.html", context)
