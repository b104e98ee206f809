"""Turning any failure of a command into the CLI's output, in one place.

The engine words botocore's and the console's errors (`console.engine.report_failure`);
the broker's `CredentialError` is mapped here, once, because the broker never imports the
console's error vocabulary."""

from __future__ import annotations

from console.engine import Sink, as_console_error, report_failure
from console.errors import ConsoleError
from credentials.errors import CredentialError


def from_credentials(exc: CredentialError, *, leading_newline: bool | None = None) -> ConsoleError:
    blank = exc.leading_newline if leading_newline is None else leading_newline
    return ConsoleError(exc.message, exc.exit_code, leading_newline=blank)


def report(sink: Sink, exc: Exception, *, leading_newline: bool | None = None) -> int:
    """Write `exc` as the CLI does; returns the exit code. `leading_newline` overrides the
    error's own blank line, for the hand-written commands that print none."""
    if isinstance(exc, CredentialError):
        exc = from_credentials(exc, leading_newline=leading_newline)
    elif leading_newline is not None:
        error = as_console_error(exc)
        exc = ConsoleError(error.message, error.exit_code, leading_newline=leading_newline)
    return report_failure(sink, exc)
