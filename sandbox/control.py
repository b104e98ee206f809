"""The sandbox's control plane and the secret that guards it.

Design decision: moto's ``/moto-api/`` (reset, dump every account's state, record
requests, switch IAM enforcement off) and the sandbox's own ``/_sandbox/`` admin
endpoints bypass IAM, and anything that can reach the port can reach them: the
console's users too, since the console sends their requests to the sandbox. Being
on loopback proves nothing (the console's worker is on loopback). So each server
start has its own random secret, known only to the process that started it (and
through it to the seeder); a control request without it is answered 403 before moto
or the Identity Center sees it. The console never holds the secret, so no command a
user types can present it.

The secret reaches the server in its environment (``SandboxProcess``) or is made by
the server and written to an owner-only file (``--control-secret-file``, for docker
compose, where the seeder runs in another container).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxError

HEADER = "x-sandbox-control-secret"  # noqa: S105 (a header name, not a secret)
_ENVIRON_KEY = "HTTP_" + HEADER.upper().replace("-", "_")
SECRET_ENV = "SANDBOX_CONTROL_SECRET"  # noqa: S105 (a variable name, not a secret)
# moto routes every path starting with /moto-api to its control API (werkzeug_app);
# the same test here, on the same decoded PATH_INFO, so nothing slips between them.
CONTROL_PREFIXES = ("/moto-api", "/_sandbox/")
# A readiness probe that needs no secret and tells nothing.
HEALTH_PATH = "/_health"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def write_secret_file(path: str | Path, secret: str) -> None:
    """Write the secret readable by its owner only, replacing any older one whole."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    os.replace(partial, target)


def is_control_path(path: str) -> bool:
    return path.startswith(CONTROL_PREFIXES)


class ControlGate:
    """WSGI: control paths only with the secret; the health probe; everything else passes."""

    def __init__(self, app: WSGIApp, secret: str) -> None:
        if not secret:
            raise SandboxError("the sandbox needs a control secret")
        self.app = app
        self._secret = secret.encode()

    def __repr__(self) -> str:
        return "<ControlGate secret=***>"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return _json(start_response, "200 OK", {"status": "ok"})
        if is_control_path(path) and not self._presented(environ):
            return _json(start_response, "403 Forbidden", {"error": "the sandbox control secret is required"})
        return self.app(environ, start_response)

    def _presented(self, environ: Environ) -> bool:
        given = environ.get(_ENVIRON_KEY, "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self._secret)


def _json(start_response: StartResponse, status: str, body: dict[str, str]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def post(url: str, path: str, secret: str, body: bytes, content_type: str) -> dict[str, Any]:
    """POST to a control endpoint with the secret; the JSON answer, or SandboxError."""
    if not url.startswith(("http://", "https://")):
        raise SandboxError(f"the sandbox URL must start with http:// or https://, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
        f"{url}{path}", data=body, method="POST", headers={"Content-Type": content_type, HEADER: secret}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http(s) checked above)
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise SandboxError(f"the sandbox at {url} refused {path} ({exc.code}): {detail}") from exc
    except (OSError, ValueError) as exc:
        raise SandboxError(f"could not reach {path} on the sandbox at {url}: {exc}") from exc
