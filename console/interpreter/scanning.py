"""How words group into options and values, by argparse's rules, shared by parsing and redaction.

Redaction must find a parameter's value exactly where parsing takes it from, including on
lines that fail to parse, so both walk the words with these functions. The rules are
argparse's (which the CLI uses): a word starting with `-` is an option unless it looks
like a negative number or contains a space; `--name=value` is one option with its value;
a list option takes every following word up to the next option. Unlike argparse,
abbreviated option names are not accepted: the audit log must record exactly the
parameter that was meant, and a new parameter in a botocore model would silently change
what an abbreviation means.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from .arguments import FLAG, OPTIONAL, SINGLE
from .globalopts import GLOBAL_OPTIONS, GlobalOption
from .tokenizer import Token

_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


def is_option(text: str, known: Container[str] = ()) -> bool:
    if len(text) < 2 or not text.startswith("-"):
        return False
    if text in known or text.split("=", 1)[0] in known:
        return True
    return not _NEGATIVE_NUMBER.match(text) and " " not in text


def split_option(token: Token) -> tuple[str, Token | None]:
    """`--name=value` -> ("--name", <value token>); `--name` -> ("--name", None)."""
    name, sep, _ = token.text.partition("=")
    if not sep:
        return name, None
    k = len(name) + 1
    value = Token(token.text[k:], token.source_index(k), token.end, token.offsets[k:])
    return name, value


def take_values(tokens: Sequence[Token], i: int, arity: str, known: Container[str] = ()) -> list[Token]:
    """The value words an option of this arity takes, starting at `tokens[i]`."""
    if arity == FLAG:
        return []
    limit = 1 if arity in (SINGLE, OPTIONAL) else len(tokens)
    values: list[Token] = []
    while i < len(tokens) and len(values) < limit and not is_option(tokens[i].text, known):
        values.append(tokens[i])
        i += 1
    return values


@dataclass
class GlobalUse:
    token: Token
    option: GlobalOption
    value: Token | None  # None when the option takes a value and none follows
    explicit: bool = False  # given as --name=value


@dataclass
class GlobalScan:
    uses: list[GlobalUse] = field(default_factory=list)
    rest: list[Token] = field(default_factory=list)  # every word that is not a global option


def scan_globals(tokens: Sequence[Token]) -> GlobalScan:
    """Pick the global options (and their values) out of the words after `aws`."""
    scan = GlobalScan()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name, explicit = split_option(token) if is_option(token.text, GLOBAL_OPTIONS) else ("", None)
        option = GLOBAL_OPTIONS.get(name)
        if option is None:
            scan.rest.append(token)
            i += 1
            continue
        value = explicit
        if explicit is None and option.takes_value:
            following = take_values(tokens, i + 1, SINGLE, GLOBAL_OPTIONS)
            value = following[0] if following else None
            i += len(following)
        scan.uses.append(GlobalUse(token, option, value, explicit is not None))
        i += 1
    return scan


def positionals(tokens: Sequence[Token]) -> list[int]:
    """Indexes of the words that are not options (candidates for service and operation)."""
    return [i for i, token in enumerate(tokens) if not is_option(token.text)]
