"""Render AWS responses as the AWS CLI prints them. Django-free; never imports awscli.

The pipeline is the CLI's: drop `ResponseMetadata`, turn timestamps and blobs into the
text the CLI's parser gives (`values.py`), apply `--query` (JMESPath), format. Paginated
responses (a botocore `PageIterator`) are streamed page by page for `text` and
`yaml-stream` and merged first for `json`, `table`, `yaml` (and `off`), as the CLI does;
`--query` is applied per page or once accordingly (`paging.py`).

Public API:

    stream_pages(response, output="json", query=None, *, title="", width=80, color=False,
                 timestamp_format="iso8601", query_limit=DEFAULT_QUERY_LIMIT) -> Iterator[str]
        The chunks to write, in order; never an empty chunk. `response` is a parsed
        response dict or a PageIterator (iterate lazily: each page is fetched when the
        previous chunk has been consumed). Raises UnsupportedOutput, InvalidQuery or
        UnsupportedTimestampFormat when called; FormatError while iterating (after the
        chunks already yielded, which the CLI would have printed too). All are OutputError
        with a `.message` to show. `query_limit` bounds what `--query` builds (bytes, see
        `querylimit.py`; None for no bound): past it, QueryTooLarge, an OutputLimitExceeded
        (a FormatError: exit code 255).
    format_response(...same arguments...) -> str
        All the chunks joined.
    PageWriter(output, query, *, title, width, color, timestamp_format, query_limit).chunks(response)
        The same, built once; `.streamed` says whether the output is page by page.
    FORMATTERS: dict[str, (data, FormatOptions) -> str]
        One formatter per `--output` value, over already-queried data.
    response_parser_defaults(timestamp_format) -> dict
        botocore parser overrides the CLI installs (`set_parser_defaults(**...)`).
    show_controls(text) -> str, visible(data)
        AWS data with control characters made visible (`controls.py`); every formatter
        applies them, and the engine to what it prints outside them.

`title` is the operation's model name (`ListBuckets`), used by `table`; `width` the
terminal's columns (80 when unknown, as the CLI); `color` is `--color on`, or `auto` on a
TTY-like target.
"""

from __future__ import annotations

from .controls import show_controls, visible
from .errors import (
    FormatError,
    InvalidQuery,
    OutputError,
    OutputLimitExceeded,
    QueryTooLarge,
    UnsupportedOutput,
    UnsupportedTimestampFormat,
)
from .formatters import FORMATTERS, STREAMED_OUTPUTS, FormatOptions
from .paging import PageWriter, Paginated, format_response, stream_pages, strip_response_metadata
from .querylimit import DEFAULT_QUERY_LIMIT
from .values import TIMESTAMP_FORMATS, cli_values, response_parser_defaults

__all__ = [
    "DEFAULT_QUERY_LIMIT",
    "FORMATTERS",
    "STREAMED_OUTPUTS",
    "TIMESTAMP_FORMATS",
    "FormatError",
    "FormatOptions",
    "InvalidQuery",
    "OutputError",
    "OutputLimitExceeded",
    "QueryTooLarge",
    "PageWriter",
    "Paginated",
    "UnsupportedOutput",
    "UnsupportedTimestampFormat",
    "cli_values",
    "format_response",
    "response_parser_defaults",
    "show_controls",
    "stream_pages",
    "strip_response_metadata",
    "visible",
]
