"""Fuzzing what clients send: whatever text arrives as a websocket frame or an API body,
the answer is a checked value or a one-line error (FrameError, BadRequest), never another
exception, which would close the socket with 1011 or answer an HTML 500.

Each of the 10,000 cases goes to both decoders: generating a case costs far more than
decoding it (Hypothesis spends 1-3 ms making each), so sharing the cases halves the
suite's time: about 25 s for all 10,000 on an idle two-core machine. End-to-end frames
and bodies are in test_bad_frames.py and tests/api/test_bad_bodies.py."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.api.errors import ApiError
from console.api.validation import MAX_COLS as API_MAX_COLS
from console.api.validation import RunRequest, decode_json, parse_after, parse_run_request
from console.terminal.frames import MAX_COLS, MAX_SEQ, READERS, Frame, FrameError, decode_frame

MAX_BYTES = 256 * 1024
# Any code point, lone surrogates and NUL included: a client can send each of them. The
# ones that broke the consumer (and JSON's own syntax) are drawn often, from a short list.
NOTABLE = 'aws -"\\{}[]:,0189e.\x00\x1b\x7f\u2028\ud800\udbff\udc00\udfff\ud83d\ude00é😀'
any_char = st.sampled_from(NOTABLE) | st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=20)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63 - 1, 2**63, 2**64, -1, -2, 0, 80]),
    st.floats(),
    any_text,
    st.uuids().map(str),
)
# One level of nesting is enough to be the wrong type; deep nesting has its own strategy.
field_values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(any_text, scalars, max_size=2)
FIELDS = ("type", "command", "cols", "run_id", "after", "text", "line", "cursor", "stdin", "wait")
# A type drawn from the known ones most of the time, so the fields behind it are reached.
types = st.sampled_from(sorted(READERS)) | scalars
bodies = st.builds(
    lambda kind, fields: {"type": kind, **fields} if kind is not None else fields,
    types,
    st.dictionaries(st.sampled_from(FIELDS[1:]), field_values, max_size=4),
)


def encoded(body: dict[str, Any], ascii_only: bool) -> str:
    # ensure_ascii escapes a surrogate as \ud800, as a browser's JSON.stringify does;
    # without it the surrogate is sent raw, as a test client may send it.
    return json.dumps(body, ensure_ascii=ascii_only)


deep = st.builds(
    lambda n, opener: opener * n + "1",
    st.integers(min_value=1, max_value=3_000),
    st.sampled_from(["[", '{"a":']),
)
texts = st.one_of(st.builds(encoded, bodies, st.booleans()), deep, st.text(any_char, max_size=60))


def assert_storable(*texts: str) -> None:
    for text in texts:
        text.encode("utf-8")


def assert_sound_frame(frame: Frame) -> None:
    """What the consumer's handlers rely on: types, ranges, text UTF-8 and PostgreSQL hold."""
    assert frame.type in READERS
    assert_storable(frame.command, frame.text, frame.line, frame.run_id or "")
    assert "\x00" not in frame.command + frame.text + frame.line + (frame.run_id or "")
    assert -1 <= frame.after <= MAX_SEQ and not isinstance(frame.after, bool)
    assert frame.cols is None or 1 <= frame.cols <= MAX_COLS
    assert 0 <= frame.cursor <= len(frame.line)


def assert_sound_request(request: RunRequest) -> None:
    assert_storable(request.command, request.stdin or "")
    assert "\x00" not in request.command
    assert isinstance(request.wait, bool)
    assert 1 <= request.cols <= API_MAX_COLS


def check_frame(text: str) -> None:
    try:
        frame = decode_frame(text, MAX_BYTES)
    except FrameError as error:
        assert error.message and "\n" not in error.message
        json.dumps({"type": "error", "message": error.message}, ensure_ascii=False).encode()
        return
    assert_sound_frame(frame)


def check_body(text: str) -> None:
    try:
        request = parse_run_request(decode_json(text.encode("utf-8", "surrogatepass")))
    except ApiError as error:
        assert error.status == 400 and error.message
        json.dumps({"error": error.message}, ensure_ascii=False).encode()
        return
    assert_sound_request(request)


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_it_decodes_any_frame_or_body_into_sound_values_or_a_one_line_error(text: str) -> None:
    check_frame(text)
    check_body(text)


def test_it_refuses_binary_frames() -> None:
    try:
        decode_frame(None, MAX_BYTES)
    except FrameError as error:
        assert "binary frames" in error.message
    else:
        raise AssertionError("a binary frame was accepted")


@settings(max_examples=500, deadline=None)
@given(st.text(any_char, max_size=30) | st.integers(min_value=-(2**70), max_value=2**70).map(str))
def test_it_reads_any_after_parameter_as_a_seq_or_a_400(value: str) -> None:
    try:
        after = parse_after(value)
    except ApiError as error:
        assert error.status == 400
        return
    assert -1 <= after <= MAX_SEQ
