"""Control characters in AWS data are shown, never obeyed.

Anyone who can write a name, a tag or an S3 key writes to every terminal that lists it: an
ESC or an 8-bit CSI (`\\x9b`) in a value is a terminal command (clear the screen, a fake
prompt, an OSC 8 link whose text and target differ, a DSR query whose reply the terminal
types into the victim's next line, mouse tracking). So every value from AWS passes through
`show_controls` before a formatter lays it out, and the console's own escape codes (the
table's colours on a terminal, the dim retry line) are added after, untouched.

Which characters: C0 (0x00-0x1f) but tab and newline, DEL (0x7f) and C1 (0x80-0x9f, where
xterm reads 0x9b as CSI and 0x9d as OSC). Tab and newline are kept as the CLI prints them:
they move the cursor but command nothing, and escaping them would change output the
compatibility suite holds byte-identical (a description with a newline, a tab in a value
breaking a text column exactly as it does in the CLI). Carriage return and backspace are
escaped: they let a value overwrite what was printed before it on its line.

The form is `\\xNN` (two lower-case hex digits), not caret notation (`^[`): it names every
character the same way, C1 included, which caret notation cannot without the ambiguous
`M-^[` forms; it is what Python, `printf '%q'` and most log viewers print, so it is read
and searched for as what it is; and it is always four columns, so tables stay aligned.
The escape is not reversible (a literal backslash is left as it is, so `\\x1b` typed into a
value reads the same): escaping backslashes too would change ordinary data such as Windows
paths in S3 keys. Other Unicode (é, 日本, emoji, and also bidi controls, which are not
terminal commands) is unchanged.

Formats with an escape syntax of their own keep their values exact: JSON writes C0 as
`\\u001b` already (the CLI's encoder) and `json_controls` writes DEL and C1, which Python's
encoder leaves raw, as `\\u007f`/`\\u009b`, still valid JSON parsing to the same value;
PyYAML's emitter double-quotes and escapes every such character itself (`"\\e[2J"`).
"""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In JSON output every C0 character is already an escape; only these are left raw.
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def _hex(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def show_controls(text: str) -> str:
    """`text` with every control character but tab and newline written as `\\xNN`."""
    if _CONTROLS.search(text) is None:
        return text
    return _CONTROLS.sub(_hex, text)


def visible(data: Any) -> Any:
    """`data` with `show_controls` applied to every string in it, keys included; the
    caller's object is not changed. What text and table lay out."""
    if isinstance(data, str):
        return show_controls(data)
    if isinstance(data, dict):
        return {
            (show_controls(key) if isinstance(key, str) else key): visible(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [visible(item) for item in data]
    return data


def json_controls(text: str) -> str:
    """JSON text with raw DEL and C1 characters written as JSON escapes. Outside strings JSON
    text is ASCII, so every such character is inside a string, where `\\u00NN` is valid."""
    if _RAW_IN_JSON.search(text) is None:
        return text
    return _RAW_IN_JSON.sub(_json_escape, text)


class VisibleWriter:
    """A sink whose every write shows control characters: for output that is AWS data all
    through and carries no escape codes of the console's own (`aws s3`'s listing and
    transfer lines, failure messages). Anything else is asked of the wrapped sink."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    def write(self, stream: str, data: str) -> None:
        self._sink.write(stream, show_controls(data))

    def cancelled(self) -> bool:
        return bool(self._sink.cancelled())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sink, name)
