from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_required
def terminal(request: HttpRequest) -> HttpResponse:
    context = {"ws_path": "/ws/terminal/", "max_command_length": settings.CONSOLE_MAX_COMMAND_LENGTH}
    return render(request, "terminal/terminal.html", context)


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
