"""Bearer-token authentication for the REST API, and the decorator every API view wears.

The API ignores the session cookie on purpose: a request is authenticated by its
`Authorization: Bearer` header alone, which a browser never adds by itself, so there is
nothing for a cross-site request to ride on and the views are exempt from CSRF checks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from console.api.errors import ApiError, MethodNotAllowed, NotAuthenticated
from console.api.tokens import user_for_token

log = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
CHALLENGE = 'Bearer realm="api"'


def authenticate(request: HttpRequest) -> Any:
    """The user named by the request's bearer token; raises NotAuthenticated otherwise."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise NotAuthenticated("authentication required: send Authorization: Bearer <token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("use Authorization: Bearer <token>", code="invalid_token")
    user = user_for_token(token.strip())
    if user is None:
        log.warning("api: refused an invalid or revoked token from %s", _client(request))
        raise NotAuthenticated("invalid or revoked token", code="invalid_token")
    return user


def api_view(*methods: str) -> Callable[[View], View]:
    """Authenticate by bearer token, allow only `methods`, and turn ApiError into JSON."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                request.user = authenticate(request)
                if request.method not in methods:
                    raise MethodNotAllowed(f"use {' or '.join(methods)} here")
                response = view(request, *args, **kwargs)
            except ApiError as exc:
                response = error_response(exc, methods)
            # Runs carry command output; no proxy or browser cache should keep a copy.
            response["Cache-Control"] = "no-store"
            return response

        return csrf_exempt(wrapper)

    return decorate


def error_response(exc: ApiError, methods: tuple[str, ...] = ()) -> JsonResponse:
    response = JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)
    if isinstance(exc, NotAuthenticated):
        challenge = CHALLENGE if exc.code == "unauthorized" else f'{CHALLENGE}, error="invalid_token"'
        response["WWW-Authenticate"] = challenge
    if isinstance(exc, MethodNotAllowed):
        response["Allow"] = ", ".join(methods)
    return response


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "?"))
