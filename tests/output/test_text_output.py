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


def test_it_prints_scalar_lists_nested_in_lists_of_structures_as_the_cli():
    """Issue 15: a list of scalars inside a list of structures prints one `KEY\tvalue` line
    per scalar at any depth (awscli's text.py), so an `INTERFACETYPES` line is the CLI's
    rule, not a divergence; the CLI did not print it because its models lack the member."""
    network = {
        "NetworkCards": [
            {"NetworkCardIndex": 0, "InterfaceTypes": ["interface", "efa"]},
            {"NetworkCardIndex": 1, "InterfaceTypes": []},
        ]
    }
    response = {
        "InstanceTypes": [
            {"InstanceType": "t3.nano", "SupportedUsageClasses": ["spot"], "NetworkInfo": network}
        ]
    }
    expect_same_as_cli("text", response)
    assert format_response(response, "text") == (
        "INSTANCETYPES\tt3.nano\n"  # NetworkInfo holds no scalar: no line of its own
        "NETWORKCARDS\t0\nINTERFACETYPES\tinterface\nINTERFACETYPES\tefa\nNETWORKCARDS\t1\n"
        "SUPPORTEDUSAGECLASSES\tspot\n"
    )
