"""What a locked-out sign-in sees (django-axes' AXES_LOCKOUT_CALLABLE): the sign-in page,
HTTP 429, with how long the lock lasts and who can lift it.

A lock is per username and client address (settings.AXES_LOCKOUT_PARAMETERS), so it
ends at the last counted failure plus the cool-off; failures while locked are not counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so the time shown does not move."""

from __future__ import annotations

import math
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from console.accounts.clientip import client_ip


def minutes_left(username: str, ip: str | None) -> int:
    last = AccessAttempt.objects.filter(username=username, ip_address=ip).aggregate(at=Max("attempt_time"))[
        "at"
    ]
    if last is None:
        return 1
    seconds = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def lockout_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-ins; try again in {minutes} {unit} "
        "or ask an administrator to unlock your account."
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    # django-axes passes its arguments differently on its sync and async paths; what it
    # always leaves is the request's own record of the credentials that were locked out.
    candidates = (getattr(request, "axes_credentials", None), credentials, original_response)
    recorded = next((c for c in candidates if isinstance(c, dict)), {})
    username = str(recorded.get("username") or request.POST.get("username", ""))
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout": lockout_message(minutes_left(username, client_ip(request))),
        "next": "",
    }
    return render(request, "registration/login.html", context, status=429)
