"""Websocket admission: the Origin check, then authentication.

Browsers authenticate with the session cookie, which they attach to a websocket
handshake from any page, so a cookie connection is admitted only from one of the
console's own origins (`CONSOLE_ORIGINS`: scheme, host and port compared whole; a page
on another port or scheme of the same host is another site). Automation clients send
`Authorization: Bearer`, which no browser adds by itself; such a connection is judged
by its token alone (the cookie is then ignored), so it needs no Origin. A bearer token
wins over a cookie when both are sent."""

from __future__ import annotations

import logging
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings

from console.api.tokens import hash_token, user_for_token
from console.origins import origin_allowed

log = logging.getLogger(__name__)


def _header(scope: dict[str, Any], wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def _bearer_token(scope: dict[str, Any]) -> str | None:
    """The bearer token; "" for an Authorization header of another kind; None without one."""
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return ""


class ConsoleOriginValidator:
    """Refuses the handshake (HTTP 403) of a cookie connection whose Origin is not one
    of the console's own, before any session is read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = _header(scope, b"origin")
        if _bearer_token(scope) or origin_allowed(origin, settings.CONSOLE_ORIGINS):
            return await self.inner(scope, receive, send)
        log.warning("terminal: refused a websocket from origin %r (not in CONSOLE_ORIGINS)", origin)
        return await _refuse_handshake(receive, send)


async def _refuse_handshake(receive: Any, send: Any) -> None:
    """A close before the accept, which the server answers with HTTP 403. Done here rather
    than with Channels' WebsocketDenier: that is a whole consumer, which takes a channel on
    the layer (a blocking Redis read) for every refused handshake until the client goes."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


class BearerTokenMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = _bearer_token(scope)
        if token is not None:
            from django.contrib.auth.models import AnonymousUser

            user = await database_sync_to_async(user_for_token)(token) if token else None
            # The hash, not the token, is kept: it is what the terminal re-checks by.
            scope = dict(
                scope, user=user or AnonymousUser(), auth_method="bearer", token_hash=hash_token(token)
            )
        return await super().__call__(scope, receive, send)


def TerminalAuthStack(inner: Any) -> Any:
    # Session auth runs first and sets scope["user"]; the bearer layer then overrides it.
    return AuthMiddlewareStack(BearerTokenMiddleware(inner))


def TerminalStack(inner: Any) -> Any:
    """The whole websocket stack: the Origin check outside everything else."""
    return ConsoleOriginValidator(TerminalAuthStack(inner))
