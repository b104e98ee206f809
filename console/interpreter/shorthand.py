"""The AWS CLI's shorthand syntax (`Key=Name,Value=web`, `{..}`, `[..]`), read as the CLI reads it.

People paste shorthand from AWS documentation, so the grammar, the back-tracking of
comma lists (`a=b,c,d=e` is `{"a": ["b", "c"], "d": "e"}`) and the error texts with their
caret line follow the CLI (awscli `shorthand.py`, observed and compared in tests). The
parse is syntactic; `coerce` then lets the target shape decide what the strings mean, as
the CLI's back-compat pass does: numbers and booleans converted, a lone value where the
model has a list wrapped in a list, document types refused.

`key@=file://...` loads a file, as in the CLI, through the caller's loader (the user's
workspace; never the server's own files).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

_WHITESPACE = " \t\n\r\x0b\x0c"  # string.whitespace, which is what the CLI skips
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.#/:")
_FILE_PREFIXES = ("file://", "fileb://")

# Characters a bare value may start with / continue with. Controls and the syntax
# characters are excluded; so are characters beyond the BMP, which the CLI's grammar
# does not accept either (an emoji has to be quoted).
_ASTRAL = "\U00010000-\U0010ffff"
_ESCAPED_COMMA = r"\\,"
_START = rf"[^\x00-\x20\"',=\[{{{_ASTRAL}]"
_FIRST_REST = rf"(?:\s|[^\x00-\x20\"',\]}}{_ASTRAL}])"
_SECOND_REST = rf"(?:\s|[^\x00-\x20\"',={_ASTRAL}])"
_FIRST_VALUE = re.compile(rf"(?:{_ESCAPED_COMMA}|{_START})(?:{_ESCAPED_COMMA}|{_FIRST_REST})*")
_SECOND_VALUE = re.compile(rf"(?:{_ESCAPED_COMMA}|{_START})(?:{_ESCAPED_COMMA}|{_SECOND_REST})*")
_QUOTED = {
    "'": (re.compile(r"'(?:\\'|[^'])*'"), "singled quoted"),
    '"': (re.compile(r'"(?:\\"|[^"])*"'), "double quoted"),
}


class ShorthandError(Exception):
    """A value that is not valid shorthand; `index` is where in the value it went wrong."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.index = index


# `key@=file://...`: reads the file a value names (the caller's, see paramfiles.py).
FileLoader = Callable[[str], Any]


def caret_view(value: str, index: int) -> str:
    """The value with a `^` line under character `index`, placed after the line holding it."""
    before = value[:index]
    column = index - before.rindex("\n") - 1 if "\n" in before else index
    newline = value.find("\n", index)
    head, tail = (value, "") if newline < 0 else (value[:newline], value[newline:])
    return f"{head}\n{' ' * column}^{tail}"


def _syntax_error(value: str, expected: str, actual: str, index: int) -> ShorthandError:
    return ShorthandError(
        f"Expected: '{expected}', received: '{actual}' for input:\n{caret_view(value, index)}", index
    )


class _Reader:
    """One pass over a shorthand value; methods follow the grammar's productions."""

    def __init__(self, value: str, files: FileLoader | None = None) -> None:
        self.value = value
        self.files = files
        self.i = 0
        self.at_file = False  # the current key was written `key@=`

    # -- characters
    def current(self) -> str:
        return self.value[self.i] if self.i < len(self.value) else ""

    def at_end(self) -> bool:
        return self.i >= len(self.value)

    def skip_blanks(self) -> None:
        while self.i < len(self.value) and self.value[self.i] in _WHITESPACE:
            self.i += 1

    def expect(self, char: str, blanks: bool = False) -> None:
        if blanks:
            self.skip_blanks()
        if self.at_end():
            raise _syntax_error(self.value, char, "EOF", self.i)
        if self.value[self.i] != char:
            raise _syntax_error(self.value, char, self.value[self.i], self.i)
        self.i += 1
        if blanks:
            self.skip_blanks()

    def match(self, pattern: re.Pattern[str]) -> str | None:
        found = pattern.match(self.value, self.i)
        if found is None:
            return None
        self.i = found.end()
        return found.group()

    # -- productions
    def parameter(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        key, params[key] = self.keyval()
        previous_end = self.i
        while not self.at_end():
            self.expect(",", blanks=True)
            key, value = self.keyval()
            if key in params:
                raise ShorthandError(
                    f'Second instance of key "{key}" encountered for input:\n'
                    f"{caret_view(self.value, previous_end + 1)}\n"
                    'This is often because there is a preceding "," instead of a space.',
                    previous_end + 1,
                )
            params[key] = value
            previous_end = self.i
        return params

    def key_and_equals(self) -> str:
        start = self.i
        while not self.at_end() and self.value[self.i] in _KEY_CHARS:
            self.i += 1
        key = self.value[start : self.i]
        self.skip_blanks()
        self.at_file = self.current() == "@"
        if self.at_file:
            self.expect("@", blanks=True)
        self.expect("=", blanks=True)
        return key

    def keyval(self) -> tuple[str, Any]:
        key = self.key_and_equals()
        if self.at_end():
            return key, ""
        if self.current() == "[":
            return key, self.explicit_list()
        if self.current() == "{":
            return key, self.hash_literal()
        return key, self.csv_value()

    def csv_value(self) -> Any:
        first = self.first_value()
        self.skip_blanks()
        if self.at_end() or self.current() != ",":
            return first
        self.expect(",", blanks=True)
        items = [first]
        while True:
            try:
                item = self.second_value()
                self.skip_blanks()
                if self.at_end():
                    items.append(item)
                    break
                self.expect(",", blanks=True)
                items.append(item)
            except ShorthandError:
                if self.at_end():
                    raise
                # `a=b,c=d`: what follows the comma is the next key; give it back.
                while self.i >= 0 and self.value[self.i] != ",":
                    self.i -= 1
                break
        return first if len(items) == 1 else items

    def explicit_list(self) -> list[Any]:
        self.expect("[", blanks=True)
        items: list[Any] = []
        while self.current() != "]":
            items.append(self.explicit_value())
            self.skip_blanks()
            if self.current() != "]":
                self.expect(",")
                self.skip_blanks()
        self.expect("]")
        return items

    def hash_literal(self) -> dict[str, Any]:
        self.expect("{", blanks=True)
        members: dict[str, Any] = {}
        while self.current() != "}":
            key = self.key_and_equals()
            item = self.explicit_value()
            self.skip_blanks()
            if self.current() != "}":
                self.expect(",")
                self.skip_blanks()
            members[key] = item
        self.expect("}")
        return members

    def explicit_value(self) -> Any:
        if self.current() == "[":
            return self.explicit_list()
        if self.current() == "{":
            return self.hash_literal()
        return self.first_value()

    def first_value(self) -> str:
        if self.current() in _QUOTED:
            return self.quoted()
        text = self.match(_FIRST_VALUE) or ""
        return self.checked(text.replace("\\,", ",").rstrip())

    def second_value(self) -> str:
        if self.current() in _QUOTED:
            return self.quoted()
        text = self.match(_SECOND_VALUE)
        if text is None:
            raise _syntax_error(self.value, "<second>", "<none>", self.i)
        return self.checked(text.replace("\\,", ",").rstrip())

    def quoted(self) -> str:
        quote = self.current()
        pattern, label = _QUOTED[quote]
        text = self.match(pattern)
        if text is None:
            raise _syntax_error(self.value, f"<{label}>", "<none>", self.i)
        inner = text[1:-1].replace("\\" + quote, quote).replace("\\\\", "\\")
        return self.checked(inner)

    def checked(self, text: str) -> str:
        if self.at_file and text.startswith(_FILE_PREFIXES) and self.files is not None:
            return self.files(text)  # type: ignore[no-any-return]
        return text


def parse(value: str, files: FileLoader | None = None) -> dict[str, Any]:
    """The shorthand `value` as plain data (strings, lists, dicts); raises ShorthandError.
    `files` reads `key@=file://...` values; without it they stay as typed."""
    return _Reader(value, files).parameter()


# -- the model's say -----------------------------------------------------------------------

_DOCUMENT_REFUSAL = (
    "Shorthand syntax does not support document types. Use JSON input for top-level "
    "argument to specify nested parameter: {member}"
)


def coerce(value: Any, shape: Shape) -> Any:
    """`value` (from `parse`) adjusted to `shape`, as the CLI adjusts shorthand.

    Raises ShorthandError for a document type inside, ValueError for a number the model
    wants that the text is not (the CLI lets that one reach its general handler).
    """
    kind = shape.type_name
    if kind == "structure":
        return _coerce_structure(value, shape)
    if kind == "list":
        if not isinstance(value, list):
            return [value] if value is not None else value
        return [coerce(item, shape.member) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {key: coerce(item, shape.value) for key, item in value.items()}
    return _coerce_scalar(value, kind)


def _coerce_structure(value: Any, shape: Shape) -> Any:
    if value is not None and getattr(shape, "is_document_type", False):
        raise _InsideDocument
    if not isinstance(value, dict):
        return value
    result = dict(value)
    for member, member_shape in shape.members.items():
        if member not in result:
            continue
        try:
            result[member] = coerce(result[member], member_shape)
        except _InsideDocument:
            raise ShorthandError(_DOCUMENT_REFUSAL.format(member=member)) from None
    return result


class _InsideDocument(Exception):
    pass


def _coerce_scalar(value: Any, kind: str) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean":
        lowered = value.lower()
        return True if lowered == "true" else False if lowered == "false" else value
    return value


def is_document_container(shape: Shape) -> bool:
    """A document type, or lists/maps that end in one: JSON only, as in the CLI."""
    while shape.type_name in ("list", "map"):
        shape = shape.member if shape.type_name == "list" else shape.value
    return bool(getattr(shape, "is_document_type", False))


def supports_shorthand(shape: Shape) -> bool:
    if is_document_container(shape):
        return False
    if shape.type_name == "list":
        return shape.member.type_name in ("structure", "list", "map")
    return shape.type_name in ("structure", "map")


def example(shape: Shape) -> str:
    """The CLI's shorthand hint for a parameter of this shape ('' when it nests too deep)."""
    try:
        if shape.type_name == "list":
            return _example(shape.member, []) + " ..."
        return _example(shape, [])
    except _TooDeep:
        return ""


class _TooDeep(Exception):
    pass


def _example(shape: Shape, stack: list[str]) -> str:
    if len(stack) > 3:
        raise _TooDeep
    kind = shape.type_name
    if kind == "structure":
        inner = ",".join(
            _member_example(name, member, stack)
            for name, member in shape.members.items()
            if not is_document_container(member)
        )
        return "{" + inner + "}" if stack else inner
    if kind == "list":
        element = _example(shape.member, [*stack, shape.member.name])
        nested = shape.member.type_name in ("structure", "list", "map") or len(stack) > 1
        return f"[{element},{element}]" if nested else f"{element},{element}"
    if kind == "map":
        item = _example(shape.value, [*stack, shape.value.name])
        text = f"KeyName1={item},KeyName2={item}"
        if shape.key.enum and not stack:
            return text + "\n\nWhere valid key names are:\n" + "".join(f"  {k}\n" for k in shape.key.enum)
        return "{" + text + "}" if stack else text
    return kind


def _member_example(name: str, shape: Shape, stack: list[str]) -> str:
    if shape.name in stack:
        return f"{name}=( ... recursive ... )"
    return f"{name}={_example(shape, [*stack, shape.name])}"
