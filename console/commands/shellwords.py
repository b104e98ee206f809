"""The small shell conventions the file builtins share: GNU-style option parsing and the
coreutils error sentences and quoting, so `rm -rf`, `ls -la`, `--` and a mistyped option behave and
read as they do in a shell."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.commands.context import CommandContext
from console.errors import ConsoleError
from console.workspace.errors import visible
from console.workspace.service import Workspace


class UsageProblem(ConsoleError):
    """A bad option or a missing operand, worded as coreutils words it."""


@dataclass
class Words:
    flags: set[str] = field(default_factory=set)
    operands: list[str] = field(default_factory=list)


def parse_words(
    prog: str, args: tuple[str, ...], short: str, long: dict[str, str], usage_code: int = 1
) -> Words:
    """Split `args` into flags (by their short letter) and operands. `long` maps
    `--name` to its letter. A lone `-` is an operand; `--` ends the options."""
    words = Words()
    ended = False
    for arg in args:
        if ended or arg == "-" or not arg.startswith("-"):
            words.operands.append(arg)
        elif arg == "--":
            ended = True
        elif arg.startswith("--"):
            if arg not in long:
                raise _usage(prog, f"unrecognized option '{arg}'", usage_code)
            words.flags.add(long[arg])
        else:
            for letter in arg[1:]:
                if letter not in short:
                    raise _usage(prog, f"invalid option -- '{letter}'", usage_code)
                words.flags.add(letter)
    return words


def missing(prog: str, what: str = "operand", usage_code: int = 1) -> UsageProblem:
    return _usage(prog, f"missing {what}", usage_code)


def _usage(prog: str, text: str, code: int) -> UsageProblem:
    return UsageProblem(f"{prog}: {text}\nTry '{prog} --help' for more information.\n", code)


def workspace_of(ctx: CommandContext) -> Workspace:
    assert isinstance(ctx.workspace, Workspace), "the run's context carries the user's workspace"
    return ctx.workspace


def say(ctx: CommandContext, prog: str, text: str) -> None:
    """A line on stderr as coreutils writes it: `prog: text`."""
    ctx.write("stderr", f"{prog}: {text}\n")


def quoted(path: str) -> str:
    """A path as coreutils quotes it in messages (control characters shown as `?`)."""
    return f"'{visible(path)}'"
