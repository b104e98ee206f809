"""The console's own web origins: scheme, host and port, compared whole.

A page on another port or scheme of the same host is another site (cookies do not say
so: they are shared across ports), so every Origin check in the console compares the
full origin against this list, never the host name alone. The list is one setting,
`CONSOLE_ORIGINS`, that feeds both the websocket check (console/terminal/auth.py) and
Django's CSRF check (`CSRF_TRUSTED_ORIGINS`). Django-free, so settings can use it."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class OriginError(ValueError):
    pass


def normalize_origin(value: str) -> str:
    """`scheme://host[:port]` in the form browsers send in `Origin` (lower case, no
    default port), so a plain string comparison is an exact origin comparison."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise OriginError(f"{value!r} is not an origin (scheme://host[:port])") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host or "*" in host:
        raise OriginError(f"{value!r} is not an origin: use http(s)://host[:port], no wildcards")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise OriginError(f"{value!r} is not an origin: it has more than scheme://host[:port]")
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalize_origins(values: list[str]) -> list[str]:
    """Every entry normalized (raising OriginError on the first bad one), duplicates dropped."""
    return list(dict.fromkeys(normalize_origin(value) for value in values))


def local_origins(port: int) -> list[str]:
    """The local console's origins: plain http on its own port, under each loopback name."""
    return normalize_origins([f"http://{host}:{port}" for host in LOCAL_HOSTS])


def https_origins(hosts: list[str]) -> list[str]:
    """A production default: https on the default port for each exact name in
    ALLOWED_HOSTS (wildcard entries name no single origin, so they are skipped)."""
    return normalize_origins(
        [f"https://{host}" for host in hosts if host and not host.startswith((".", "*"))]
    )


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Whether a request's Origin header is one of the console's own origins."""
    if not origin or origin == "null":
        return False
    try:
        return normalize_origin(origin) in allowed
    except OriginError:
        return False
