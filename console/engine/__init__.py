"""Executes a parsed AWS CLI invocation: get a client, call (or paginate), format, write.
Django-free: the caller (console/commands/) supplies the client, built by the credential
broker, and a sink (the run's output store), so this is the same code in the worker, the
tests and the benchmark. Errors are reported as the AWS CLI reports them, with its v2 exit codes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from botocore import xform_name
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)
from botocore.parsers import ResponseParserError

from console.errors import ConsoleError, ExitCode, failure_text
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

from .bodies import opened_bodies


class Sink(Protocol):
    """Where a command's output goes (console.commands.CommandContext is one)."""

    def write(self, stream: str, text: str) -> None: ...

    def cancelled(self) -> bool: ...


class OperationFiles(Protocol):
    """Where an operation's streamed output is written and its streaming body read: the
    user's workspace, which the commands layer passes down (the engine never opens a file
    itself)."""

    def write(self, path: str, chunks: Iterable[bytes]) -> None:
        """Store `chunks` at `path` (as typed), all or nothing; raises OSError with the
        system's text (`[Errno 2] No such file or directory: 'x/out.json'`)."""

    def open_body(self, path: str) -> IO[bytes]:
        """The file at `path` (as typed), open for binary reading, seekable; raises
        OSError if it is not a file that may be read."""


# The CLI's StreamingOutputArgument reads a streaming body 32 KiB at a time.
STREAM_CHUNK = 32 * 1024


class Cancelled(Exception):
    """Ctrl-C seen between two requests: control flow up to the run's watcher (which ends
    the run `cancelled`, ExitCode.CANCELLED), never a failure to print."""


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


@dataclass(frozen=True)
class OutputFormat:
    """How a response is printed: `--output` or the profile's `output`, and the profile's
    `cli_timestamp_format` (the client was built to parse timestamps to match)."""

    output: str = "json"
    timestamp_format: str = "iso8601"


def run_invocation(
    invocation: Invocation,
    client: Any,
    sink: Sink,
    target: Target,
    fmt: OutputFormat = OutputFormat(),
    files: OperationFiles | None = None,
) -> int:
    """Call one operation with `client` and write its output; returns the exit code.
    Paginated text and yaml-stream output is written page by page, so the first page
    shows before the last is fetched. An operation with a streaming output writes the
    stream to `invocation.outfile` through `files`, then prints the rest of the response."""
    options = invocation.options
    try:
        chunks = stream_pages(
            _call(client, invocation, sink, files),
            fmt.output,
            options.query,
            title=invocation.operation_name,
            width=target.width,
            color=target.color(options.color),
            timestamp_format=fmt.timestamp_format,
            query_limit=target.query_limit,
        )
        for chunk in chunks:
            sink.write("stdout", chunk)
    except (UnsupportedOutput, InvalidQuery) as exc:
        return report_failure(sink, ConsoleError(exc.message, ExitCode.USAGE))
    except (FormatError, UnsupportedTimestampFormat) as exc:
        return report_failure(sink, ConsoleError(exc.message, ExitCode.OTHER, leading_newline=True))
    except CALL_FAILURES as exc:
        return report_failure(sink, exc)
    return ExitCode.OK


# What a botocore call may raise, besides the console's own errors; `as_console_error`
# words each one as the CLI does.
CALL_FAILURES = (ConsoleError, ClientError, BotoCoreError, ResponseParserError)


def as_console_error(exc: Exception) -> ConsoleError:
    """A failure with the CLI's message, exit code and blank line."""
    if isinstance(exc, ConsoleError):
        return exc
    if isinstance(exc, ClientError):
        return ConsoleError(str(exc), ExitCode.SERVICE, leading_newline=True)
    if isinstance(exc, ParamValidationError):
        return ConsoleError(str(exc), ExitCode.USAGE, leading_newline=True)
    if isinstance(exc, (NoCredentialsError, NoRegionError)):
        return ConsoleError(str(exc), ExitCode.CONFIG)
    # Connection errors, other botocore errors and parser errors.
    return ConsoleError(str(exc), ExitCode.OTHER, leading_newline=True)


def report_failure(sink: Sink, exc: Exception) -> int:
    """The one place a failure is written, as the AWS CLI writes it; returns its exit code.
    AWS's messages echo AWS data (names, keys): shown with control characters visible."""
    error = as_console_error(exc)
    message = show_controls(error.message)
    sink.write("stderr", failure_text(message, leading_newline=error.leading_newline))
    return error.exit_code


def _call(client: Any, invocation: Invocation, sink: Sink, files: OperationFiles | None) -> Any:
    method = xform_name(invocation.operation_name)
    options = invocation.options
    if invocation.outfile is not None:
        with opened_bodies(invocation.parameters, files) as parameters:
            response = getattr(client, method)(**parameters)
        _save_stream(client, invocation, response, sink, files)
        return response
    if options.no_paginate or not client.can_paginate(method):
        with opened_bodies(invocation.parameters, files) as parameters:
            return getattr(client, method)(**parameters)
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


def _save_stream(
    client: Any, invocation: Invocation, response: dict[str, Any], sink: Sink, files: OperationFiles | None
) -> None:
    """The CLI's StreamingOutputArgument.save_file: the payload member streamed to the
    outfile, then taken out of the response that is printed."""
    model = client.meta.service_model.operation_model(invocation.operation_name)
    body = response.pop(model.output_shape.serialization["payload"], None)
    if body is None:
        return
    assert invocation.outfile is not None
    if files is None:
        raise ConsoleError("this command has no workspace to write its outfile to", ExitCode.OTHER)
    try:
        files.write(invocation.outfile, _body_chunks(body, sink))
    except OSError as exc:  # the CLI lets it reach its general handler
        raise ConsoleError(str(exc), ExitCode.OTHER, leading_newline=True) from None
    finally:
        if hasattr(body, "close"):
            body.close()


def _body_chunks(body: Any, sink: Sink) -> Iterator[bytes]:
    """The stream in the CLI's 32 KiB reads, never whole; Ctrl-C seen between two reads."""
    if isinstance(body, bytes | bytearray):
        yield bytes(body)
        return
    while data := body.read(STREAM_CHUNK):
        if sink.cancelled():
            raise Cancelled()
        yield data


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
