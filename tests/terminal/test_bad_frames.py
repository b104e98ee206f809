"""Malformed frames, end to end: each is answered with a one-line `error` frame and the
terminal stays open (they used to close it with 1011 and log a traceback)."""

from __future__ import annotations

import pytest

from tests.wsclient import open_terminal, receive, send

pytestmark = pytest.mark.django_db(transaction=True)

RUN_ID = "6f0c0000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "bad_json", "nested too deeply"),
        ('{"type": "run", "command": "aws s3 ls \ud800"}', "bad_frame", "lone surrogate"),
        ('{"type": "run", "command": "aws s3 ls \\ud800"}', "bad_frame", "lone surrogate"),
        ('{"type": "run", "command": "aws s3 ls \\u0000"}', "bad_frame", "NUL"),
        ('{"type": "attach", "run_id": "\\udfff"}', "bad_frame", "lone surrogate"),
        ('{"type": "answer", "text": "\\ud83d"}', "bad_frame", "lone surrogate"),
        ('{"type": "complete", "line": "aws \\ud800", "cursor": 5}', "bad_frame", "lone surrogate"),
        (f'{{"type": "attach", "run_id": "{RUN_ID}", "after": {2**63}}}', "bad_frame", "after must be"),
        (f'{{"type": "attach", "run_id": "{RUN_ID}", "after": {2**64}}}', "bad_frame", "after must be"),
        (f'{{"type": "attach", "run_id": "{RUN_ID}", "after": -2}}', "bad_frame", "after must be"),
        (f'{{"type": "attach", "run_id": "{RUN_ID}", "after": {"9" * 5000}}}', "bad_json", "not valid JSON"),
        ('{"type": "attach", "run_id": ["x"]}', "bad_frame", "run_id"),
        ('{"type": "cancel", "run_id": {"a": 1}}', "bad_frame", "run_id"),
        ('{"type": "\\ud800"}', "bad_frame", "unknown frame type"),
    ],
)
async def test_it_answers_a_malformed_frame_in_one_line_and_stays_open(alice, raw, code, fragment):
    comm, connected, _ = await open_terminal(alice)
    assert connected
    await receive(comm)
    await comm.send_to(text_data=raw)
    frame = await receive(comm)
    assert (frame["type"], frame["code"]) == ("error", code), frame
    assert fragment in frame["message"]
    assert "\n" not in frame["message"]
    await send(comm, {"type": "ping"})
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


async def test_it_still_attaches_at_the_largest_seq(alice):
    comm, _, _ = await open_terminal(alice)
    await receive(comm)
    await send(comm, {"type": "attach", "run_id": RUN_ID, "after": 2**63 - 1})
    assert (await receive(comm))["code"] == "not_found"
    await comm.disconnect()
