"""Whether a terminal's rights still hold: the ones it was opened with, checked again.

A websocket's scope keeps the user it was opened as, so an expired or deleted session, a
deactivated user, a new password or a revoked API token would otherwise leave a working
terminal. The consumer checks before every command (and when a signal asks it to); the
check is one indexed query, so it costs less than the command's own audit write.

For a session, "holds" means what Django's own `get_user` means on each HTTP request: the
session still exists and has not expired, the user is active, and the hash of their
password stored in the session at sign-in still matches (a new password ends every other
session). For a bearer connection it means the token is not revoked and its user active."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db.models import Exists
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from console.api.models import ApiToken


@dataclass(frozen=True)
class Rights:
    """What a terminal was opened with. Never sent anywhere; only compared."""

    user_id: int
    session_key: str | None = None
    session_hash: str = ""
    token_hash: str | None = None

    @property
    def by_token(self) -> bool:
        return self.token_hash is not None

    def __repr__(self) -> str:
        return f"<Rights user={self.user_id} by_token={self.by_token}>"


def rights_of(scope: dict[str, Any]) -> Rights:
    """Read from the scope at connect time (the session is already loaded by then)."""
    user_id = scope["user"].pk
    if scope.get("auth_method") == "bearer":
        return Rights(user_id, token_hash=scope["token_hash"])
    session = scope["session"]
    return Rights(user_id, session_key=session.session_key, session_hash=session.get(HASH_SESSION_KEY, ""))


def rights_hold(rights: Rights) -> bool:
    if rights.by_token:
        return _token_holds(rights)
    return _session_holds(rights)


def _token_holds(rights: Rights) -> bool:
    return ApiToken.objects.filter(
        token_hash=rights.token_hash, user_id=rights.user_id, revoked_at__isnull=True, user__is_active=True
    ).exists()


def _session_holds(rights: Rights) -> bool:
    if not rights.session_key or not rights.session_hash:
        return False
    users = get_user_model()._default_manager.filter(pk=rights.user_id, is_active=True)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store_class, DbSessionStore):  # one query: the session is a subquery
        live = store_class.get_model_class().objects.filter(
            session_key=rights.session_key, expire_date__gt=timezone.now()
        )
        user = users.annotate(session_live=Exists(live)).only("pk", "password").first()
        return user is not None and bool(user.session_live) and _hash_matches(user, rights.session_hash)
    user = users.only("pk", "password").first()
    live_elsewhere = bool(store_class(rights.session_key).load())
    return user is not None and live_elsewhere and _hash_matches(user, rights.session_hash)


def _hash_matches(user: Any, session_hash: str) -> bool:
    """As `django.contrib.auth.get_user`: the current secret key, then its fallbacks."""
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(constant_time_compare(session_hash, h) for h in user.get_session_auth_fallback_hash())
