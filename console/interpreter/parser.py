"""`aws [global options] <service> <operation> [parameters]` -> an Invocation, or a builtin.

The pipeline is the CLI's: global options are taken out wherever they appear, the first
remaining word names the service and the next the operation, and the operation's own
parser (`operation.py`) turns the rest into botocore parameters. Every failure is a
CommandError carrying the CLI's text, its return code and the position of the word at
fault.

Besides `Invocation` (an AWS call) a line can be a `Builtin` (the worker runs it without a
generated operation: help, clear, whoami, the shell's export/unset/env, and the CLI's own
`aws configure ...` and `aws sso login|logout`) or a `Skeleton` (`--generate-cli-skeleton`:
text to print, no AWS call).

The line is tokenized once: the parse and the redacted copy on every result both come
from the same tokens (`_Line`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.errors import ExitCode

from . import catalog
from . import customizations as cz
from .arguments import operation_spec
from .errors import (
    CommandError,
    console_error,
    general_error,
    invalid_choice,
    usage_error,
)
from .globalopts import GlobalOptions, convert, refusal
from .inputdoc import skeleton_text
from .lookalikes import check_lookalikes
from .operation import parse_operation
from .paramfiles import Reader
from .redaction import redact_tokens
from .s3commands import S3Command, parse_s3
from .scanning import GlobalScan, positionals, scan_globals
from .tokenizer import Token, tokenize

# `rerun` parses as a builtin (so a bad use gets a usage message) but is expanded into the
# line it re-runs before the run is recorded (console/audit/rerun.py).
BUILTINS = ("help", "clear", "whoami", "export", "unset", "env", "history", "rerun", "guard")
# The workspace's file commands (console/commands/files.py); their words are theirs to read.
FILE_BUILTINS = ("ls", "cat", "rm", "mv", "cp", "mkdir", "df", "pwd", "cd", "upload", "download")


@dataclass(frozen=True)
class Invocation:
    service_name: str
    cli_service: str
    operation_name: str
    parameters: dict[str, Any]
    options: GlobalOptions
    redacted_line: str
    # The CLI's `outfile` of an operation with a streaming output: the response's stream is
    # written to this workspace path, the rest of the response printed.
    outfile: str | None = None


@dataclass(frozen=True)
class Builtin:
    """A command the worker runs itself. `args` are the words after the builtin's name.

    For `configure` and `sso`, `args` are the words after `aws configure` / `aws sso`
    (`("set", "region", "eu-west-1")`, `("login", "--sso-session", "corp")`) without the
    global options, which are parsed and checked into `options`, wherever they were typed.
    """

    name: str
    args: tuple[str, ...]
    redacted_line: str
    options: GlobalOptions = GlobalOptions()


@dataclass(frozen=True)
class Skeleton:
    """`--generate-cli-skeleton`: print `text` to stdout as is, exit 0, call nothing."""

    text: str
    redacted_line: str
    mode: str = "input"  # "input", "yaml-input" or "output"


@dataclass(frozen=True)
class _Line:
    """The typed line with its tokens, so redaction reads them instead of tokenizing again."""

    text: str
    tokens: list[Token]

    def redacted(self) -> str:
        return redact_tokens(self.text, self.tokens)


def parse_command(line: str, files: Reader | None = None) -> Invocation | Builtin | Skeleton | S3Command:
    """The command `line` asks for. `files` reads the `file://` and `fileb://` values
    (paramfiles.py); without it they are refused."""
    try:
        return _parse_line(line, files)
    except RecursionError:  # a value nested deeper than Python's stack; never a crash
        raise general_error("the command line is nested too deeply to read") from None


def _parse_line(line: str, files: Reader | None) -> Invocation | Builtin | Skeleton | S3Command:
    tokens = tokenize(line)
    check_lookalikes(line, tokens)
    if not tokens:
        raise CommandError("console: empty command\n", ExitCode.USAGE)
    head, typed = tokens[0], _Line(line, tokens)
    if head.text in BUILTINS or head.text in FILE_BUILTINS:
        return Builtin(head.text, tuple(token.text for token in tokens[1:]), typed.redacted())
    if head.text != "aws":
        raise CommandError(
            f"console: command not found: {head.text}\n"
            "Commands start with `aws`. Type `help` to see what this terminal runs.\n",
            ExitCode.NOT_FOUND,
            head.start,
        )
    return _parse_aws(typed, files)


def _parse_aws(line: _Line, files: Reader | None) -> Invocation | Builtin | Skeleton | S3Command:
    scan = scan_globals(line.tokens[1:])
    settings = _read_globals(scan)
    rest = scan.rest
    slots = positionals(rest)
    if not slots:
        raise usage_error("the following arguments are required: command")
    service_word = rest[slots[0]]
    if service_word.text == "help":
        return Builtin("help", tuple(rest[k].text for k in slots[1:]), line.redacted())
    if service_word.text == "s3":
        return _high_level_s3(line, rest, slots, settings)
    cli_service = resolve_service(service_word)
    if cli_service == cz.CONFIGURE_COMMAND:
        return _handwritten(line, "configure", rest, slots[0], settings)
    if len(slots) < 2:
        raise usage_error("the following arguments are required: operation")
    command_word = rest[slots[1]]
    if command_word.text == "help":
        return Builtin("help", (cli_service,), line.redacted())
    if cli_service == "sso" and command_word.text in cz.SSO_BUILTIN_COMMANDS:
        return _handwritten(line, "sso", rest, slots[0], settings)
    command = resolve_command(cli_service, command_word)
    spec = operation_spec(cli_service, command)
    arguments = [token for k, token in enumerate(rest) if k not in slots[:2]]
    parsed = parse_operation(spec, command_word, arguments, settings, line.tokens, files)
    if parsed is None:
        return Builtin("help", (cli_service, command), line.redacted())
    if parsed.skeleton is not None:
        text = skeleton_text(parsed.skeleton, spec.model.input_shape, spec.model.output_shape)
        return Skeleton(text, line.redacted(), parsed.skeleton)
    options = GlobalOptions(**{**_public(settings), **parsed.paging})
    return Invocation(
        spec.service_name,
        cli_service,
        spec.operation_name,
        parsed.parameters,
        options,
        line.redacted(),
        parsed.outfile,
    )


def _handwritten(line: _Line, name: str, rest: list[Token], slot: int, settings: dict[str, Any]) -> Builtin:
    """`aws configure ...` / `aws sso login|logout`: a builtin with its own words.

    `aws configure help` and `aws sso login help` ask for help, as in the CLI.
    """
    args = tuple(token.text for k, token in enumerate(rest) if k != slot)
    words = [arg for arg in args if not arg.startswith("-")]
    if words and words[-1] == "help" and len(words) <= 2:
        return Builtin("help", (name, *words[:-1]), line.redacted())
    return Builtin(name, args, line.redacted(), GlobalOptions(**_public(settings)))


def _high_level_s3(
    line: _Line, rest: list[Token], slots: list[int], settings: dict[str, Any]
) -> S3Command | Builtin:
    """`aws s3 <subcommand> ...`: the subcommand first, then every other word in order."""
    words = [rest[k] for k in slots[1:2]] + [token for k, token in enumerate(rest) if k not in slots[:2]]
    redacted = line.redacted()
    parsed = parse_s3(words, GlobalOptions(**_public(settings)), redacted)
    if isinstance(parsed, tuple):
        return Builtin("help", parsed, redacted)
    return parsed


def _read_globals(scan: GlobalScan) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for use in scan.uses:
        option, token = use.option, use.token
        refused = refusal(option, token.start)
        if refused is not None:
            raise refused
        if option.dest in settings:
            raise usage_error(f"argument {option.name}: given more than once", token.start)
        if not option.takes_value:
            if use.explicit and use.value is not None:
                raise usage_error(
                    f"argument {option.name}: ignored explicit argument {use.value.text!r}", token.start
                )
            settings[option.dest] = True
        elif use.value is None:
            raise usage_error(f"argument {option.name}: expected one argument", token.start)
        else:
            settings[option.dest] = convert(option, use.value.text, use.value)
    return settings


def _public(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that GlobalOptions carries (the binary format is used up by parsing)."""
    return {dest: value for dest, value in settings.items() if dest != "cli_binary_format"}


def resolve_service(word: Token) -> str:
    table = catalog.service_table()
    if word.text not in table:
        raise invalid_choice("command", word.text, [*table, "help"], word.start)
    if word.text in cz.CUSTOM_TOP_LEVEL_COMMANDS:
        raise console_error(cz.CUSTOM_TOP_LEVEL_COMMANDS[word.text], word.start)
    if word.text in cz.PREVIEW_SERVICES:
        raise CommandError(
            "AWS CLI support for this service is only available in a preview stage.\n\n"
            f"This console does not offer preview services; `aws {word.text}` is not available.\n",
            1,
            word.start,
        )
    return word.text


def resolve_command(cli_service: str, word: Token) -> str:
    table = catalog.command_table(cli_service)
    entry = table.get(word.text)
    if entry is None:
        raise invalid_choice("operation", word.text, [*table, "help"], word.start)
    if entry.operation is None:
        raise console_error(
            f"`aws {cli_service} {word.text}` is a hand-written AWS CLI command that this console "
            "does not support yet",
            word.start,
        )
    return word.text
