"""Render AWS responses as the AWS CLI prints them. Django-free.

`format_response` does what the CLI does after a call: merge the pages of a paginated
response, drop `ResponseMetadata`, apply `--query` (JMESPath), then hand the result to
the formatter registered for `--output`.
"""

from __future__ import annotations

import functools
from typing import Any

import jmespath
from botocore.paginate import PageIterator

from .formatters import FORMATTERS

__all__ = ["FORMATTERS", "UnsupportedOutput", "format_response", "strip_response_metadata"]


class UnsupportedOutput(Exception):
    """An --output value this console has no formatter for (yet)."""

    def __init__(self, output: str):
        self.output = output
        self.message = (
            f"aws: error: --output {output} is not supported by this console yet; use --output json\n"
        )
        super().__init__(self.message)


def strip_response_metadata(response: Any) -> Any:
    """The response without its `ResponseMetadata` key; the caller's object is not changed."""
    if isinstance(response, dict) and "ResponseMetadata" in response:
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}
    return response


def format_response(response: Any, output: str = "json", query: str | None = None) -> str:
    formatter = FORMATTERS.get(output)
    if formatter is None:
        raise UnsupportedOutput(output)
    if isinstance(response, PageIterator):
        response = response.build_full_result()
    data = strip_response_metadata(response)
    if query is not None:
        data = _compiled(query).search(data)
    return formatter(data)


@functools.lru_cache(maxsize=256)
def _compiled(query: str) -> Any:
    return jmespath.compile(query)
