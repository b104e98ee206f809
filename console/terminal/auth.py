"""Websocket authentication: the session cookie for browsers, `Authorization: Bearer`
for automation clients. A bearer token wins over a cookie when both are sent."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from console.api.tokens import user_for_token


def _bearer_token(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return ""
    return None


class BearerTokenMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = _bearer_token(scope)
        if token is not None:
            from django.contrib.auth.models import AnonymousUser

            user = await database_sync_to_async(user_for_token)(token) if token else None
            scope = dict(scope, user=user or AnonymousUser(), auth_method="bearer")
        return await super().__call__(scope, receive, send)


def TerminalAuthStack(inner: Any) -> Any:
    # Session auth runs first and sets scope["user"]; the bearer layer then overrides it.
    return AuthMiddlewareStack(BearerTokenMiddleware(inner))
