"""The idle timeout and the absolute lifetime of a signed-in session.

Both clocks live in the session itself: when the sign-in began and when the user was last
seen (seconds since the epoch), set at sign-in. Every HTTP request and every terminal
command counts as activity, but the "seen" time is written at most once a minute
(`TOUCH_SECONDS`): a terminal command is on the hot path, and a session write per command
would cost more than the command's own bookkeeping. So the idle timeout is kept to within
a minute, always on the short side.

The session store's own expiry is set, at sign-in, to the lifetime plus one idle period:
the browser keeps sending the cookie a little past the lifetime, so the console can still
say why the user was signed out, and the row cannot outlive that in any case. A session
without the two times (one from before this scheme) counts as past its lifetime."""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.utils import timezone

STARTED = "console.signin.started"
SEEN = "console.signin.seen"
TOUCH_SECONDS = 60


class Ending(enum.StrEnum):
    IDLE = "idle"
    LIFETIME = "lifetime"


def start(session: Any, now: float | None = None) -> None:
    """Start both clocks; called at every sign-in (django.contrib.auth.login)."""
    now = time.time() if now is None else now
    session[STARTED] = session[SEEN] = int(now)
    keep = settings.CONSOLE_SESSION_MAX_SECONDS + settings.CONSOLE_SESSION_IDLE_SECONDS
    session.set_expiry(timezone.now() + timedelta(seconds=keep))


def ending(data: Mapping[str, Any], now: float | None = None) -> Ending | None:
    """Why this session's sign-in has ended, or None while it holds."""
    now = time.time() if now is None else now
    started, seen = data.get(STARTED), data.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return Ending.LIFETIME
    if now >= started + settings.CONSOLE_SESSION_MAX_SECONDS:
        return Ending.LIFETIME
    if now >= seen + settings.CONSOLE_SESSION_IDLE_SECONDS:
        return Ending.IDLE
    return None


def deadline(data: Mapping[str, Any]) -> float:
    """When the sign-in ends unless the user is seen before (epoch seconds)."""
    started, seen = data.get(STARTED), data.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return 0.0
    return float(
        min(started + settings.CONSOLE_SESSION_MAX_SECONDS, seen + settings.CONSOLE_SESSION_IDLE_SECONDS)
    )


def needs_touch(data: Mapping[str, Any], now: float | None = None) -> bool:
    now = time.time() if now is None else now
    seen = data.get(SEEN)
    return not isinstance(seen, int) or now - seen >= TOUCH_SECONDS


def touch(session: Any, now: float | None = None) -> None:
    session[SEEN] = int(time.time() if now is None else now)


def touch_stored(session_key: str, now: float | None = None) -> None:
    """Refresh the "seen" time of a stored session from outside a request (a terminal).
    A session that is gone stays gone: loading it must not create an empty one."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if STARTED not in store:
        return
    touch(store, now)
    store.save()
