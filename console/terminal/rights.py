"""Whether a terminal's rights still hold: the ones it was opened with, checked again.

A websocket's scope keeps the user it was opened as, so an expired or deleted session, a
deactivated user, a new password or a revoked API token would otherwise leave a working
terminal. The consumer checks before every command (and when a signal asks it to); the
check is one indexed query, so it costs less than the command's own audit write.

For a session, "holds" means what Django's own `get_user` means on each HTTP request: the
session still exists and has not expired, the user is active, and the hash of their
password stored in the session at sign-in still matches (a new password ends every other
session); and what the sign-in middleware means (console/accounts): the session is within
its idle timeout and its lifetime. A command is activity, so it refreshes the idle clock
(at most one session write a minute). Whether the sign-in has done its second step (a
code, or an enrolment the settings require) is checked when the terminal opens and when a
signal asks (a device removed, a team role changed), not on every command: it costs more
queries, and nothing but those changes can undo it.

For a bearer connection it means the token is not revoked and its user active; tokens are
credentials of their own, without the session's timeouts or second factor."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from console.accounts import sessionclock
from console.accounts.services import Step, next_step, verified_in_session
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


def rights_hold(rights: Rights, *, activity: bool = False, second_factor: bool = False) -> bool:
    """`activity`: the check is for a command, which keeps the session from going idle.
    `second_factor`: also check that the sign-in has done its second step."""
    if rights.by_token:
        return _token_holds(rights)
    found = _session_of(rights)
    if found is None:
        return False
    user, data = found
    if sessionclock.ending(data) is not None:
        return False
    if second_factor and next_step(user, verified=verified_in_session(user, data)) is not Step.DONE:
        return False
    if activity and sessionclock.needs_touch(data):
        sessionclock.touch_stored(str(rights.session_key))
    return True


def signin_deadline(rights: Rights) -> float | None:
    """When the terminal's sign-in ends unless there is activity first (epoch seconds);
    None for a token, which has no such end, or a session that is already gone."""
    if rights.by_token:
        return None
    found = _session_of(rights)
    return sessionclock.deadline(found[1]) if found else None


def _token_holds(rights: Rights) -> bool:
    """Plain SQL, built once per process: it runs before every command of a bearer terminal,
    and the ORM's compile of the join cost more than the statement."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [rights.token_hash, rights.user_id])
        return cursor.fetchone() is not None


@functools.cache
def _token_sql() -> str:
    tokens, users = ApiToken._meta.db_table, get_user_model()._meta.db_table
    return (
        f"SELECT 1 FROM {tokens} JOIN {users} ON {users}.id = {tokens}.user_id "
        f"WHERE {tokens}.token_hash = %s AND {tokens}.user_id = %s "
        f"AND {tokens}.revoked_at IS NULL AND {users}.is_active"
    )


def _session_of(rights: Rights) -> tuple[Any, dict[str, Any]] | None:
    """The user and the session's data, while the session lives, the user is active and
    their password is the one the session was signed in with."""
    if not rights.session_key or not rights.session_hash:
        return None
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store_class, DbSessionStore):  # one query: the session is a subquery
        user = _user_with_session(rights.user_id, rights.session_key, store_class.get_model_class())
        data = store_class().decode(user.session_data) if user is not None and user.session_data else None
    else:
        user = get_user_model()._default_manager.filter(pk=rights.user_id, is_active=True).first()
        data = store_class(rights.session_key).load() or None
    if user is None or data is None or not _hash_matches(user, rights.session_hash):
        return None
    return user, data


def _user_with_session(user_id: int, session_key: str, session_model: Any) -> Any:
    """The active user, with the live session's `session_data` (None if it has expired or is
    gone). Plain SQL built once per process (every command of a browser terminal runs it)."""
    now = session_model._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
    users = get_user_model()._default_manager.raw(
        _session_sql(session_model._meta.db_table), [session_key, now, user_id]
    )
    return next(iter(users), None)


@functools.cache
def _session_sql(sessions: str) -> str:
    users = get_user_model()._meta.db_table
    live = f"SELECT session_data FROM {sessions} WHERE session_key = %s AND expire_date > %s"
    return f"SELECT {users}.*, ({live}) AS session_data FROM {users} WHERE id = %s AND is_active"


def _hash_matches(user: Any, session_hash: str) -> bool:
    """As `django.contrib.auth.get_user`: the current secret key, then its fallbacks."""
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(constant_time_compare(session_hash, h) for h in user.get_session_auth_fallback_hash())
