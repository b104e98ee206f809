"""Which hosts a signed request may go to. A user-supplied endpoint would otherwise make
the server send signed requests anywhere: instance metadata, Redis, internal services.
Only hosts matching CONSOLE_ENDPOINT_ALLOWLIST pass; addresses given as numbers never
match a name pattern, and plain http is only for entries listed without a wildcard
(the local sandbox)."""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from urllib.parse import urlsplit

from credentials.errors import EndpointNotAllowed

@lru_cache(maxsize=8)
def _patterns(spec: str) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in spec.split(",") if item.strip())


def allowlist() -> tuple[str, ...]:
    from django.conf import settings

    return _patterns(settings.CONSOLE_ENDPOINT_ALLOWLIST)


def check_endpoint(url: str) -> str:
    """Return the URL unchanged if it may be used, else raise EndpointNotAllowed."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise EndpointNotAllowed(url, "it is not a valid URL") from None
    if parts.scheme not in {"https", "http"} or not host:
        raise EndpointNotAllowed(url, "it must be an http(s) URL with a host name")
    if parts.username or parts.password:
        raise EndpointNotAllowed(url, "it must not carry a user name or password")
    hostport = f"{host}:{port}" if port else host
    for pattern in allowlist():
        if fnmatch.fnmatchcase(hostport, pattern) or (":" not in pattern and fnmatch.fnmatchcase(host, pattern)):
            if parts.scheme == "http" and "*" in pattern:
                raise EndpointNotAllowed(url, "AWS endpoints must use https")
            return url
    raise EndpointNotAllowed(url, f"{hostport} is not on the endpoint allow-list")
