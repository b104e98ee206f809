"""Telling the user that a call is being retried.

botocore retries throttling and transient errors itself (exponential backoff with
jitter, per `retry_mode` and `max_attempts`). It builds a new request for every attempt
and announces it with the `request-created` event, whose request context carries the
attempt number. Clients are cached per process and shared by every command a worker
runs at once, so the listener cannot live on the client (nor in a thread-local, which
outlives the command): `notifying(client, listener)` gives one command a view of the
shared client whose calls carry the listener in botocore's own per-call context. A
`before-parameter-build` handler moves it there from the call's parameters before
botocore validates them, and `announce_retry` finds it on each attempt's request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

RetryListener = Callable[[str, int, int | None], None]

# The call parameter, and request-context key, that carries a command's listener.
LISTENER_KEY = "console_retry_listener"


def register(client: Any) -> None:
    """Install the two handlers on a newly created client (credentials/clients.py)."""
    events = client.meta.events
    events.register_first("before-parameter-build", _take_listener)
    events.register("request-created", announce_retry)


def _take_listener(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    listener = params.pop(LISTENER_KEY, None)
    if listener is not None:
        context[LISTENER_KEY] = listener


def announce_retry(request: Any, operation_name: str | None = None, **_: Any) -> None:
    context = getattr(request, "context", None) or {}
    listener: RetryListener | None = context.get(LISTENER_KEY)
    retries = context.get("retries") or {}
    attempt = int(retries.get("attempt") or 1)
    if listener is not None and attempt > 1:
        listener(operation_name or "the operation", attempt, retries.get("max"))


class NotifyingClient:
    """A shared botocore client as one command sees it: API methods and paginators pass
    the command's retry listener with every call; everything else is the client's."""

    def __init__(self, client: Any, listener: RetryListener) -> None:
        self._client = client
        self._listener = listener

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name in self._client.meta.method_to_api_mapping:
            return functools.partial(attribute, **{LISTENER_KEY: self._listener})
        return attribute

    def get_paginator(self, operation: str) -> Any:
        paginator = self._client.get_paginator(operation)
        # Paginator keeps the bound method it pages with; every page request goes through it.
        paginator._method = functools.partial(paginator._method, **{LISTENER_KEY: self._listener})
        return paginator


def notifying(client: Any, listener: RetryListener) -> NotifyingClient:
    return NotifyingClient(client, listener)


def dim_retry_line(operation: str, attempt: int, most: int | None) -> str:
    """The line the terminal shows: dim (SGR 2), on stderr, so stdout stays the CLI's."""
    of = f" of {most}" if most else ""
    return f"\x1b[2mRetrying {operation} (attempt {attempt}{of})...\x1b[0m\n"
