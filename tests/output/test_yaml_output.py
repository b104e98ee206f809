"""`--output yaml` and `yaml-stream` as AWS CLI v2 documents them (see docs/output.md):
block style, keys as v2 lists them (sorted), timestamps and blobs as the same text json
prints, and yaml-stream as one sequence item per page, streamed."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.formatting import in_memory_pages
from console.output import format_response, stream_pages
from tests.output.shapes import SHAPES, WHEN


@pytest.mark.parametrize("name", [name for name, shape in SHAPES.items() if isinstance(shape, dict)])
def test_it_holds_the_same_data_as_json(name):
    as_json = format_response(SHAPES[name], "json")
    as_yaml = format_response(SHAPES[name], "yaml")
    assert yaml.safe_load(as_yaml) == (json.loads(as_json) if as_json else None)


def test_it_prints_block_style_with_sorted_keys_and_quoted_timestamps():
    response = {
        "Users": [{"UserName": "alice", "Path": "/", "CreateDate": WHEN, "Tags": []}],
        "IsTruncated": False,
        "ResponseMetadata": {"RequestId": "r"},
    }
    assert format_response(response, "yaml") == (
        "IsTruncated: false\n"
        "Users:\n"
        "- CreateDate: '2024-05-01T12:30:05.123000+00:00'\n"
        "  Path: /\n"
        "  Tags: []\n"
        "  UserName: alice\n"
    )


@pytest.mark.parametrize(
    "query, printed",
    [
        ("Name", "café ☕ 東京\n...\n"),
        ("Missing", "null\n...\n"),
        ("[Name, Emoji]", "- café ☕ 東京\n- 🙂\n"),
        ("`[]`", "[]\n"),
        ("`{}`", ""),
        ('`"yes"`', "'yes'\n"),
        ('`"12"`', "'12'\n"),
    ],
)
def test_it_prints_query_results_of_every_shape(query, printed):
    assert format_response(SHAPES["unicode"], "yaml", query) == printed


def test_it_prints_blobs_as_base64_text():
    assert format_response(SHAPES["blob"], "yaml") == "KeyId: alias/k\nPlaintext: AP9oZWxsbw==\n"


def test_it_never_uses_anchors_for_repeated_values():
    assert format_response({"Owner": {"ID": "x"}}, "yaml", "[Owner, Owner]") == "- ID: x\n- ID: x\n"


def test_it_prints_nothing_for_an_empty_response():
    assert format_response({"ResponseMetadata": {"RequestId": "r"}}, "yaml") == ""


def test_it_streams_one_sequence_item_per_page_without_response_metadata():
    pages = [
        {"Items": [1, 2], "Marker": "m", "ResponseMetadata": {"RequestId": "a"}},
        {"Items": [3], "ResponseMetadata": {"RequestId": "b"}},
    ]
    chunks = list(stream_pages(in_memory_pages(pages), "yaml-stream"))
    assert chunks == [
        "- Items:\n  - 1\n  - 2\n  Marker: m\n  NextToken: '1'\n",
        "- Items:\n  - 3\n",
    ]
    assert yaml.safe_load("".join(chunks)) == [
        {"Items": [1, 2], "Marker": "m", "NextToken": "1"},
        {"Items": [3]},
    ]


def test_it_applies_the_query_to_each_page_of_a_stream():
    pages = [{"Items": [{"Id": "a"}, {"Id": "b"}]}, {"Items": [{"Id": "c"}]}]
    chunks = list(stream_pages(in_memory_pages(pages), "yaml-stream", "Items[].Id"))
    assert chunks == ["- - a\n  - b\n", "- - c\n"]


def test_it_prints_a_non_paginated_response_as_a_one_item_stream():
    assert format_response({"Account": "123", "ResponseMetadata": {}}, "yaml-stream") == "- Account: '123'\n"


def test_it_merges_pages_for_plain_yaml():
    pages = [{"Items": [1, 2]}, {"Items": [3]}]
    assert list(stream_pages(in_memory_pages(pages), "yaml")) == ["Items:\n- 1\n- 2\n- 3\n"]


json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=int(os.environ.get("OUTPUT_EXAMPLES", 300)), deadline=2000)
@given(data=st.dictionaries(st.text(max_size=8), json_like, min_size=1, max_size=5))
def test_it_round_trips_any_json_like_response(data):
    assert yaml.safe_load(format_response(data, "yaml")) == data
    assert yaml.safe_load(format_response(data, "yaml-stream")) == [data]
