"""`--output json` is byte-for-byte what the AWS CLI prints (awscli's JSONFormatter is the oracle)."""

from __future__ import annotations

import argparse
import datetime
import io

import pytest
from dateutil.tz import tzutc

from console.output import FORMATTERS, format_response

RESPONSES = [
    {
        "Buckets": [
            {"Name": "a", "CreationDate": datetime.datetime(2024, 5, 1, 12, 30, 5, 123000, tzinfo=tzutc())}
        ],
        "Owner": {"DisplayName": "me", "ID": "abc"},
        "ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200, "RetryAttempts": 0},
    },
    {"ResponseMetadata": {"RequestId": "r"}},
    {},
    {"Plaintext": b"\x00\xffhello", "KeyId": "k"},
    {"Name": "café ☕ 東京", "Quote": 'he said "hi"\n', "Path": "C:\\temp"},
    {"Count": 3, "Ratio": 0.1, "Big": 12345678901234567890, "Flag": False, "Nothing": None},
    {"Empty": [], "Nested": {"Deeper": {"List": [[1, 2], {"A": []}]}}},
    {"Naive": datetime.datetime(2024, 1, 2, 3, 4, 5)},
    {
        "Offset": datetime.datetime(
            2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-7))
        )
    },
]

QUERIES = [None, "Buckets[].Name", "Owner", "Missing", "length(Buckets)", "Buckets[0]", "`{}`", '`""`']


def cli_json(response, query=None) -> str:
    import jmespath
    from awscli.formatter import JSONFormatter

    args = argparse.Namespace(query=jmespath.compile(query) if query else None)
    stream = io.StringIO()
    JSONFormatter(args)("operation", dict(response), stream)
    return stream.getvalue()


@pytest.mark.parametrize("response", RESPONSES)
def test_it_prints_json_exactly_as_the_cli(response):
    assert format_response(response) == cli_json(response)


@pytest.mark.parametrize("query", QUERIES)
def test_it_applies_query_after_dropping_response_metadata_as_the_cli(query):
    response = RESPONSES[0]
    assert format_response(response, "json", query) == cli_json(response, query)


def test_it_leaves_the_callers_response_untouched():
    response = {"A": 1, "ResponseMetadata": {"RequestId": "r"}}
    format_response(response)
    assert response == {"A": 1, "ResponseMetadata": {"RequestId": "r"}}


def test_it_refuses_a_value_json_cannot_hold_as_the_cli_does():
    with pytest.raises(TypeError, match="Encountered unrecognized type in JSON encoder."):
        FORMATTERS["json"]({"Body": object()})


def test_it_merges_the_pages_of_a_paginated_response():
    from botocore.paginate import PageIterator

    class Pages(PageIterator):
        def __init__(self):
            pass

        def build_full_result(self):
            return {"Items": [1, 2, 3]}

    assert format_response(Pages(), "json", "Items[-1]") == "3\n"
