"""The AWS CLI's own formatters, run in-process as the oracle (tests only import awscli).

`cli_output` feeds them what the CLI's response parser would have produced with
`cli_timestamp_format = iso8601` (v2's default) and its blob parser: timestamps as
`isoformat()` text, blobs as base64 text. It returns the bytes printed, or the text of
the exception the CLI would have reported.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
from typing import Any

import jmespath


class CliFailed(Exception):
    """The CLI's formatter raised: the CLI prints this message and exits 255, after
    `printed`, what it had written before."""

    def __init__(self, message: str, printed: str) -> None:
        super().__init__(message)
        self.printed = printed


def as_cli_parsed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: as_cli_parsed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_cli_parsed(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def cli_formatter(output: str, query: str | None = None, width: int = 80, color: bool = False) -> Any:
    from awscli.formatter import get_formatter
    from awscli.table import ColorizedStyler

    args = argparse.Namespace(query=jmespath.compile(query) if query else None, color="off")
    formatter = get_formatter(output, args)
    if output == "table":
        # MultiTable reads the width of the real terminal; pin it. ColorizedStyler's
        # constructor would wrap sys.stdout with colorama for the whole session, so the
        # styler is made without it (styling is all its methods do).
        formatter.table._terminal_width = width
        if color:
            formatter.table._styler = ColorizedStyler.__new__(ColorizedStyler)
    return formatter


def cli_output(
    output: str,
    response: Any,
    query: str | None = None,
    title: str = "Op",
    width: int = 80,
    color: bool = False,
) -> str:
    """What the CLI prints for an already parsed, non-paginated response (or a PageIterator
    whose pages are already CLI-parsed)."""
    from botocore.paginate import PageIterator

    if not isinstance(response, PageIterator):
        response = as_cli_parsed(response)
    stream = io.StringIO()
    try:
        cli_formatter(output, query, width, color)(title, response, stream)
    except Exception as exc:
        raise CliFailed(str(exc), stream.getvalue()) from exc
    return stream.getvalue()
