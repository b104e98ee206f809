"""Property tests: no JSON-like result makes a formatter crash or hang, and text and table
agree with the CLI's formatters on every one of them (or fail with the CLI's message).
Values with control characters are laid out as the CLI lays out the same values with the
characters made visible (console/output/controls.py); JSON differs from the CLI's only in
escaping what the CLI leaves raw, and parses to the same data."""

from __future__ import annotations

import datetime
import json
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.output import FORMATTERS, FormatError, FormatOptions, format_response
from console.output.controls import json_controls, visible
from tests.output.oracle import cli_output
from tests.output.test_text_output import expect_same_as_cli

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.datetimes(timezones=st.just(datetime.UTC)),
)
keys = st.text(min_size=0, max_size=6)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)
responses = st.dictionaries(keys, json_like, max_size=5)
widths = st.integers(min_value=1, max_value=160)


@settings(max_examples=300, deadline=2000)
@given(data=json_like, output=st.sampled_from(sorted(FORMATTERS)), width=widths, color=st.booleans())
def test_it_never_crashes_on_any_json_like_result(data, output, width, color):
    try:
        printed = FORMATTERS[output](data, FormatOptions(title="Op", width=width, color=color))
    except FormatError:
        assert output in ("text", "table")  # only where the CLI's own formatter fails too
        return
    assert isinstance(printed, str)


@pytest.mark.parametrize("output", ["text", "table"])
@settings(max_examples=int(os.environ.get("OUTPUT_EXAMPLES", 400)), deadline=2000)
@given(response=responses, width=widths, color=st.booleans())
def test_it_agrees_with_the_cli_on_any_response(output, response, width, color):
    options = {"title": "Op", "width": width, "color": color} if output == "table" else {}
    expect_same_as_cli(output, response, cli_response=visible(response), **options)


@settings(max_examples=100, deadline=2000)
@given(response=responses, query=st.sampled_from(["*", "values(@)", "keys(@)", "[*]", "@", "*[]", "[@, @]"]))
def test_it_agrees_with_the_cli_on_any_query_result_as_json_and_text(response, query):
    expect_same_as_cli("text", response, query=query, cli_response=visible(response))
    printed = format_response(response, "json", query=query)
    assert printed == json_controls(cli_output("json", response, query=query))
    if printed:
        assert json.loads(printed) == json.loads(cli_output("json", response, query=query))


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONSOLE_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
hostile_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("\x1b\x9b\x9d\x07\x7f\r\x08\x00[]6n;"))
)
hostile = st.recursive(
    st.one_of(st.none(), st.integers(), hostile_text),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=2000)
@given(data=hostile, output=st.sampled_from(sorted(FORMATTERS)), width=widths, color=st.booleans())
def test_it_never_prints_a_control_character_of_the_data(data, output, width, color):
    try:
        printed = FORMATTERS[output](data, FormatOptions(title="Op", width=width, color=color))
    except FormatError as failure:
        printed = failure.partial + failure.message
    assert _CONTROL.search(_CONSOLE_COLOURS.sub("", printed)) is None
