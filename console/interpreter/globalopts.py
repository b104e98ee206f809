"""The CLI's global options (`--region`, `--query`, ...), accepted anywhere on the line.

As in the CLI, they are recognised before anything else wherever they appear, so an
operation parameter with the same name (the CLI renames most of them) cannot be reached.
Options that would weaken the server's security or that make no sense without a local
shell are refused with the reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import jmespath

from .errors import CommandError, console_error, general_error, invalid_choice, usage_error
from .tokenizer import Token

OUTPUT_CHOICES = ("json", "text", "table", "yaml", "yaml-stream")
COLOR_CHOICES = ("on", "off", "auto")
BINARY_FORMAT_CHOICES = ("base64", "raw-in-base64-out")

_TLS_REFUSAL = (
    "{option} is not available: this console always verifies TLS certificates with the system's trust store"
)
_REFUSALS = {
    "--no-verify-ssl": _TLS_REFUSAL,
    "--ca-bundle": _TLS_REFUSAL,
    "--no-sign-request": "{option} is not available in this console yet",
    "--version": "{option} is not available in this console",
    "--cli-auto-prompt": "{option} is not available in this console",
    "--no-cli-auto-prompt": "{option} is not available in this console",
}


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None = None
    region: str | None = None
    output: str | None = None
    query: str | None = None
    endpoint_url: str | None = None
    no_paginate: bool = False
    page_size: int | None = None
    max_items: int | None = None
    starting_token: str | None = None
    cli_read_timeout: int | None = None
    cli_connect_timeout: int | None = None
    debug: bool = False
    color: str = "auto"
    no_cli_pager: bool = False


@dataclass(frozen=True)
class GlobalOption:
    name: str  # with the leading "--"
    dest: str
    takes_value: bool = True
    choices: tuple[str, ...] = ()
    integer: bool = False


GLOBAL_OPTIONS: dict[str, GlobalOption] = {
    option.name: option
    for option in (
        GlobalOption("--debug", "debug", takes_value=False),
        GlobalOption("--endpoint-url", "endpoint_url"),
        GlobalOption("--no-paginate", "no_paginate", takes_value=False),
        GlobalOption("--output", "output", choices=OUTPUT_CHOICES),
        GlobalOption("--query", "query"),
        GlobalOption("--profile", "profile"),
        GlobalOption("--region", "region"),
        GlobalOption("--color", "color", choices=COLOR_CHOICES),
        GlobalOption("--cli-read-timeout", "cli_read_timeout", integer=True),
        GlobalOption("--cli-connect-timeout", "cli_connect_timeout", integer=True),
        GlobalOption("--no-cli-pager", "no_cli_pager", takes_value=False),
        # Read while parsing (it decides how blob values are read), so not in GlobalOptions.
        GlobalOption("--cli-binary-format", "cli_binary_format", choices=BINARY_FORMAT_CHOICES),
        GlobalOption("--no-verify-ssl", "", takes_value=False),
        GlobalOption("--ca-bundle", ""),
        GlobalOption("--no-sign-request", "", takes_value=False),
        GlobalOption("--version", "", takes_value=False),
        GlobalOption("--cli-auto-prompt", "", takes_value=False),
        GlobalOption("--no-cli-auto-prompt", "", takes_value=False),
    )
}


def refusal(option: GlobalOption, position: int) -> CommandError | None:
    template = _REFUSALS.get(option.name)
    return console_error(template.format(option=option.name), position) if template else None


def convert(option: GlobalOption, value: str, token: Token) -> Any:
    """The value of a global option (read from `token`), checked as the CLI checks it."""
    position = token.start
    if option.choices and value not in option.choices:
        raise invalid_choice(option.name, value, option.choices, position)
    if option.integer:
        return _integer(option, value, position)
    if option.dest == "query":
        _compile_query(value, token)
    if option.dest == "endpoint_url" and not urlparse(value).scheme:
        raise general_error(
            f'Bad value for --endpoint-url "{value}": scheme is missing.  Must be of the form '
            "http://<hostname>/ or https://<hostname>/",
            position,
        )
    return value


def _integer(option: GlobalOption, value: str, position: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise usage_error(f"argument {option.name}: invalid int value: {value!r}", position) from None


def _compile_query(value: str, token: Token) -> None:
    try:
        compile_query(value)
    except Exception as error:  # jmespath raises several unrelated exception types
        where = getattr(error, "lex_position", None)
        position = token.source_index(where) if isinstance(where, int) else token.start
        raise general_error(f"Bad value for --query {value}: {error}", position) from None


@functools.lru_cache(maxsize=256)
def compile_query(expression: str) -> Any:
    return jmespath.compile(expression)
