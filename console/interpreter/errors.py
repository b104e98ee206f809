"""Errors a command line can produce, worded and numbered as the AWS CLI v2 words them.

Users paste commands from AWS documentation and scripts, so when the console refuses a
line it answers with the CLI's own text and return code (252 for usage errors, 255 for
errors the CLI reports through its general handler). Messages that exist only in this
console (unsupported features, shell syntax) say plainly what to do instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from console.errors import ConsoleError, ExitCode

USAGE = (
    "aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    "To see help text, you can run:\n"
    "\n"
    "  aws help\n"
    "  aws <command> help\n"
    "  aws <command> <subcommand> help\n"
)


class CommandError(ConsoleError):
    """A line the console will not run; `message` is printed to stderr as is."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, exit_code: int = ExitCode.USAGE, position: int | None = None):
        super().__init__(message, exit_code)
        self.position = position

    def __repr__(self) -> str:
        return f"CommandError({self.message!r}, exit_code={self.exit_code}, position={self.position})"


def usage_error(detail: str, position: int | None = None) -> CommandError:
    """argparse's error as the CLI v2 prints it: usage block, then `aws: error: ...`."""
    return CommandError(f"\nusage: {USAGE}\naws: error: {detail}\n\n", ExitCode.USAGE, position)


def unknown_options_error(
    unknown: Sequence[str], suggestion: str | None, position: int | None
) -> CommandError:
    hint = f"\nDid you mean {suggestion}?" if suggestion else ""
    return CommandError(
        f"\nusage: {USAGE}\nUnknown options: {', '.join(unknown)}{hint}\n\n", ExitCode.USAGE, position
    )


def param_error(cli_name: str, detail: str, position: int | None = None) -> CommandError:
    """The CLI's ParamError: a value that could not be turned into a parameter."""
    return CommandError(f"\nError parsing parameter '{cli_name}': {detail}\n", ExitCode.USAGE, position)


def general_error(detail: str, position: int | None = None) -> CommandError:
    """An exception the CLI lets reach its general handler (return code 255)."""
    return CommandError(f"\n{detail}\n", ExitCode.OTHER, position)


def console_error(detail: str, position: int | None = None, exit_code: int = ExitCode.USAGE) -> CommandError:
    """A refusal that only this console makes; there is no CLI text to copy."""
    return CommandError(f"aws: error: {detail}\n", exit_code, position)


def invalid_choice(argument: str, value: str, choices: Sequence[str], position: int | None) -> CommandError:
    """The CLI's invalid-choice error: every choice in two 40-wide columns, then the close
    matches above the CLI's 0.8 similarity and no others. A looser match would hint at
    more typos (`ec3`), but it changes what the CLI prints (`aws nosuchservice` would get a
    `configservice` hint the CLI does not give), and the error must read as the CLI's.
    """
    rows = [" | ".join(f"{choice:<40}" for choice in choices[i : i + 2]) for i in range(0, len(choices), 2)]
    lines = ["Invalid choice, valid choices are:\n", *rows]
    possible = difflib.get_close_matches(value, choices, cutoff=0.8)
    if possible:
        lines.append(f"\n\nInvalid choice: {value!r}, maybe you meant:\n")
        lines.extend(f"  * {word}" for word in possible)
    return usage_error(f"argument {argument}: " + "\n".join(lines), position)


def closest(word: str, candidates: Sequence[str]) -> str | None:
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None
