"""What one command hears from its calls: each retry, and each answer.

botocore retries throttling and transient errors itself (exponential backoff with
jitter, per `retry_mode` and `max_attempts`). It builds a new request for every attempt
and announces it with the `request-created` event, whose request context carries the
attempt number; when a call is over it emits `after-call` (an HTTP answer, even an
error) or `after-call-error` (no answer: a connection error), with the same context.

Clients are cached per process and shared by every command a worker runs at once, so
the listeners cannot live on the client (nor in a thread-local, which outlives the
command): `notifying(client, on_retry, on_call)` gives one command a view of the shared
client whose calls carry its listeners in botocore's own per-call context. A
`before-parameter-build` handler moves them there from the call's parameters before
botocore validates them; `announce_retry` and `announce_call` find them on each event.
A call made without them (the broker's own AssumeRole) tells nobody."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credentials.types import ApiCall

RetryListener = Callable[[str, int, int | None], None]
CallListener = Callable[[ApiCall], None]

# The call parameter, and request-context key, that carries a command's listeners.
LISTENER_KEY = "console_retry_listener"


@dataclass(frozen=True)
class Listeners:
    retry: RetryListener
    call: CallListener | None = None


def register(client: Any) -> None:
    """Install the handlers on a newly created client (credentials/clients.py)."""
    events = client.meta.events
    events.register_first("before-parameter-build", _take_listener)
    events.register("request-created", announce_retry)
    events.register("after-call", announce_call)
    events.register("after-call-error", announce_call_error)


def _take_listener(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    listener = params.pop(LISTENER_KEY, None)
    if listener is not None:
        context[LISTENER_KEY] = listener


def _listeners(context: Any) -> Listeners | None:
    found = (context or {}).get(LISTENER_KEY)
    return found if isinstance(found, Listeners) else None


def announce_retry(request: Any, operation_name: str | None = None, **_: Any) -> None:
    context = getattr(request, "context", None) or {}
    listeners = _listeners(context)
    retries = context.get("retries") or {}
    attempt = int(retries.get("attempt") or 1)
    if listeners is not None and attempt > 1:
        listeners.retry(operation_name or "the operation", attempt, retries.get("max"))


def announce_call(http_response: Any, parsed: Any, model: Any, context: Any = None, **_: Any) -> None:
    """An answered call: its HTTP status and AWS request id, from botocore's metadata."""
    listeners = _listeners(context)
    if listeners is None or listeners.call is None:
        return
    parsed = parsed if isinstance(parsed, dict) else {}
    metadata = parsed.get("ResponseMetadata") or {}
    error = parsed.get("Error") or {}
    listeners.call(
        ApiCall(
            service=model.service_model.service_id.hyphenize(),
            operation=model.name,
            status=getattr(http_response, "status_code", None),
            request_id=str(metadata.get("RequestId") or ""),
            attempts=int(metadata.get("RetryAttempts") or 0) + 1,
            error=str(error.get("Code") or ""),
        )
    )


def announce_call_error(exception: Exception, context: Any = None, **kwargs: Any) -> None:
    """A call that got no answer (a connection error, a timeout): no status, no request id."""
    listeners = _listeners(context)
    if listeners is None or listeners.call is None:
        return
    service, _, operation = str(kwargs.get("event_name", "")).removeprefix("after-call-error.").partition(".")
    listeners.call(ApiCall(service=service, operation=operation, status=None, error=type(exception).__name__))


class NotifyingClient:
    """A shared botocore client as one command sees it: API methods and paginators pass
    the command's listeners with every call; everything else is the client's."""

    def __init__(self, client: Any, listeners: Listeners) -> None:
        self._client = client
        self._listeners = listeners

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name in self._client.meta.method_to_api_mapping:
            return functools.partial(attribute, **{LISTENER_KEY: self._listeners})
        return attribute

    def get_paginator(self, operation: str) -> Any:
        paginator = self._client.get_paginator(operation)
        # Paginator keeps the bound method it pages with; every page request goes through it.
        paginator._method = functools.partial(paginator._method, **{LISTENER_KEY: self._listeners})
        return paginator


def notifying(client: Any, on_retry: RetryListener, on_call: CallListener | None = None) -> NotifyingClient:
    return NotifyingClient(client, Listeners(on_retry, on_call))


def dim_retry_line(operation: str, attempt: int, most: int | None) -> str:
    """The line the terminal shows: dim (SGR 2), on stderr, so stdout stays the CLI's."""
    of = f" of {most}" if most else ""
    return f"\x1b[2mRetrying {operation} (attempt {attempt}{of})...\x1b[0m\n"
