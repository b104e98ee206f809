"""A long line costs only the terminal that sent it: words past the cap are refused at
once, and a line that takes long to read is read off the event loop, so other terminals
are answered meanwhile."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.wsclient import open_terminal, receive, run_command, send

pytestmark = pytest.mark.django_db(transaction=True)


async def signed_in(user: Any) -> Any:
    comm, connected, _ = await open_terminal(user)
    assert connected
    await receive(comm)
    return comm


async def test_it_refuses_a_line_over_the_word_cap_quickly(alice, settings):
    assert settings.CONSOLE_MAX_COMMAND_TOKENS == 5000
    comm = await signed_in(alice)
    line = "aws ec2 describe-instances --instance-ids " + "i " * 49_000
    started = time.perf_counter()
    result = await run_command(comm, line)
    elapsed = time.perf_counter() - started
    assert (result.code, result.exit["status"]) == (252, "rejected")
    assert "more than 5000 words (the limit is 5000)" in result.stderr
    assert elapsed < 1.5, elapsed  # reading all 49k words took 2-3 s here
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
    started = time.perf_counter()
    await send(other, {"type": "run", "command": "aws sts get-caller-identity"})
    assert (await receive(other, timeout=10))["type"] == "started"
    waited = time.perf_counter() - started
    assert await slow.receive_nothing(timeout=0.01), "the long line was parsed first"
    assert waited < 1.0, waited
    assert (await receive(slow, timeout=30))["type"] == "started"
    await slow.disconnect()
    await other.disconnect()
