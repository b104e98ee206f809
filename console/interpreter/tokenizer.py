"""Split a command line into words with POSIX shell quoting, keeping where each word came from.

`shlex` gives words but loses their positions, and positions are what let an error point
at the character that is wrong and let redaction cut a secret out of the stored line. So
each `Token` keeps its span in the line and, for every character of its text, the index
of the source character it came from.

The console runs no shell: pipes, redirections, command substitution and variables are
refused with a hint instead of being passed to AWS as literal text. A `#` that starts a
word begins a comment, as in a shell.

A line has at most `MAX_TOKENS` words. Parsing costs about 15 µs a word, so one 50,000-word
line held a CPU for a second, and ten of them stalled every other request for seconds;
the cap stops the tokenizer at the first word past it, before any of that work. The
package stays Django-free: the web and worker processes set the cap from
`CONSOLE_MAX_COMMAND_TOKENS` at start-up (`set_max_tokens`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import CommandError, console_error

_BLANKS = " \t\n\r"
_OPERATORS = "|&;<>`"
_DQUOTE_ESCAPABLE = '$`"\\'
# Characters that need no decision, taken a run at a time (a 100 KB argument is one match).
_PLAIN = re.compile(r"[^ \t\n\r'\"\\|&;<>`$]+")
_DQUOTED_PLAIN = re.compile(r"[^\"\\`$]+")
DEFAULT_MAX_TOKENS = 5_000  # a 1,000-item list five times over; long lists belong in JSON
_limits = {"max_tokens": DEFAULT_MAX_TOKENS}


def set_max_tokens(limit: int) -> None:
    """The most words a line may have (CONSOLE_MAX_COMMAND_TOKENS, set by the Django side)."""
    if limit < 1:
        raise ValueError("the token limit must be at least 1")
    _limits["max_tokens"] = limit


def max_tokens() -> int:
    return _limits["max_tokens"]


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    offsets: tuple[int, ...]  # offsets[i] is the line index of text[i]

    def source_index(self, i: int) -> int:
        """Line index of character `i` of the text; just past the text for i == len(text)."""
        if 0 <= i < len(self.offsets):
            return self.offsets[i]
        if i == len(self.offsets) and self.offsets:
            return self.offsets[-1] + 1
        return self.start


class _Word:
    """A word being built: its characters and their source indexes."""

    __slots__ = ("chars", "offsets", "start")

    def __init__(self, start: int) -> None:
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.start = start

    def add(self, char: str, index: int) -> None:
        self.chars.append(char)
        self.offsets.append(index)

    def extend(self, text: str, index: int) -> None:
        """`text`, copied from the line at `index` unchanged."""
        self.chars.append(text)
        self.offsets.extend(range(index, index + len(text)))

    def token(self, end: int) -> Token:
        return Token("".join(self.chars), self.start, end, tuple(self.offsets))


def tokenize(line: str, lenient: bool = False) -> list[Token]:
    """The words of `line`; raises CommandError for unclosed quotes and shell syntax.

    With `lenient`, never raises: the word where the problem starts runs, unprocessed, to
    the end of the line. Redaction uses that, since it must cope with lines that fail.
    """
    tokens: list[Token] = []
    i, n, limit = 0, len(line), max_tokens()
    while i < n:
        if line[i] in _BLANKS:
            i += 1
            continue
        if line[i] == "#":
            break
        try:
            if len(tokens) == limit:
                raise _too_many_words(limit, i)
            token, i = _read_word(line, i)
        except CommandError:
            if not lenient:
                raise
            token, i = Token(line[i:], i, n, tuple(range(i, n))), n
        tokens.append(token)
    return tokens


def _read_word(line: str, i: int) -> tuple[Token, int]:
    word = _Word(i)
    n = len(line)
    while i < n and line[i] not in _BLANKS:
        plain = _PLAIN.match(line, i)
        if plain is not None:
            word.extend(plain.group(), i)
            i = plain.end()
            continue
        char = line[i]
        if char == "'":
            i = _read_single_quoted(line, i, word)
        elif char == '"':
            i = _read_double_quoted(line, i, word)
        elif char == "\\":
            i = _read_escape(line, i, word)
        elif char in _OPERATORS:
            raise _shell_syntax(char, i)
        elif char == "$" and _starts_expansion(line, i):
            raise _expansion(i)
        else:
            word.add(char, i)
            i += 1
    return word.token(i), i


def _read_single_quoted(line: str, i: int, word: _Word) -> int:
    close = line.find("'", i + 1)
    if close < 0:
        raise _unclosed("'", i)
    word.extend(line[i + 1 : close], i + 1)
    return close + 1


def _read_double_quoted(line: str, i: int, word: _Word) -> int:
    j, n = i + 1, len(line)
    while j < n:
        plain = _DQUOTED_PLAIN.match(line, j)
        if plain is not None:
            word.extend(plain.group(), j)
            j = plain.end()
            continue
        char = line[j]
        if char == '"':
            return j + 1
        if char == "\\" and j + 1 < n and line[j + 1] in _DQUOTE_ESCAPABLE:
            word.add(line[j + 1], j + 1)
            j += 2
        elif char == "\\" and j + 1 < n and line[j + 1] == "\n":
            j += 2
        elif char == "`":
            raise _shell_syntax(char, j)
        elif char == "$" and _starts_expansion(line, j):
            raise _expansion(j)
        else:
            word.add(char, j)
            j += 1
    raise _unclosed('"', i)


def _read_escape(line: str, i: int, word: _Word) -> int:
    if i + 1 >= len(line):
        raise console_error("the line ends with a backslash; remove it or escape it as \\\\", position=i)
    if line[i + 1] != "\n":  # backslash-newline continues the line and adds nothing
        word.add(line[i + 1], i + 1)
    return i + 2


def _too_many_words(limit: int, position: int) -> CommandError:
    return console_error(
        f"the command line has more than {limit} words (the limit is {limit}); pass long lists "
        "as JSON (a quoted JSON list is one word, or --cli-input-json / file:// from your workspace)",
        position,
    )


def _starts_expansion(line: str, i: int) -> bool:
    following = line[i + 1 : i + 2]
    return following.isalnum() or following in ("_", "{", "(")


def _unclosed(quote: str, position: int) -> CommandError:
    kind = "single" if quote == "'" else "double"
    return console_error(
        f"unterminated {kind} quote: the {quote} at column {position + 1} is never closed", position
    )


def _shell_syntax(char: str, position: int) -> CommandError:
    return console_error(
        f"unexpected {char!r} at column {position + 1}: this terminal runs one aws command per line, "
        "without a shell, so pipes, redirections and command substitution are not available "
        f"(quote the {char!r} if it is part of a value; use --query to filter output)",
        position,
    )


def _expansion(position: int) -> CommandError:
    return console_error(
        f"unexpected '$' at column {position + 1}: this terminal does not expand shell variables "
        "(put the value in single quotes if the '$' is part of it)",
        position,
    )
