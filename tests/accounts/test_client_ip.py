"""The address django-axes counts failures by: the connection's peer under the ASGI
server, or, behind CONSOLE_TRUSTED_PROXIES proxies, the address the outermost one saw
(read from the right of X-Forwarded-For, which the client can write to on the left)."""

from __future__ import annotations

import io

import httpx
import pytest
from axes.models import AccessAttempt
from django.core.handlers.asgi import ASGIRequest

from console.accounts.clientip import client_ip

SCOPE = {"type": "http", "method": "GET", "path": "/accounts/login/", "query_string": b"", "headers": []}


def request(client: tuple[str, int] | None, forwarded: str | None = None) -> ASGIRequest:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {**SCOPE, "client": client, "headers": headers}
    return ASGIRequest(scope, io.BytesIO())


def test_it_is_the_peer_of_the_asgi_connection(settings):
    settings.CONSOLE_TRUSTED_PROXIES = 0
    assert client_ip(request(("203.0.113.7", 51234))) == "203.0.113.7"
    assert client_ip(request(("203.0.113.7", 51234), forwarded="198.51.100.1")) == "203.0.113.7"
    assert client_ip(request(None)) is None  # a unix socket has no peer address


def test_behind_trusted_proxies_it_reads_from_the_right(settings):
    settings.CONSOLE_TRUSTED_PROXIES = 1
    proxy = ("10.0.0.2", 443)
    assert client_ip(request(proxy, forwarded="198.51.100.9")) == "198.51.100.9"
    assert client_ip(request(proxy, forwarded="6.6.6.6, 198.51.100.9")) == "198.51.100.9"  # spoofed left part
    assert client_ip(request(proxy)) == "10.0.0.2"
    assert client_ip(request(proxy, forwarded="not-an-address")) == "10.0.0.2"
    settings.CONSOLE_TRUSTED_PROXIES = 2
    assert client_ip(request(proxy, forwarded="6.6.6.6, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"


@pytest.mark.django_db(transaction=True)
def test_failures_through_the_real_asgi_server_are_counted_by_the_peer_address(stack, alice):
    with httpx.Client(base_url=stack.url) as http:
        http.get("/accounts/login/")
        token = http.cookies["csrftoken"]
        form = {"username": "alice", "password": "wrong", "csrfmiddlewaretoken": token}
        for _ in range(5):
            last = http.post("/accounts/login/", data=form, headers={"X-Forwarded-For": "6.6.6.6"})
    assert last.status_code == 429
    assert "Too many failed sign-ins" in last.text
    attempt = AccessAttempt.objects.get(username="alice")
    assert (attempt.ip_address, attempt.failures_since_start) == ("127.0.0.1", 5)
