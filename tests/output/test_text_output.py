"""`--output text` is byte-for-byte what the AWS CLI prints (awscli's TextFormatter is the oracle)."""

from __future__ import annotations

import pytest
from botocore.paginate import PageIterator

from console.output import FormatError, format_response, stream_pages
from tests.output.oracle import CliFailed, cli_output
from tests.output.shapes import SHAPES


def expect_same_as_cli(output: str, response: object, **options: object) -> None:
    if not isinstance(response, (dict, PageIterator)):
        # A response is always a structure; other shapes reach a formatter through --query.
        response, options = {"Result": response}, {**options, "query": "Result"}
    cli_response = options.pop("cli_response", response)
    try:
        expected = cli_output(output, cli_response, **options)
    except CliFailed as failure:
        printed = []
        with pytest.raises(FormatError) as caught:
            printed.extend(stream_pages(response, output, **options))
        assert (caught.value.message, "".join(printed)) == (str(failure), failure.printed)
        return
    assert format_response(response, output, **options) == expected


@pytest.mark.parametrize("name", list(SHAPES))
def test_it_prints_text_exactly_as_the_cli(name):
    expect_same_as_cli("text", SHAPES[name])


def test_it_lays_out_a_list_of_structures_one_tab_separated_line_each():
    assert format_response(SHAPES["list-buckets"], "text") == (
        "BUCKETS\t2024-05-01T12:30:05.123000+00:00\talpha\n"
        "BUCKETS\t2024-05-01T17:30:05.123000+00:00\tbeta-with-a-much-longer-name\n"
        "OWNER\tme\tabc123\n"
    )


def test_it_prints_nothing_for_an_empty_response():
    assert format_response({"ResponseMetadata": {"RequestId": "r"}}, "text") == ""
