"""`--output table` is byte-for-byte what the AWS CLI prints at a given terminal width, with
and without colour (awscli's TableFormatter is the oracle)."""

from __future__ import annotations

import pytest

from console.output import format_response
from tests.output.shapes import SHAPES
from tests.output.test_text_output import expect_same_as_cli

WIDTHS = [40, 80, 120]
COLOURED = ["ec2-describe-instances", "list-buckets", "wide-row", "cjk-table", "map-of-maps"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(SHAPES))
def test_it_prints_tables_exactly_as_the_cli(name, width):
    expect_same_as_cli("table", SHAPES[name], title="DescribeThings", width=width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", COLOURED)
def test_it_colours_tables_exactly_as_the_cli(name, width):
    expect_same_as_cli("table", SHAPES[name], title="DescribeThings", width=width, color=True)


@pytest.mark.parametrize("width", [20, 40, 60])
def test_it_keeps_a_title_wider_than_the_terminal_as_the_cli(width):
    expect_same_as_cli(
        "table", SHAPES["single-scalar-key"], title="DescribeVpcEndpointServiceConfigurations", width=width
    )


def test_it_turns_single_row_sections_vertical_when_the_terminal_is_too_narrow():
    narrow = format_response(SHAPES["sts-get-caller-identity"], "table", title="GetCallerIdentity", width=40)
    assert narrow == (
        "-------------------------------------------------------------------\n"
        "|                        GetCallerIdentity                        |\n"
        "+---------+-------------------------------------------------------+\n"
        "|  Account|  123456789012                                         |\n"
        "|  Arn    |  arn:aws:sts::123456789012:assumed-role/Admin/alice   |\n"
        "|  UserId |  AROAEXAMPLE:alice                                    |\n"
        "+---------+-------------------------------------------------------+\n"
    )
    wide = format_response(SHAPES["sts-get-caller-identity"], "table", title="GetCallerIdentity", width=200)
    assert wide.splitlines()[3] == (
        "|    Account   |                         Arn                          |       UserId        |"
    )


def test_it_prints_nothing_for_an_empty_result():
    assert format_response({"Items": []}, "table", "Items", title="ListThings") == ""


def test_it_colours_values_and_indentation_bars_only():
    coloured = format_response(SHAPES["list-buckets"], "table", title="ListBuckets", color=True)
    assert "\x1b[1m\x1b[34malpha\x1b[0m" in coloured
    assert coloured.splitlines()[3].startswith("\x1b[2m\x1b[33m|\x1b[0m")
    assert "\x1b" not in format_response(SHAPES["list-buckets"], "table", title="ListBuckets")
