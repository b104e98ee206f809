"""Executes a parsed AWS CLI invocation: get a client, call (or paginate), format, write.
Django-free: the caller supplies a client factory (the credential broker) and a sink
(the run's output store), so this is the same code in the worker, the tests and the
benchmark. Errors are reported as the AWS CLI reports them, with its v2 exit codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from botocore import xform_name
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)
from botocore.parsers import ResponseParserError

from console.interpreter import Invocation
from console.output import (
    DEFAULT_QUERY_LIMIT,
    FormatError,
    InvalidQuery,
    UnsupportedOutput,
    UnsupportedTimestampFormat,
    stream_pages,
)
from console.output.controls import show_controls

EXIT_OK = 0
EXIT_PARSE = 252
EXIT_CONFIG = 253
EXIT_SERVICE = 254
EXIT_OTHER = 255


class Sink(Protocol):
    def write(self, stream: str, data: str) -> None: ...

    def cancelled(self) -> bool: ...


class ConfigurationError(Exception):
    """Raised by a client factory for credential/config problems a user can fix."""

    def __init__(self, message: str, exit_code: int = EXIT_CONFIG, leading_newline: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.leading_newline = leading_newline


ClientFactory = Callable[[Invocation], tuple[Any, str | None]]


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class Target:
    """Where the output goes: the terminal's width, and whether it is a terminal (a TTY,
    for `--color auto`) or a script over the API (80 columns, no colour, as the CLI
    behaves when its output is not a terminal)."""

    width: int = 80
    tty: bool = False
    query_limit: int | None = DEFAULT_QUERY_LIMIT  # bytes a --query may build (output/querylimit.py)

    def color(self, option: str) -> bool:
        return option == "on" or (option == "auto" and self.tty)


def run_invocation(
    invocation: Invocation, make_client: ClientFactory, sink: Sink, target: Target | None = None
) -> int:
    """Run one invocation; returns the exit code. `make_client` returns the botocore
    client and the profile's default output format. Paginated text and yaml-stream
    output is written page by page, so the first page shows before the last is fetched."""
    options = invocation.options
    target = target or Target()
    try:
        client, profile_output = make_client(invocation)
        chunks = stream_pages(
            _call(client, invocation, sink),
            options.output or profile_output or "json",
            options.query,
            title=invocation.operation_name,
            width=target.width,
            color=target.color(options.color),
            query_limit=target.query_limit,
        )
        for chunk in chunks:
            sink.write("stdout", chunk)
    except (UnsupportedOutput, InvalidQuery) as exc:
        return fail(sink, exc.message, EXIT_PARSE, leading_newline=False)
    except (FormatError, UnsupportedTimestampFormat) as exc:
        return fail(sink, exc.message, EXIT_OTHER)
    except CALL_FAILURES as exc:
        return report_failure(sink, exc)
    return EXIT_OK


# What a client factory or a botocore call may raise; `report_failure` words each one.
CALL_FAILURES = (ConfigurationError, ClientError, BotoCoreError, ResponseParserError)


def report_failure(sink: Sink, exc: Exception) -> int:
    """Write a failure as the AWS CLI does; returns its v2 exit code."""
    if isinstance(exc, ConfigurationError):
        return fail(sink, exc.message, exc.exit_code, leading_newline=exc.leading_newline)
    if isinstance(exc, ClientError):
        return fail(sink, str(exc), EXIT_SERVICE)
    if isinstance(exc, ParamValidationError):
        return fail(sink, str(exc), EXIT_PARSE)
    if isinstance(exc, (NoCredentialsError, NoRegionError)):
        return fail(sink, str(exc), EXIT_CONFIG, leading_newline=False)
    return fail(sink, str(exc), EXIT_OTHER)  # connection errors, other botocore and parser errors


def fail(sink: Sink, message: str, code: int, leading_newline: bool = True) -> int:
    # The CLI writes a blank line before service and validation errors. AWS's messages
    # echo AWS data (names, keys): shown with control characters visible (output/controls.py).
    message = show_controls(message.rstrip("\n"))
    sink.write("stderr", ("\n" if leading_newline else "") + message + "\n")
    return code


def _call(client: Any, invocation: Invocation, sink: Sink) -> Any:
    method = xform_name(invocation.operation_name)
    options = invocation.options
    if options.no_paginate or not client.can_paginate(method):
        return getattr(client, method)(**invocation.parameters)
    config = {
        key: value
        for key, value in (
            ("MaxItems", options.max_items),
            ("PageSize", options.page_size),
            ("StartingToken", options.starting_token),
        )
        if value is not None
    }
    pages = client.get_paginator(method).paginate(**invocation.parameters, PaginationConfig=config)
    return _collect(pages, sink)


def _collect(pages: Any, sink: Sink) -> Any:
    """The page iterator, checking for Ctrl-C before each page request. botocore's
    PageIterator fetches every page through `_make_request`; wrapping it on this one
    instance is the narrowest hook that keeps botocore's paging and merge logic."""
    fetch = pages._make_request

    def fetch_unless_cancelled(kwargs: dict[str, Any]) -> Any:
        if sink.cancelled():
            raise Cancelled()
        return fetch(kwargs)

    pages._make_request = fetch_unless_cancelled
    return pages
