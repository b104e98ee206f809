"""Executes a parsed AWS CLI invocation: get a client, call (or paginate), format, write.
Django-free: the caller supplies a client factory (the credential broker) and a sink
(the run's output store), so this is the same code in the worker, the tests and the
benchmark. Errors are reported as the AWS CLI reports them, with its v2 exit codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from botocore import xform_name
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)

from console.interpreter import Invocation
from console.output import UnsupportedOutput, format_response

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

    def __init__(self, message: str, exit_code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


ClientFactory = Callable[[Invocation], tuple[Any, str | None]]


class Cancelled(Exception):
    pass


def run_invocation(invocation: Invocation, make_client: ClientFactory, sink: Sink) -> int:
    """Run one invocation; returns the exit code. `make_client` returns the botocore
    client and the profile's default output format."""
    try:
        client, profile_output = make_client(invocation)
        output = invocation.options.output or profile_output or "json"
        result = _call(client, invocation, sink)
        text = format_response(result, output, invocation.options.query)
    except ConfigurationError as exc:
        return _fail(sink, exc.message, exc.exit_code, leading_newline=False)
    except UnsupportedOutput as exc:
        return _fail(sink, str(exc), EXIT_PARSE, leading_newline=False)
    except ClientError as exc:
        return _fail(sink, str(exc), EXIT_SERVICE)
    except ParamValidationError as exc:
        return _fail(sink, str(exc), EXIT_PARSE)
    except (NoCredentialsError, NoRegionError) as exc:
        return _fail(sink, str(exc), EXIT_CONFIG, leading_newline=False)
    except EndpointConnectionError as exc:
        return _fail(sink, str(exc), EXIT_OTHER)
    except BotoCoreError as exc:
        return _fail(sink, str(exc), EXIT_OTHER)
    if text:
        sink.write("stdout", text)
    return EXIT_OK


def _fail(sink: Sink, message: str, code: int, leading_newline: bool = True) -> int:
    # The CLI writes a blank line before service and validation errors.
    sink.write("stderr", ("\n" if leading_newline else "") + message.rstrip("\n") + "\n")
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
    """Merge pages as the CLI's JSON output does, checking for Ctrl-C before each page
    request. botocore's PageIterator fetches every page through `_make_request`; wrapping
    it on this one instance is the narrowest hook that keeps botocore's merge logic."""
    fetch = pages._make_request

    def fetch_unless_cancelled(kwargs: dict[str, Any]) -> Any:
        if sink.cancelled():
            raise Cancelled()
        return fetch(kwargs)

    pages._make_request = fetch_unless_cancelled
    return pages.build_full_result()
