"""Turning a response, paginated or not, into the chunks the terminal prints.

The AWS CLI streams two formats and buffers the rest, and `--query` follows that split:

- text: each page is printed as it arrives, the query applied to each page separately
  (the first page also carries the paginator's non-aggregated keys); when `--max-items`
  stopped early, a final `NEXTTOKEN` line (queried too, as the CLI does).
- yaml-stream (v2): each page as it arrives, the query applied to each page, one item of
  a top-level YAML sequence per page.
- json, table, yaml, off: pages merged first (botocore's `build_full_result`, which adds
  `NextToken` when `--max-items` stopped early), then one query, then one chunk.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

import jmespath
from botocore.paginate import PageIterator
from botocore.utils import set_value_from_jmespath
from jmespath.exceptions import JMESPathError

from .errors import FormatError, InvalidQuery, UnsupportedOutput
from .formatters import FORMATTERS, STREAMED_OUTPUTS, FormatOptions, Formatter
from .querylimit import DEFAULT_QUERY_LIMIT, bounded_search
from .values import DEFAULT_TIMESTAMP_FORMAT, check_timestamp_format, cli_values


@runtime_checkable
class Paginated(Protocol):
    """What botocore's PageIterator offers and the formatters use."""

    @property
    def result_keys(self) -> list[Any]: ...

    @property
    def non_aggregate_part(self) -> dict[str, Any]: ...

    @property
    def resume_token(self) -> str | None: ...

    def build_full_result(self) -> dict[str, Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


def strip_response_metadata(response: Any) -> Any:
    """The response without its `ResponseMetadata` key; the caller's object is not changed."""
    if isinstance(response, dict) and "ResponseMetadata" in response:
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}
    return response


@functools.lru_cache(maxsize=256)
def _compile(query: str) -> Any:
    return jmespath.compile(query)


def compiled_query(query: str) -> Any:
    try:
        return _compile(query)
    except JMESPathError as exc:
        raise InvalidQuery(query, str(exc)) from exc


class PageWriter:
    """Formats one command's result for one `--output`; `chunks(response)` yields the text
    to write, one chunk per page for streamed formats, a single chunk otherwise. Empty
    chunks are never yielded."""

    def __init__(
        self,
        output: str = "json",
        query: str | None = None,
        *,
        title: str = "",
        width: int = 80,
        color: bool = False,
        timestamp_format: str = DEFAULT_TIMESTAMP_FORMAT,
        query_limit: int | None = DEFAULT_QUERY_LIMIT,
    ) -> None:
        formatter = FORMATTERS.get(output)
        if formatter is None:
            raise UnsupportedOutput(output)
        check_timestamp_format(timestamp_format)
        self.output = output
        self.streamed = output in STREAMED_OUTPUTS
        self._formatter: Formatter = formatter
        self._query = compiled_query(query) if query is not None else None
        self._query_limit = query_limit
        self._options = FormatOptions(title=title, width=width, color=color)

    def chunks(self, response: Any) -> Iterator[str]:
        if not isinstance(response, (PageIterator, Paginated)):
            yield from self._formatted(response)
        elif self.output == "text":
            yield from self._text_pages(response)
        elif self.streamed:
            for page in response:
                yield from self._formatted(page)
        else:
            yield from self._formatted(response.build_full_result())

    def _formatted(self, response: Any) -> Iterator[str]:
        try:
            chunk = self._one(response)
        except FormatError as exc:
            if exc.partial:
                yield exc.partial
            raise
        if chunk:
            yield chunk

    def _one(self, response: Any) -> str:
        data = cli_values(strip_response_metadata(response))
        if self._query is not None:
            try:
                data = bounded_search(self._query, data, self._query_limit)
            except JMESPathError as exc:  # e.g. length(null): the CLI fails with this text
                raise FormatError(str(exc)) from exc
        return self._formatter(data, self._options)

    def _text_pages(self, pages: Paginated) -> Iterator[str]:
        for number, page in enumerate(pages):
            current = copy.deepcopy(pages.non_aggregate_part) if number == 0 else {}
            for result_key in pages.result_keys:
                set_value_from_jmespath(current, result_key.expression, result_key.search(page))
            yield from self._formatted(current)
        if pages.resume_token:
            yield from self._formatted({"NextToken": {"NextToken": pages.resume_token}})


def stream_pages(
    response: Any,
    output: str = "json",
    query: str | None = None,
    *,
    title: str = "",
    width: int = 80,
    color: bool = False,
    timestamp_format: str = DEFAULT_TIMESTAMP_FORMAT,
    query_limit: int | None = DEFAULT_QUERY_LIMIT,
) -> Iterator[str]:
    """The text the CLI prints for `response`, in the chunks it would print them."""
    writer = PageWriter(
        output,
        query,
        title=title,
        width=width,
        color=color,
        timestamp_format=timestamp_format,
        query_limit=query_limit,
    )
    return writer.chunks(response)


def format_response(
    response: Any,
    output: str = "json",
    query: str | None = None,
    *,
    title: str = "",
    width: int = 80,
    color: bool = False,
    timestamp_format: str = DEFAULT_TIMESTAMP_FORMAT,
    query_limit: int | None = DEFAULT_QUERY_LIMIT,
) -> str:
    """All of `stream_pages` at once."""
    return "".join(
        stream_pages(
            response,
            output,
            query,
            title=title,
            width=width,
            color=color,
            timestamp_format=timestamp_format,
            query_limit=query_limit,
        )
    )
