"""My profiles: the personal sections (list, create, edit, delete with the same form as a
team's, secrets masked), and importing and exporting the profile files.

`/profiles/import` is also the endpoint scripts have posted files to (JSON in, JSON out,
credentials/views.py): a browser's form post asks for HTML and gets the page; any other
client keeps getting the JSON answer it always got."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console.portal import forms
from console.portal.access import personal_section
from console.portal.sections import describe, masked_secrets
from console.portal.services import ProfileExists, delete_personal_profile, save_personal_profile
from console.portal.views.common import refuse
from console.teams import services as teams
from credentials import configfiles
from credentials import services as profiles
from credentials import views as file_endpoints
from credentials.configfiles import ConfigFileError
from credentials.errors import CredentialError
from credentials.models import ConfigSection


@login_required
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    mine = ConfigSection.objects.filter(owner=request.user, team__isnull=True).order_by("kind", "name")
    context = {
        "sections": [describe(s, with_secrets=True) for s in mine],
        "team_profiles": teams.usable_team_profiles(request.user),
        "terminal_url": reverse("terminal"),
    }
    return render(request, "portal/profiles.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_new(request: HttpRequest) -> HttpResponse:
    form_class = forms.SECTION_FORMS.get(request.GET.get("kind", "profile"), forms.ProfileForm)
    form = form_class(request.POST or None, team=False)
    if request.method == "POST" and form.is_valid() and _save(request, form, None):
        messages.success(request, f"Profile {form.cleaned_data['name']} saved.")
        return redirect("portal:profiles")
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, section_id: uuid.UUID) -> HttpResponse:
    section = personal_section(request, section_id)
    form_class = forms.SECTION_FORMS.get(section.kind, forms.ProfileForm)
    form = form_class(
        request.POST or None, team=False, section=section, stored_secrets=masked_secrets(section)
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, section):
        messages.success(request, f"Profile {section.name} saved.")
        return redirect("portal:profiles")
    return _form_page(request, form, section)


def _save(request: HttpRequest, form: forms.SectionForm, section: ConfigSection | None) -> bool:
    try:
        save_personal_profile(
            request.user, form.KIND, form.cleaned_data["name"], form.values(), section=section
        )
    except (ProfileExists, CredentialError) as exc:
        refuse(form, exc)
        return False
    return True


def _form_page(request: HttpRequest, form: forms.SectionForm, section: ConfigSection | None) -> HttpResponse:
    context = {"form": form, "section": section, "kind": form.KIND}
    return render(request, "portal/profile_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_delete(request: HttpRequest, section_id: uuid.UUID) -> HttpResponse:
    section = personal_section(request, section_id)
    if request.method == "POST":
        delete_personal_profile(request.user, section)
        messages.success(request, f"[{configfiles.section_header(section.kind, section.name)}] deleted.")
        return redirect("portal:profiles")
    return render(request, "portal/profile_delete.html", {"section": section})


@login_required
@require_http_methods(["GET", "POST"])
def profile_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "text/html" not in request.headers.get("Accept", ""):
        return file_endpoints.import_files(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = profiles.import_files(
                request.user, form.cleaned_data["config"], form.cleaned_data["credentials"]
            )
        except ConfigFileError as exc:
            refuse(form, exc)
    return render(request, "portal/profile_import.html", {"form": form, "result": result})


@login_required
@require_GET
def profile_export(request: HttpRequest) -> HttpResponse:
    context = {
        "config": profiles.export_config(request.user),
        "download_url": reverse("credentials:download-config"),
    }
    return render(request, "portal/profile_export.html", context)
