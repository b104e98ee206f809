"""Uploading and downloading profile files. Thin: authenticate, read the form, call one
service, answer. The profiles page comes with the portal; these endpoints serve it and
scripts (session login, CSRF-protected)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from credentials import services
from credentials.configfiles import ConfigFileError

MAX_FILE_BYTES = 256 * 1024


def _text(request: HttpRequest, name: str) -> str:
    upload = request.FILES.get(name)
    if upload is not None:
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise ConfigFileError(f"The {name} file is larger than {MAX_FILE_BYTES // 1024} KiB")
        return upload.read().decode("utf-8", errors="replace")
    return request.POST.get(name, "")


@login_required
@require_POST
def import_files(request: HttpRequest) -> JsonResponse:
    try:
        result = services.import_files(request.user, _text(request, "config"), _text(request, "credentials"))
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
