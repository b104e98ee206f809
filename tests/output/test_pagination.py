"""Paginated results: text and yaml-stream stream page by page (query per page, a NEXTTOKEN
line when --max-items stops early); json, table and yaml merge the pages first, as the CLI."""

from __future__ import annotations

import pytest

from bench.formatting import in_memory_pages
from console.output import PageWriter, stream_pages
from tests.output.oracle import as_cli_parsed
from tests.output.shapes import instance
from tests.output.test_text_output import expect_same_as_cli

PAGES = [
    {
        "Items": [instance(1), instance(2)],
        "Marker": "m1",
        "Region": "eu-west-1",
        "ResponseMetadata": {"RequestId": "a"},
    },
    {"Items": [instance(3)], "Marker": "m2", "Region": "eu-west-1", "ResponseMetadata": {"RequestId": "b"}},
    {
        "Items": [instance(4, "stopped"), instance(5)],
        "Region": "eu-west-1",
        "ResponseMetadata": {"RequestId": "c"},
    },
]
QUERIES = [
    None,
    "Items[].InstanceId",
    "Items[0].InstanceId",
    "length(Items)",
    "Items[].[InstanceId, LaunchTime]",
    "Items[?State.Name=='stopped'].InstanceId",
    "Region",
    "NextToken",
]


def pages(max_items=None, cli=False):
    canned = [as_cli_parsed(page) for page in PAGES] if cli else PAGES
    return in_memory_pages(canned, ["Items"], ["Region"], max_items=max_items)


@pytest.mark.parametrize("max_items", [None, 2, 4])
@pytest.mark.parametrize("output", ["text", "json", "table"])
@pytest.mark.parametrize("query", QUERIES)
def test_it_prints_paginated_results_as_the_cli(query, output, max_items):
    expect_same_as_cli(
        output,
        pages(max_items),
        cli_response=pages(max_items, cli=True),
        query=query,
        title="DescribeInstances",
        width=100,
    )


def test_it_streams_text_one_chunk_per_page_with_the_query_applied_to_each():
    chunks = list(stream_pages(pages(), "text", "Items[0].InstanceId"))
    assert chunks == [f"i-{1:017x}\n", f"i-{3:017x}\n", f"i-{4:017x}\n"]


def test_it_ends_text_with_the_next_token_when_max_items_stops_early():
    chunks = list(stream_pages(pages(max_items=2), "text"))
    assert len(chunks) == 2
    assert chunks[-1].startswith("NEXTTOKEN\t")


def test_it_buffers_json_into_one_merged_chunk_with_the_next_token():
    chunks = list(stream_pages(pages(max_items=2), "json", "[length(Items), Region, !!NextToken]"))
    assert chunks == ['[\n    2,\n    "eu-west-1",\n    true\n]\n']


def test_it_prints_the_first_page_before_fetching_the_next():
    fetched = []
    canned = pages()
    fetch = canned._make_request

    def counting(kwargs):
        fetched.append(kwargs)
        return fetch(kwargs)

    canned._make_request = counting
    chunks = stream_pages(canned, "text", "Items[].InstanceId")
    assert next(chunks) == f"i-{1:017x}\ti-{2:017x}\n"
    assert len(fetched) == 1
    assert len(list(chunks)) == 2 and len(fetched) == 3


@pytest.mark.parametrize(
    "output, streamed",
    [
        ("text", True),
        ("yaml-stream", True),
        ("json", False),
        ("table", False),
        ("yaml", False),
        ("off", False),
    ],
)
def test_it_says_which_outputs_stream(output, streamed):
    assert PageWriter(output).streamed is streamed


def test_it_treats_a_non_paginated_response_as_one_page():
    assert list(stream_pages({"Items": [1, 2]}, "text")) == ["ITEMS\t1\nITEMS\t2\n"]
    assert list(stream_pages({}, "json")) == []
