"""Changing a command line's global options, for re-runs ("with another profile or
region", and pinning a re-run to the profile and region its original resolved).

The line is edited where the options stand, not re-built from a parse: the rest of the
line stays exactly as stored, so the re-run's line reads as the original with one option
changed, and a diff of the two lines shows only that. Values are quoted as a POSIX shell
would (the tokenizer's own rules), so any profile name survives the round trip."""

from __future__ import annotations

import shlex

from console.errors import ExitCode

from .errors import CommandError
from .globalopts import GLOBAL_OPTIONS
from .scanning import scan_globals
from .tokenizer import tokenize


def set_global_options(line: str, values: dict[str, str]) -> str:
    """`line` with each `--option` in `values` set to its value: every place the option
    is given is replaced (the CLI takes the last), or it is added at the end."""
    tokens = tokenize(line)
    if not tokens or tokens[0].text != "aws":
        raise CommandError("console: only an aws command takes --profile or --region\n", ExitCode.USAGE)
    uses = scan_globals(tokens[1:]).uses
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    for name, value in values.items():
        option = GLOBAL_OPTIONS.get(name)
        if option is None or not option.takes_value:
            raise ValueError(f"{name} is not a global option that takes a value")
        shown = f"{name} {shlex.quote(value)}"
        mine = [use for use in uses if use.option.name == name]
        edits += [(u.token.start, u.value.end if u.value else u.token.end, shown) for u in mine]
        if not mine:
            added.append(shown)
    for start, end, text in sorted(edits, reverse=True):
        line = line[:start] + text + line[end:]
    return " ".join([line.rstrip(), *added])
