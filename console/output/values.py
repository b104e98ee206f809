"""Scalars as the AWS CLI's response parser leaves them, before `--query` and formatting.

The CLI replaces two of botocore's parsers: blobs stay base64 text, and timestamps become
strings, either `datetime.isoformat()` of botocore's parsed value (`cli_timestamp_format =
iso8601`, v2's default) or the wire text untouched (`none`/`wire`). This matters before
`--query` (a JMESPath comparison such as `StartTime >= '2024-01-01'` works on strings) and
for text/table/yaml, which would otherwise print Python's `str()` of a datetime or bytes.

Best: build the botocore session with `response_parser_defaults(timestamp_format)`, as the
CLI does, and every value arrives in its final form. `cli_values` is the safety net for a
client built without it: it turns datetimes into ISO 8601 text and bytes into base64 (the
wire text of a timestamp cannot be recovered from a datetime, so `none` needs the parser).
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from typing import Any

from botocore.utils import parse_timestamp

from .errors import UnsupportedTimestampFormat

TIMESTAMP_FORMATS = ("iso8601", "none", "wire")
DEFAULT_TIMESTAMP_FORMAT = "iso8601"


def check_timestamp_format(timestamp_format: str) -> str:
    if timestamp_format not in TIMESTAMP_FORMATS:
        raise UnsupportedTimestampFormat(timestamp_format)
    return timestamp_format


def _identity(value: Any) -> Any:
    return value


def _iso8601(value: Any) -> str:
    return parse_timestamp(value).isoformat()


def response_parser_defaults(
    timestamp_format: str = DEFAULT_TIMESTAMP_FORMAT,
) -> dict[str, Callable[[Any], Any]]:
    """Keyword arguments for botocore's
    `session.get_component("response_parser_factory").set_parser_defaults(**...)`."""
    check_timestamp_format(timestamp_format)
    timestamps = _iso8601 if timestamp_format == "iso8601" else _identity
    return {"blob_parser": _identity, "timestamp_parser": timestamps}


def cli_values(value: Any) -> Any:
    """A copy of `value` with datetimes as ISO 8601 text and bytes as base64 text; the
    caller's object is not changed. Other values are shared, not copied."""
    if isinstance(value, dict):
        return {key: cli_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cli_values(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("utf-8")
    return value
