"""Which hosts a signed request may go to. A user-supplied endpoint would otherwise make
the server send signed requests anywhere: instance metadata, Redis, internal services.

- Only hosts matching CONSOLE_ENDPOINT_ALLOWLIST pass (comma-separated `host` or
  `host:port` patterns, `*` matching any run of characters).
- A host written as an address, in any notation the C library accepts (`127.0.0.1`,
  `2130706433`, `0x7f000001`, `0177.1`, `[::1]`), passes only if an entry without a
  wildcard names it exactly as written: numbers never match a name pattern.
- A name that passes through a wildcard entry is resolved once, before any connection,
  and refused if any of its addresses is loopback, link-local (169.254.169.254), private,
  or otherwise not globally routable. Entries without a wildcard are the administrator's
  explicit choice (the local sandbox on 127.0.0.1) and are not second-guessed.
- Plain http only for entries without a wildcard.
- An endpoint is scheme, host and port: a path (other than `/`), query or fragment is
  refused, as the AWS CLI's endpoints have none. The allow-list names hosts, and a host
  such as the sandbox serves other things under other paths (moto's `/moto-api/`
  control plane); the operation, not the user, chooses the path of each request.

The address is checked, not pinned: botocore's HTTP layer resolves the name again when it
connects, and pinning would mean replacing its connection classes. The default entries are
AWS-owned zones, where a DNS rebinding attack is not in an attacker's hands; see
docs/credentials.md. Every request a client sends is re-checked by name just before it is
sent (clients.py, `check_request_url`: host only, a request has a path), so a redirect to
another host is refused too."""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import socket
import threading
import time
from functools import lru_cache
from urllib.parse import urlsplit

from credentials.errors import EndpointHasPath, EndpointNotAllowed

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_RESOLVED_FOR = 60.0
_resolved: dict[str, tuple[float, tuple[str, ...]]] = {}
_resolved_lock = threading.Lock()


@lru_cache(maxsize=8)
def _patterns(spec: str) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in spec.split(",") if item.strip())


def allowlist() -> tuple[str, ...]:
    from django.conf import settings

    return _patterns(settings.CONSOLE_ENDPOINT_ALLOWLIST)


def as_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host string denotes if it is a number in any notation, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def check_endpoint(url: str, *, resolve: bool = True) -> str:
    """Return the endpoint URL unchanged if it may be used, else raise EndpointNotAllowed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise EndpointNotAllowed(url, "it is not a valid URL") from None
    # Whatever follows scheme://netloc: a path, query or fragment, even an empty "?".
    rest = url[len(parts.scheme) + len("://") + len(parts.netloc) :] if parts.netloc else ""
    if rest not in ("", "/"):
        raise EndpointHasPath(url, rest)
    return check_request_url(url, resolve=resolve)


def check_request_url(url: str, *, resolve: bool = False) -> str:
    """The host check of check_endpoint for a request about to be sent, whatever its path."""
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
    shown = f"[{host}]" if ":" in host else host
    hostport = f"{shown}:{port}" if port else shown
    address = as_address(host)
    if address is None and not _NAME.match(host):
        raise EndpointNotAllowed(url, f"{host!r} is not a valid host name")
    pattern = _matching_pattern(shown, hostport, literal_only=address is not None)
    if pattern is None:
        if address is not None:
            raise EndpointNotAllowed(
                url, f"{hostport} is an address ({address}), not a name on the endpoint allow-list"
            )
        raise EndpointNotAllowed(url, f"{hostport} is not on the endpoint allow-list")
    if "*" in pattern:
        if parts.scheme == "http":
            raise EndpointNotAllowed(url, "AWS endpoints must use https")
        if resolve:
            _refuse_internal_addresses(url, host)
    return url


def _matching_pattern(host: str, hostport: str, *, literal_only: bool) -> str | None:
    for pattern in allowlist():
        if literal_only:
            if pattern in (host, hostport):
                return pattern
            continue
        if fnmatch.fnmatchcase(hostport, pattern) or (
            ":" not in pattern.strip("[]") and fnmatch.fnmatchcase(host, pattern)
        ):
            return pattern
    return None


def _refuse_internal_addresses(url: str, host: str) -> None:
    for text in _addresses(host):
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not address.is_global:
            raise EndpointNotAllowed(url, f"{host} resolves to {address}, which is not a public address")


def _addresses(host: str) -> tuple[str, ...]:
    now = time.monotonic()
    with _resolved_lock:
        hit = _resolved.get(host)
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        found = tuple(sorted({str(info[4][0]) for info in infos}))
    except OSError:
        found = ()  # unresolvable: no connection can be made, so nothing to protect
    with _resolved_lock:
        _resolved[host] = (now + _RESOLVED_FOR, found)
    return found
