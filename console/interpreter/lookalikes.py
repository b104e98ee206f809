"""Refuse characters that make a line mean something other than what it shows.

Commands are pasted from web pages, chat and word processors, which turn `--` into `–`
or `－－`, spaces into non-breaking spaces, and may carry invisible characters. The CLI
would report such a word as an unknown option or a bad value; here the user is told which
character it is and where, so they can retype it. Bidirectional controls (U+202A-U+202E,
U+2066-U+2069) are refused anywhere: they make the stored, audited line display in a
different order than it runs ("Trojan Source"). Invisible and space-like characters are
refused in the words that name things (options, service, operation), where they can only
be a mistake; inside values they are passed on, since AWS accepts them in names and tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .errors import CommandError, console_error
from .tokenizer import Token

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_PATTERN = re.compile("[" + "".join(sorted(_BIDI)) + "]")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad")


def describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')})"


def check_lookalikes(line: str, tokens: Sequence[Token]) -> None:
    bidi = _BIDI_PATTERN.search(line)
    if bidi is not None:
        raise _refuse(
            bidi.group(),
            bidi.start(),
            "it changes the order in which the line is displayed; delete it and retype the text",
        )
    for k, token in enumerate(tokens):
        if token.text[:1] in _DASHES:
            raise _refuse(
                token.text[0],
                token.source_index(0),
                "options start with the ASCII hyphen '-'; retype the dashes",
            )
        if _names_something(tokens, k):
            _check_name(token)


def _names_something(tokens: Sequence[Token], k: int) -> bool:
    """Options, the first word, `aws <service> <operation>`, and `export NAME=`."""
    text = tokens[k].text
    if k == 0 or text.startswith("-") or tokens[0].text in ("export", "unset"):
        return True
    return tokens[0].text == "aws" and k <= 2 and not tokens[k - 1].text.startswith("-")


def _check_name(token: Token) -> None:
    name = token.text.split("=", 1)[0] if "=" in token.text else token.text
    for i, char in enumerate(name):
        if char in _INVISIBLE or (char != " " and unicodedata.category(char) == "Zs"):
            raise _refuse(
                char, token.source_index(i), "names of commands and options are plain ASCII; retype the word"
            )
        if char in _DASHES:
            raise _refuse(char, token.source_index(i), "names use the ASCII hyphen '-'; retype the word")


def _refuse(char: str, index: int, advice: str) -> CommandError:
    return console_error(
        f"the character {describe(char)} at column {index + 1} is not accepted here: {advice}", index
    )
