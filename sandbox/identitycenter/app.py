"""The WSGI front of the sandbox server: Identity Center requests here, the rest to moto.

Design decision: one server, one URL. A request is Identity Center's when its path
and method are those of an ``sso-oidc`` or ``sso`` operation *and* it carries no
``Authorization`` header (botocore sends these operations unsigned: the oidc ones
with no auth at all, the portal ones with the ``x-amz-sso_bearer_token`` header),
or when it is for the verification page, the portal start page or the admin
endpoint. Everything else, including any SigV4-signed request that happens to
share a path, goes to moto untouched, so moto's IAM enforcement never sees (or
counts) Identity Center traffic.

The admin endpoint ``/_sandbox/identity-center`` configures the directory, the
assignments, the broker key and the lifetimes. Like ``/moto-api/`` it is behind the
server's control secret (sandbox.control.ControlGate, in front of this app), so no
request a console user makes reaches it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from sandbox.identitycenter import oidc, portal, verification
from sandbox.identitycenter.state import IdentityCenter, IdentityCenterError
from sandbox.identitycenter.wire import Reply, encode

ADMIN_PATH = "/_sandbox/identity-center"
START_PATH = "/start"
PASSWORD_ENV = "SANDBOX_SSO_PASSWORD"  # noqa: S105 (a name, not a secret)
DEMO_DIRECTORY_USER = "demo"
# Where the server's request handler puts the x-amz-sso_bearer_token header, which
# werkzeug would drop (it has an underscore); see sandbox.server.
BEARER_TOKEN_HEADER = "x-amz-sso_bearer_token"  # noqa: S105 (a name, not a secret)
BEARER_TOKEN_ENVIRON = "sandbox.sso_bearer_token"  # noqa: S105 (a name, not a secret)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class IdentityCenterApp:
    def __init__(self, moto_app: WSGIApp, moto_url: str, center: IdentityCenter | None = None) -> None:
        self.moto_app = moto_app
        self.center = center or IdentityCenter()
        self.center.start_urls.add(f"{moto_url}{START_PATH}")
        if os.environ.get(PASSWORD_ENV):
            self.center.users[DEMO_DIRECTORY_USER] = os.environ[PASSWORD_ENV]
        self.broker = portal.RoleBroker(moto_url)
        self.tickets = verification.Tickets()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        handler = self._route(environ)
        if handler is None:
            return self.moto_app(environ, start_response)
        return handler(environ, start_response)

    def _route(self, environ: Environ) -> Callable[[Environ, StartResponse], Iterable[bytes]] | None:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == ADMIN_PATH:
            return self._admin
        if path in ("/device", "/device/signin", "/device/confirm", START_PATH, START_PATH + "/"):
            return self._page
        if "HTTP_AUTHORIZATION" in environ:
            return None
        if method == "POST" and path in oidc.OPERATIONS:
            return self._oidc
        if (method, path) in portal.OPERATIONS or (method, path) == ("POST", "/logout"):
            return self._portal
        return None

    # --- the APIs --------------------------------------------------------------------

    def _oidc(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = json.loads(_read(environ) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return _respond(
                start_response, oidc.oauth_error(IdentityCenterError("invalid_request", "Invalid JSON"))
            )
        try:
            reply = oidc.OPERATIONS[environ["PATH_INFO"]](self.center, body, _base_url(environ))
        except IdentityCenterError as exc:
            reply = oidc.oauth_error(exc)
        return _respond(start_response, reply)

    def _portal(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        token = environ.get(BEARER_TOKEN_ENVIRON)
        try:
            if environ["PATH_INFO"] == "/logout":
                reply = portal.logout(self.center, token)
            else:
                session = self.center.session_for(token)
                query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
                operation = portal.OPERATIONS[(environ["REQUEST_METHOD"], environ["PATH_INFO"])]
                reply = operation(self.center, session, query, self.broker)
        except IdentityCenterError as exc:
            reply = portal.portal_error(exc)
        return _respond(start_response, reply)

    # --- pages -----------------------------------------------------------------------

    def _page(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if path.startswith(START_PATH):
            page = verification.start_page(f"{_base_url(environ)}{START_PATH}")
        elif method == "GET" and path == "/device":
            page = verification.sign_in_page(query.get("user_code", ""))
        elif method == "POST" and path == "/device/signin":
            page = verification.sign_in(self.center, self.tickets, _form(environ))
        elif method == "POST" and path == "/device/confirm":
            ticket = _cookies(environ).get(verification.COOKIE)
            page = verification.confirm(self.center, self.tickets, _form(environ), ticket)
        else:
            page = verification.Page(405, "method not allowed")
        body = page.body.encode()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        headers.append(("Cache-Control", "no-store"))
        if page.cookie:
            headers.append(
                ("Set-Cookie", f"{verification.COOKIE}={page.cookie}; Path=/device; HttpOnly; SameSite=Lax")
            )
        start_response(f"{page.status} {'OK' if page.status == 200 else 'Error'}", headers)
        return [body]

    # --- admin -----------------------------------------------------------------------

    def _admin(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            try:
                config = json.loads(_read(environ))
                broker = config.pop("broker", None)
                self.center.configure(config)
                if broker:
                    self.broker.configure(broker["access_key_id"], broker["secret_access_key"])
            except (ValueError, TypeError, KeyError) as exc:
                return _respond(start_response, Reply(400, {"error": f"bad configuration: {exc}"}))
        summary = {
            "start_urls": sorted(self.center.start_urls),
            "users": sorted(self.center.users),
            "lifetimes": vars(self.center.lifetimes),
        }
        return _respond(start_response, Reply(200, summary))


def _respond(start_response: StartResponse, reply: Reply) -> Iterable[bytes]:
    status, headers, body = encode(reply)
    start_response(status, headers)
    return [body]


def _read(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def _form(environ: Environ) -> dict[str, str]:
    return dict(parse_qsl(_read(environ).decode("utf-8", "replace")))


def _cookies(environ: Environ) -> dict[str, str]:
    pairs = (part.strip().split("=", 1) for part in environ.get("HTTP_COOKIE", "").split(";") if "=" in part)
    return {name: value for name, value in pairs}


def _base_url(environ: Environ) -> str:
    # The URL the client used, so the verification link works from where it asked.
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
