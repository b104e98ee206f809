"""Timestamps and blobs print as the CLI's parser leaves them: `cli_timestamp_format =
iso8601` (v2's default) gives `isoformat()` text before `--query` sees it; `none`/`wire`
keeps the wire text, which the engine gets by installing `response_parser_defaults`."""

from __future__ import annotations

import datetime

import pytest
from botocore.session import Session

from console.output import (
    UnsupportedTimestampFormat,
    cli_values,
    format_response,
    response_parser_defaults,
)
from tests.output.shapes import WHEN

RESPONSE = {"Snapshots": [{"Id": "a", "StartTime": WHEN}, {"Id": "b", "StartTime": WHEN.replace(year=2023)}]}


@pytest.mark.parametrize(
    "output, printed",
    [
        (
            "text",
            "SNAPSHOTS\ta\t2024-05-01T12:30:05.123000+00:00\nSNAPSHOTS\tb\t2023-05-01T12:30:05.123000+00:00\n",
        ),
        (
            "json",
            '{\n    "Snapshots": [\n        {\n            "Id": "a",\n            "StartTime": '
            '"2024-05-01T12:30:05.123000+00:00"\n        },\n        {\n            "Id": "b",\n'
            '            "StartTime": "2023-05-01T12:30:05.123000+00:00"\n        }\n    ]\n}\n',
        ),
    ],
)
def test_it_prints_timestamps_in_iso8601_by_default(output, printed):
    assert format_response(RESPONSE, output) == printed


def test_it_compares_timestamps_as_text_in_a_query_as_the_cli():
    assert format_response(RESPONSE, "text", "Snapshots[?StartTime >= '2024'].Id") == "a\n"
    assert format_response(RESPONSE, "json", "sort_by(Snapshots, &StartTime)[0].Id") == '"b"\n'


def test_it_prints_wire_timestamps_untouched_with_none():
    wire = {"StartTime": "2024-05-01T12:30:05.123Z"}
    assert format_response(wire, "text", timestamp_format="none") == "2024-05-01T12:30:05.123Z\n"
    assert format_response(wire, "text", timestamp_format="wire") == "2024-05-01T12:30:05.123Z\n"


@pytest.mark.parametrize("value", ["iso", "ISO8601", "", "epoch"])
def test_it_refuses_an_unknown_timestamp_format_as_the_cli(value):
    with pytest.raises(UnsupportedTimestampFormat) as caught:
        format_response(RESPONSE, "json", timestamp_format=value)
    assert caught.value.message == (
        f'Unknown cli_timestamp_format value: {value}, valid values are "none", "wire" or "iso8601"'
    )


@pytest.mark.parametrize(
    "timestamp_format, wire, parsed",
    [
        ("iso8601", "2024-05-01T12:30:05.123Z", "2024-05-01T12:30:05.123000+00:00"),
        ("iso8601", "Wed, 01 May 2024 12:30:05 GMT", "2024-05-01T12:30:05+00:00"),
        ("none", "2024-05-01T12:30:05.123Z", "2024-05-01T12:30:05.123Z"),
        ("wire", "1714566605", "1714566605"),
    ],
)
def test_it_gives_botocore_the_cli_parsers(timestamp_format, wire, parsed):
    defaults = response_parser_defaults(timestamp_format)
    assert defaults["timestamp_parser"](wire) == parsed
    assert defaults["blob_parser"]("AP9oZWxsbw==") == "AP9oZWxsbw=="


def test_it_installs_into_a_botocore_session():
    session = Session()
    session.get_component("response_parser_factory").set_parser_defaults(**response_parser_defaults("none"))
    parser = session.get_component("response_parser_factory").create_parser("query")
    assert parser._timestamp_parser("2024-05-01T12:30:05Z") == "2024-05-01T12:30:05Z"


def test_it_turns_leftover_datetimes_and_bytes_into_cli_text_without_touching_the_input():
    response = {"When": [datetime.datetime(2024, 1, 2, 3, 4, 5)], "Blob": b"\x00\xff", "N": 1}
    assert cli_values(response) == {"When": ["2024-01-02T03:04:05"], "Blob": "AP8=", "N": 1}
    assert response["Blob"] == b"\x00\xff"
