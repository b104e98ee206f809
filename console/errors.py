"""One error vocabulary for every layer of a command: its exit codes and its base error.

Users paste commands from AWS documentation and scripts, and scripts test `$?`, so a
command ends with AWS CLI v2's documented return codes, whatever layer refused it. Each
layer raises a `ConsoleError` (or its own subclass) with the message a user can act on;
the one place that turns an error into terminal output is `failure_text`, which writes
it the way the CLI does. Django-free: the interpreter and the formatters raise these too.
The credential broker never imports the console, so its `CredentialError` carries the
same numbers (credentials/errors.py) and the commands layer maps it here once."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """AWS CLI v2's return codes, plus a shell's for the console's builtins."""

    OK = 0
    FAILED = 1  # a shell builtin's failure; also the CLI's `configure get` of an unset value
    TROUBLE = 2  # `ls`: a name it cannot access, or a bad option (coreutils' "serious trouble")
    NOT_RUN = 125  # env(1): the command could not be run as asked
    NOT_FOUND = 127  # a shell's "command not found", for an unknown console builtin
    CANCELLED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
    USAGE = 252  # the command line could not be parsed (argparse's errors)
    CONFIG = 253  # the environment or configuration is invalid (credentials, region, profile)
    SERVICE = 254  # the service answered with an error
    OTHER = 255  # anything else the CLI reports through its general handler


class ConsoleError(Exception):
    """A problem a user can act on: `message` is shown to them as is, and the command
    ends with `exit_code`. `leading_newline` is the CLI's blank line before some errors."""

    exit_code: ExitCode = ExitCode.OTHER
    leading_newline = False

    def __init__(
        self, message: str, exit_code: int | None = None, *, leading_newline: bool | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = ExitCode(exit_code)
        if leading_newline is not None:
            self.leading_newline = leading_newline

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, exit_code={int(self.exit_code)})"


def failure_text(message: str, *, leading_newline: bool = False) -> str:
    """A failure as the CLI writes it to stderr: an optional blank line, then the message
    ending in exactly one newline."""
    return ("\n" if leading_newline else "") + message.rstrip("\n") + "\n"
