from __future__ import annotations

import asyncio

import pytest

from tests.wsclient import open_terminal, receive, send

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_keeps_an_idle_terminal_open(alice):
    # Regression: redis-py 8's 5 s read timeout raced channels_redis's 5 s BZPOPMIN and
    # closed idle terminals with 1011.
    comm, connected, _ = await open_terminal(alice)
    assert connected
    await receive(comm)
    await asyncio.sleep(7)
    await send(comm, {"type": "ping"})
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()
