"""A paginated result held in memory, and the cost of formatting one.

`in_memory_pages` builds a real botocore `PageIterator` over canned pages, so merging,
`--max-items` truncation and resume tokens behave exactly as against AWS; the tests and
the benchmark use it. `time_formatting` is what `bench/cli.py` reports. It lives here, not
in `console/output/`, because the console itself never runs it.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from typing import Any

import jmespath
from botocore.paginate import PageIterator

from console.output.paging import stream_pages


def in_memory_pages(
    pages: Sequence[dict[str, Any]],
    result_keys: Sequence[str] = ("Items",),
    non_aggregate_keys: Sequence[str] = (),
    max_items: int | None = None,
) -> PageIterator:
    """A PageIterator whose service call returns `pages` in turn, with a `NextToken` on every
    page but the last. Each call copies the page's top level and its lists (botocore's merge
    extends the first page's lists in place); records themselves are shared, never changed."""

    def call(**kwargs: Any) -> dict[str, Any]:
        index = int(kwargs.get("NextToken") or 0)
        page = {key: list(value) if isinstance(value, list) else value for key, value in pages[index].items()}
        if index + 1 < len(pages):
            page["NextToken"] = str(index + 1)
        return page

    return PageIterator(
        call,
        ["NextToken"],
        [jmespath.compile("NextToken")],
        None,
        [jmespath.compile(key) for key in result_keys],
        [jmespath.compile(key) for key in non_aggregate_keys],
        "MaxResults",
        max_items,
        None,
        None,
        {},
    )


def sample_pages(items: int = 10_000, page_size: int = 1_000) -> list[dict[str, Any]]:
    """`items` EC2-like records, a few scalars and a nested list each, split into pages."""
    launched = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    records = [
        {
            "InstanceId": f"i-{number:017x}",
            "InstanceType": "t3.micro",
            "LaunchTime": launched + datetime.timedelta(seconds=number),
            "PrivateIpAddress": f"10.0.{number // 256 % 256}.{number % 256}",
            "State": {"Code": 16, "Name": "running"},
            "Tags": [{"Key": "Name", "Value": f"web-{number}"}],
        }
        for number in range(items)
    ]
    return [
        {"Items": records[start : start + page_size], "ResponseMetadata": {"RequestId": "bench"}}
        for start in range(0, items, page_size)
    ]


def time_formatting(
    items: int = 10_000, page_size: int = 1_000, outputs: Sequence[str] = ("text", "table")
) -> dict[str, dict[str, float]]:
    """Seconds to format `items` paginated records in each output: `total`, and `first`,
    the time until the first chunk is ready (a page for streamed formats)."""
    pages = sample_pages(items, page_size)
    results: dict[str, dict[str, float]] = {}
    for output in outputs:
        started = time.perf_counter()
        chunks = stream_pages(in_memory_pages(pages), output, title="DescribeInstances", width=120)
        next(chunks, None)
        first = time.perf_counter() - started
        for _ in chunks:
            pass
        results[output] = {"first": first, "total": time.perf_counter() - started}
    return results
