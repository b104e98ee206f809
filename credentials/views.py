"""Uploading and downloading profile files. Thin: authenticate, read the form, call one
service, answer. The profiles page comes with the portal; these endpoints serve it and
scripts (session login, CSRF-protected). Size limits live in credentials/forms.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from credentials import services
from credentials.configfiles import ConfigFileError
from credentials.forms import ImportFilesForm


@login_required
@require_POST
def import_files(request: HttpRequest) -> JsonResponse:
    form = ImportFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"error": form.first_error()}, status=400)
    try:
        result = services.import_files(
            request.user, form.cleaned_data["config"], form.cleaned_data["credentials"]
        )
    except ConfigFileError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"saved": result.saved, "refused": result.refused, "ignored": result.ignored})


@login_required
@require_GET
def download_config(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.export_config(request.user), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="config"'
    response["Cache-Control"] = "no-store"
    return response
