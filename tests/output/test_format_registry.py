from __future__ import annotations

import inspect

import pytest

from console.output import (
    FORMATTERS,
    STREAMED_OUTPUTS,
    FormatOptions,
    UnsupportedOutput,
    format_response,
    stream_pages,
    strip_response_metadata,
)


def test_it_registers_every_output_the_cli_v2_has():
    assert set(FORMATTERS) == {"json", "text", "table", "yaml", "yaml-stream", "off"}
    assert STREAMED_OUTPUTS == {"text", "yaml-stream"}
    assert format_response({"A": 1}, "json") == '{\n    "A": 1\n}\n'


@pytest.mark.parametrize("output", list(FORMATTERS))
def test_it_gives_every_formatter_the_same_signature(output):
    assert list(inspect.signature(FORMATTERS[output]).parameters) == ["data", "options"]
    assert isinstance(FORMATTERS[output]({"A": 1}, FormatOptions()), str)


@pytest.mark.parametrize("output", ["xml", "JSON", "", "yaml_stream"])
def test_it_refuses_an_output_the_cli_does_not_have(output):
    with pytest.raises(UnsupportedOutput) as caught:
        format_response({"A": 1}, output)
    assert caught.value.message == (
        f"aws: error: argument --output: Invalid choice '{output}', valid choices are: "
        "json, text, table, yaml, yaml-stream, off\n"
    )


def test_it_refuses_a_bad_output_before_anything_is_fetched():
    with pytest.raises(UnsupportedOutput):
        stream_pages(object(), "xml")


def test_it_prints_nothing_for_output_off():
    assert format_response({"A": 1}, "off") == ""


@pytest.mark.parametrize(
    "response, stripped",
    [
        ({"A": 1, "ResponseMetadata": {"RequestId": "r"}}, {"A": 1}),
        ({"A": 1}, {"A": 1}),
        ({"ResponseMetadata": {}}, {}),
        ([1, 2], [1, 2]),
    ],
)
def test_it_strips_response_metadata(response, stripped):
    assert strip_response_metadata(response) == stripped
