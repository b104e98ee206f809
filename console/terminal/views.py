"""The terminal page. `?prefill=<run id>` ("Edit and re-run" on a run page) opens it with
that run's line at the first prompt, as the server stored it (redacted): the line is read
here, behind the same access check as the run page, never passed in the URL."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from console.audit.access import visible_run
from console.runs import lifecycle


@login_required
def terminal(request: HttpRequest) -> HttpResponse:
    context = {
        "ws_path": "/ws/terminal/",
        "max_command_length": settings.CONSOLE_MAX_COMMAND_LENGTH,
        "prefill": _prefill(request),
    }
    return render(request, "terminal/terminal.html", context)


def _prefill(request: HttpRequest) -> object:
    run_id = request.GET.get("prefill")
    if not run_id:
        return None
    run = visible_run(request.user, run_id)
    if run is None:  # the terminal opens empty, as for a run that does not exist
        lifecycle.log_denied(request.user, run_id, "prefill")
    return run


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
