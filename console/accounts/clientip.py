"""The client's IP address, as django-axes counts failed sign-ins by it.

Under the ASGI server (daphne), Django's `REMOTE_ADDR` is the peer of the connection
(`scope["client"]`). Behind a reverse proxy that is the proxy, which would put every user
behind one address; the proxy's `X-Forwarded-For` names the client, but the client can
write anything into that header, and proxies append to it. So the address is read from
the right: with `CONSOLE_TRUSTED_PROXIES` = N proxies in front of the console, the N-th
entry from the right is the address the outermost trusted proxy saw. With 0 (the default,
no proxy), the header is ignored. daphne's own `--proxy-headers` is not used: it takes
the left-most entry, which the client writes."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid(str(request.META.get("REMOTE_ADDR") or ""))
    proxies = settings.CONSOLE_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies]) or remote
