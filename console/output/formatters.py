"""Formatters: a parsed AWS response (ResponseMetadata already removed) -> the text printed.

One function per `--output` value, registered in FORMATTERS. `json` is byte-for-byte the
AWS CLI's: four-space indent, non-ASCII kept, datetimes in ISO 8601, bytes as base64, and
nothing at all for an empty object (an operation with no response body).
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any


def _encode(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("utf-8")
    raise TypeError("Encountered unrecognized type in JSON encoder.")


def format_json(response: Any) -> str:
    if response == {}:
        return ""
    return json.dumps(response, indent=4, default=_encode, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "json": format_json,
}
