from __future__ import annotations

import pytest

from console.output import FORMATTERS, UnsupportedOutput, format_response, strip_response_metadata


def test_it_registers_json():
    assert set(FORMATTERS) >= {"json"}
    assert format_response({"A": 1}, "json") == '{\n    "A": 1\n}\n'


@pytest.mark.parametrize("output", ["text", "table", "yaml", "yaml-stream", "xml"])
def test_it_refuses_formats_it_does_not_have_yet(output):
    with pytest.raises(UnsupportedOutput) as caught:
        format_response({"A": 1}, output)
    assert caught.value.message == (
        f"aws: error: --output {output} is not supported by this console yet; use --output json\n"
    )


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
