"""Errors the formatters raise. The engine turns each into the AWS CLI's message and exit code."""

from __future__ import annotations

from console.errors import ConsoleError

OUTPUT_CHOICES = ("json", "text", "table", "yaml", "yaml-stream", "off")


class OutputError(ConsoleError):
    """Base class: `message` is what the terminal shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class UnsupportedOutput(OutputError):
    """An --output value the CLI does not have (exit code 252, a usage error)."""

    def __init__(self, output: str) -> None:
        self.output = output
        choices = ", ".join(OUTPUT_CHOICES)
        super().__init__(
            f"aws: error: argument --output: Invalid choice '{output}', valid choices are: {choices}\n"
        )


class UnsupportedTimestampFormat(OutputError):
    """A `cli_timestamp_format` the CLI does not know (the CLI's ValueError, exit code 255)."""

    def __init__(self, value: str) -> None:
        super().__init__(
            f'Unknown cli_timestamp_format value: {value}, valid values are "none", "wire" or "iso8601"'
        )


class FormatError(OutputError):
    """A result the CLI's formatter itself fails on (rows of different lengths in a table, a
    JMESPath function given the wrong type). The CLI prints the exception text and exits
    255; so does the console. `partial` is what the CLI had printed of this chunk before it
    failed (text writes line by line); `stream_pages` yields it before raising."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


class InvalidQuery(OutputError):
    """A `--query` that is not JMESPath (the interpreter normally rejects it first)."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(f"Bad value for --query {query}: {reason}")


def describe_size(limit: int) -> str:
    """`32 MiB`, `512 KiB`, `100 bytes`: a limit as a person reads it."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size:
            amount = limit / size
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{limit} bytes"


class OutputLimitExceeded(FormatError):
    """Output went past a size the console sets (the CLI has no such limit). It ends the
    command as a formatting failure does: the message on stderr, exit code 255 (the CLI's
    code for "other" errors), after what was already printed. `limit` is in bytes.
    Reusable for any bound on output (what a query builds, a run's stored output)."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class QueryTooLarge(OutputLimitExceeded):
    """What `--query` built grew past the limit; it was stopped while growing."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"console: the --query result grew past {describe_size(limit)}, the most this console "
            "builds for one result, so the command was stopped. Ask for less: a filter, fewer "
            "fields, or --max-items.",
            limit,
        )
