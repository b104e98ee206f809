"""The two gates every HTTP request passes once a user is signed in (after Django's
AuthenticationMiddleware and django-otp's OTPMiddleware):

- SessionLimitsMiddleware: a session past its idle timeout or its lifetime is signed out
  (audited, terminals closed) and the user is sent to the sign-in page, which says why;
  otherwise the request counts as activity (console/accounts/sessionclock.py).
- SecondFactorMiddleware: a sign-in that still owes its second step (a code, or an
  enrolment the settings require) reaches only that step, the sign-in page and sign-out;
  every other page, the admin and the API by session are refused.

The REST API authenticates by its bearer token alone and ignores the session
(console/api/auth.py), so a request under /api/ that carries an Authorization header is
judged by its token, not by the browser's sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from console.accounts import sessionclock
from console.accounts.services import Step, end_session, next_step

# The views a sign-in may reach while it owes its second step.
OPEN_VIEWS = {
    Step.CODE: frozenset({"login", "logout", "health", "accounts:code"}),
    Step.ENROL: frozenset({"login", "logout", "health", "accounts:enrol"}),
}
STEP_VIEWS = {Step.CODE: "accounts:code", Step.ENROL: "accounts:enrol"}


def _by_token(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") and "Authorization" in request.headers


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _with_next(url: str, request: HttpRequest, **extra: str) -> str:
    return f"{url}?{urlencode({**extra, 'next': request.get_full_path()})}"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not _by_token(request):
            ending = sessionclock.ending(request.session)
            if ending is not None:
                end_session(request, ending.value)
                return self.ended(request, ending)
            if sessionclock.needs_touch(request.session):
                sessionclock.touch(request.session)
        return self.get_response(request)

    def ended(self, request: HttpRequest, ending: sessionclock.Ending) -> HttpResponse:
        if _is_api(request):
            message = "your sign-in has ended; sign in again"
            return JsonResponse({"error": message, "code": "session_ended"}, status=401)
        login = reverse("login")
        if request.path == login:  # already on its way to sign in (a terminal that closed)
            return redirect(
                f"{login}?{urlencode({'reason': ending.value, 'next': request.GET.get('next', '')})}"
            )
        return redirect(_with_next(login, request, reason=ending.value))


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or _by_token(request):
            return None
        step = next_step(user, verified=user.is_verified())
        match = request.resolver_match
        if step is Step.DONE or (match is not None and match.view_name in OPEN_VIEWS[step]):
            return None
        if _is_api(request):
            message = "finish signing in (second factor) in the browser first"
            return JsonResponse({"error": message, "code": "second_factor_required"}, status=403)
        return redirect(_with_next(reverse(STEP_VIEWS[step]), request))
