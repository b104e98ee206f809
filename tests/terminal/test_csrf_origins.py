"""State-changing HTTP requests: Django's CSRF check, fed by CONSOLE_ORIGINS, refuses
another port, scheme or host of the console's own origin even with a valid token; only
the bearer-token API is exempt from CSRF."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD

HOST = "localhost:8000"  # the local console's own origin is http://localhost:8000


def signed_in_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
    # django-axes checks every authenticate() against its lockouts, which needs a request.
    client.login(request=HttpRequest(), username=user.get_username(), password=PASSWORD)
    client.get("/", HTTP_HOST=HOST)  # the terminal page sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def sign_out(client: Client, token: str, origin: str):
    return client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN=origin)


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:9999", "https://localhost:8000", "http://evil.example:8000", "null"],
)
def test_it_refuses_a_post_from_another_origin_of_the_same_host(alice, origin):
    client, token = signed_in_client(alice)
    response = sign_out(client, token, origin)
    assert response.status_code == 403
    assert client.get("/", HTTP_HOST=HOST).status_code == 200  # still signed in


def test_it_accepts_a_post_from_the_consoles_own_origin(alice):
    client, token = signed_in_client(alice)
    response = sign_out(client, token, "http://localhost:8000")
    assert response.status_code == 302
    assert "/accounts/login/" in client.get("/", HTTP_HOST=HOST)["Location"]


def test_it_trusts_exactly_the_consoles_origins_for_csrf(settings):
    assert settings.CSRF_TRUSTED_ORIGINS == settings.CONSOLE_ORIGINS
    assert "http://localhost:8000" in settings.CSRF_TRUSTED_ORIGINS


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_it_exempts_from_csrf_only_the_bearer_token_api():
    exempt = [route for route, view in _patterns(get_resolver()) if getattr(view, "csrf_exempt", False)]
    assert exempt, "the API views are exempt (they ignore cookies)"
    # The files endpoints take a bearer token too, so they are exempt from the middleware
    # and check the CSRF token themselves for a session caller's changes
    # (tests/workspace/test_http_files.py::test_changes_need_the_csrf_token).
    assert all(route.startswith(("api/v1/", "files/")) for route in exempt), exempt
    assert any(route.startswith("files/") for route in exempt)
