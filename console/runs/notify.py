"""Doorbells on the channel layer. The layer is at-most-once (it drops messages over
capacity and during reconnects), so a notification carries only a run id: listeners read
the DB, and they also poll, so a lost doorbell delays output by one poll at worst.

Sync callers (the worker, services run in threads) share one event-loop thread per
process, so the layer's Redis connections are reused instead of being rebuilt per call
as `async_to_sync` would do."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def run_group(run_id: uuid.UUID | str) -> str:
    return f"run.{uuid.UUID(str(run_id)).hex}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-notify", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        log.warning("channel layer notification failed: %s", type(exc).__name__)


SEND_WAIT = 0.5


def send_to_group(group: str, message: dict[str, Any]) -> None:
    """Send and wait briefly; never raises. Waiting is what makes it fast: the caller
    blocks without the GIL, so the loop thread sends at once instead of queueing behind
    the caller's next Python work for up to a GIL switch interval. A Redis outage costs
    the caller at most SEND_WAIT; the listeners' poll covers the lost doorbell."""
    layer = get_channel_layer()
    if layer is not None:
        _send_and_wait(layer.group_send(group, message))


def send_to_channel(channel: str, message: dict[str, Any]) -> None:
    """As send_to_group, to one consumer's channel (bench/floor.py's doorbell)."""
    layer = get_channel_layer()
    if layer is not None:
        _send_and_wait(layer.send(channel, message))


def _send_and_wait(send: Coroutine[Any, Any, None]) -> None:
    try:
        future = asyncio.run_coroutine_threadsafe(send, _background_loop())
    except RuntimeError:
        send.close()
        return
    future.add_done_callback(_log_failure)
    # Failures are logged by the callback; a doorbell is never worth failing a run for.
    with contextlib.suppress(Exception):
        future.result(timeout=SEND_WAIT)


def notify_run(run_id: uuid.UUID | str) -> None:
    send_to_group(run_group(run_id), {"type": "run.changed", "run_id": str(run_id)})


def close_user_terminals(user_id: int) -> None:
    send_to_group(user_group(user_id), {"type": "terminal.close"})


def recheck_user_terminals(user_id: int) -> None:
    """Ask each open terminal of the user to check its rights again (and close if they
    are gone): for changes that end some sockets but not others, like one revoked token."""
    send_to_group(user_group(user_id), {"type": "terminal.recheck"})


def notify_user(user_id: int, message: str) -> None:
    """A one-line notice in each of the user's open terminals (a `notice` frame,
    docs/protocol.md): at most once, like every doorbell; the portal's list is the record."""
    send_to_group(user_group(user_id), {"type": "terminal.notice", "message": message})
