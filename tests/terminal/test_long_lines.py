"""A long line costs only the terminal that sent it: words past the cap are refused at
once, and a line that takes long to read is read off the event loop, so other terminals
are answered meanwhile."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.wsclient import RunResult, collect_until_exit, open_terminal, receive, run_command, send

pytestmark = pytest.mark.django_db(transaction=True)


async def signed_in(user: Any) -> Any:
    comm, connected, _ = await open_terminal(user)
    assert connected
    await receive(comm)
    return comm


async def test_it_refuses_a_line_over_the_word_cap(alice, settings):
    # That it stops reading at the cap is tests/interpreter/test_tokenizer.py's to show.
    assert settings.CONSOLE_MAX_COMMAND_TOKENS == 5000
    comm = await signed_in(alice)
    line = "aws ec2 describe-instances --instance-ids " + "i " * 49_000
    result = await run_command(comm, line)
    assert (result.code, result.exit["status"]) == (252, "rejected")
    assert "more than 5000 words (the limit is 5000)" in result.stderr
    await comm.disconnect()


async def test_it_takes_the_word_cap_from_the_setting(alice, settings):
    settings.CONSOLE_MAX_COMMAND_TOKENS = 4
    comm = await signed_in(alice)
    result = await run_command(comm, "aws sts get-caller-identity --output json")
    assert result.code == 252
    assert "the limit is 4" in result.stderr
    await comm.disconnect()


@pytest.fixture
def slow_lines(settings: Any) -> str:
    """Limits raised so that one line takes about a second to read."""
    settings.CONSOLE_MAX_COMMAND_TOKENS = 200_000
    settings.CONSOLE_MAX_COMMAND_LENGTH = 250_000
    return "aws ec2 describe-instances --instance-ids " + "i " * 100_000


async def pong_while(slow: Any, frame: dict[str, Any], other: Any) -> None:
    """Send `frame` on `slow`, then ping on `other`: the pong must come before the reply."""
    await send(slow, frame)
    await asyncio.sleep(0.05)  # the slow frame is being read now
    await send(other, {"type": "ping"})
    assert await receive(other, timeout=5) == {"type": "pong"}
    assert await slow.receive_nothing(timeout=0.01), "the slow frame was answered first"
    await receive(slow, timeout=30)


async def test_it_answers_other_terminals_while_completing_a_long_line(alice, bob, slow_lines):
    slow, other = await signed_in(alice), await signed_in(bob)
    await pong_while(slow, {"type": "complete", "line": slow_lines, "cursor": len(slow_lines)}, other)
    await slow.disconnect()
    await other.disconnect()


async def test_it_starts_other_terminals_commands_while_parsing_a_long_line(alice, bob, slow_lines):
    slow, other = await signed_in(alice), await signed_in(bob)
    await send(slow, {"type": "run", "command": slow_lines})
    await asyncio.sleep(0.05)
    await send(other, {"type": "run", "command": "aws sts get-caller-identity"})
    others = RunResult(frames=[await receive(other, timeout=10)])
    assert others.frames[0]["type"] == "started"
    # The order is the proof: the other command started while the long line was read.
    assert await slow.receive_nothing(timeout=0.01), "the long line was parsed first"
    slows = RunResult(frames=[await receive(slow, timeout=30)])
    assert slows.frames[0]["type"] == "started"
    # Both runs end before the test does: a worker still writing one while the test's
    # database is flushed deadlocked with the flush (CI, once).
    await collect_until_exit(other, others, timeout=60)
    await collect_until_exit(slow, slows, timeout=60)
    await slow.disconnect()
    await other.disconnect()


async def test_it_ends_a_long_line_even_when_the_terminal_polls_while_it_is_read(alice, monkeypatch):
    """The poller once ran before the run's row existed, found none and forgot the run, so
    a line that took longer than one poll to read never got its exit frame."""
    from console.terminal import consumers

    monkeypatch.setattr(consumers, "POLL_SECONDS", 0.001)
    comm = await signed_in(alice)
    line = "aws ec2 describe-instances --instance-ids " + "i " * 49_000
    result = await run_command(comm, line, timeout=15)
    assert (result.exit["type"], result.code) == ("exit", 252)
    await comm.disconnect()
