"""Property tests: no JSON-like result makes a formatter crash or hang, and text and table
agree with the CLI's formatters on every one of them (or fail with the CLI's message)."""

from __future__ import annotations

import datetime
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.output import FORMATTERS, FormatError, FormatOptions
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
    expect_same_as_cli(output, response, **options)


@settings(max_examples=100, deadline=2000)
@given(response=responses, query=st.sampled_from(["*", "values(@)", "keys(@)", "[*]", "@", "*[]", "[@, @]"]))
def test_it_agrees_with_the_cli_on_any_query_result_as_json_and_text(response, query):
    for output in ("json", "text"):
        expect_same_as_cli(output, response, query=query)
