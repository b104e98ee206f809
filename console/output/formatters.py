"""Formatters: a CLI-parsed result (after `--query`) -> the text the AWS CLI prints.

Every formatter has the same signature, `(data, options) -> str`, and is registered in
FORMATTERS under its `--output` name. `data` is what the CLI's formatter would receive:
timestamps already strings (see `values.py`), blobs base64 text; a formatter still accepts
datetimes and bytes and renders them as the CLI's JSON encoder does.

- json: byte-for-byte the CLI's (four-space indent, non-ASCII kept, nothing for `{}`).
- text, table: byte-for-byte the CLI's (`text.py`, `table.py`).
- yaml, yaml-stream: AWS CLI v2 is not available here, so these follow its documentation
  (see docs/output.md): block style, keys sorted as v2's dumper prints them, unicode kept,
  no anchors; yaml-stream prints each page as one item of a top-level YAML sequence, so the
  concatenated stream is itself one valid YAML document.
- off: v2's `--output off`, nothing at all.

Values from AWS never reach the terminal as control characters (see `controls.py`): text
and table lay out `visible(data)`, JSON escapes what Python's encoder leaves raw, YAML's
emitter escapes them itself. Registering a formatter means choosing one of these.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from . import table, text
from .controls import json_controls, visible


@dataclass(frozen=True)
class FormatOptions:
    """What a formatter needs besides the data. `title` is the operation's model name
    (`DescribeInstances`), the table's title; `width` the terminal's columns; `color` is
    `--color on` (or `auto` on a terminal)."""

    title: str = ""
    width: int = 80
    color: bool = False


DEFAULT_OPTIONS = FormatOptions()


def _encode(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("utf-8")
    raise TypeError("Encountered unrecognized type in JSON encoder.")


def format_json(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    # The CLI prints nothing for an operation without a response body, but does print
    # other falsy results (`[]`, `null`, `0`).
    if data == {}:
        return ""
    return json_controls(json.dumps(data, indent=4, default=_encode, ensure_ascii=False)) + "\n"


def format_text(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    return text.format_text(visible(data), options)


def format_table(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    # Escaped before the table measures its columns (`\x1b` is four columns wide) and
    # before it adds its own colour codes.
    return table.format_table(visible(data), options)


_RAW_BREAKS = frozenset("\x85\u2028\u2029")


class _YamlDumper(yaml.SafeDumper):
    """Block style, unicode kept; never anchors/aliases, which a query that repeats a
    sub-object (`[Owner, Owner]`) would otherwise produce."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        # PyYAML would write NEL and the Unicode line/paragraph separators raw in a plain or
        # single-quoted scalar, where a reader folds them into spaces; double quotes escape them.
        style: str = super().choose_scalar_style()
        value = getattr(self.event, "value", None)
        if style in ("", "'") and isinstance(value, str) and not _RAW_BREAKS.isdisjoint(value):
            return '"'
        return style


def _represent_bytes(dumper: yaml.SafeDumper, value: bytes) -> yaml.Node:
    return dumper.represent_str(base64.b64encode(value).decode("utf-8"))


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime.datetime) -> yaml.Node:
    return dumper.represent_str(value.isoformat())


_YamlDumper.add_representer(bytes, _represent_bytes)
_YamlDumper.add_representer(datetime.datetime, _represent_datetime)

# AWS CLI v2's documented YAML output lists keys alphabetically (its dumper sorts mappings).
YAML_SORT_KEYS = True


def _dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_YamlDumper,
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=YAML_SORT_KEYS,
    )


def format_yaml(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    if data == {}:
        return ""
    return _dump_yaml(data)


def format_yaml_stream(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    """One page (or a whole non-paginated response) as one item of the top-level sequence."""
    return _dump_yaml([data])


def format_off(data: Any, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    return ""


Formatter = Callable[[Any, FormatOptions], str]

FORMATTERS: dict[str, Formatter] = {
    "json": format_json,
    "text": format_text,
    "table": format_table,
    "yaml": format_yaml,
    "yaml-stream": format_yaml_stream,
    "off": format_off,
}

# The formats the CLI streams page by page; the others are printed once, from the merged result.
STREAMED_OUTPUTS = frozenset({"text", "yaml-stream"})
