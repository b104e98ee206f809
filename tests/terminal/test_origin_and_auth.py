from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from console.api.tokens import create_token
from console.asgi import application
from tests.wsclient import open_terminal, receive, send, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_refuses_a_foreign_origin(alice):
    comm, connected, _ = await open_terminal(alice, origin=b"https://evil.example")
    assert connected is False


async def test_it_refuses_a_missing_origin(alice):
    comm, connected, _ = await open_terminal(alice, origin=None)
    assert connected is False


@pytest.mark.parametrize(
    "origin",
    [
        b"http://localhost:9999",  # another port of the same host
        b"http://localhost",  # the same host on the default port
        b"https://localhost:8000",  # another scheme, same host and port
        b"http://localhost.evil.example:8000",  # another host, same port
        b"null",  # a sandboxed iframe or a file:// page
    ],
)
async def test_it_refuses_another_origin_of_the_same_host(alice, origin):
    assert settings.CONSOLE_ORIGINS[0] == "http://localhost:8000"
    comm, connected, _ = await open_terminal(alice, origin=origin)
    assert connected is False


@pytest.mark.parametrize("origin", [b"http://localhost:8000", b"http://127.0.0.1:8000", b"http://[::1]:8000"])
async def test_it_accepts_the_consoles_own_origins(alice, origin):
    comm, connected, _ = await open_terminal(alice, origin=origin)
    assert connected
    assert (await receive(comm))["user"] == "alice"
    await comm.disconnect()


async def test_it_compares_origins_with_the_configured_ones(alice, settings):
    settings.CONSOLE_ORIGINS = ["https://console.example.com"]
    comm, connected, _ = await open_terminal(alice, origin=b"https://console.example.com")
    assert connected
    await comm.disconnect()
    for other in (
        b"http://console.example.com",
        b"https://console.example.com:8443",
        b"http://localhost:8000",
    ):
        _, connected, _ = await open_terminal(alice, origin=other)
        assert connected is False, other


async def test_it_does_not_let_another_authorization_scheme_skip_the_origin_check(alice):
    comm = WebsocketCommunicator(
        application,
        "/ws/terminal/",
        headers=[
            (b"origin", b"http://localhost:9999"),
            (b"cookie", f"sessionid={await session_cookie(alice)}".encode()),
            (b"authorization", b"Basic YWxpY2U6cGFzcw=="),
        ],
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected is False


async def test_it_accepts_a_bearer_token_without_or_with_any_origin(alice):
    from channels.db import database_sync_to_async

    token = await database_sync_to_async(create_token)(alice)
    for origin in (None, b"http://localhost", b"https://elsewhere.example"):
        comm, connected, _ = await open_terminal(None, token=token, origin=origin)
        assert connected, origin
        assert (await receive(comm))["user"] == "alice"
        await comm.disconnect()


async def test_it_judges_a_bearer_connection_by_its_token_not_the_cookie(alice):
    comm, connected, _ = await open_terminal(
        alice, token="awsc_not-a-real-token", origin=b"https://evil.example"
    )
    assert connected
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_it_closes_an_anonymous_connection(db):
    comm, connected, _ = await open_terminal(None)
    assert connected is True
    closed = await comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_greets_a_signed_in_user(alice):
    comm, connected, _ = await open_terminal(alice, terminal="tab-1")
    assert connected
    hello = await receive(comm)
    assert hello["type"] == "hello"
    assert hello["user"] == "alice"
    assert hello["terminal"] == "tab-1"
    await comm.disconnect()


async def test_it_accepts_a_bearer_token(alice):
    from channels.db import database_sync_to_async

    token = await database_sync_to_async(create_token)(alice)
    comm, connected, _ = await open_terminal(None, token=token)
    assert connected
    assert (await receive(comm))["user"] == "alice"
    await comm.disconnect()


async def test_it_closes_a_connection_with_a_bad_token(db):
    comm, connected, _ = await open_terminal(None, token="awsc_not-a-real-token")
    assert connected
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_it_closes_terminals_when_the_user_signs_out(alice):
    from channels.db import database_sync_to_async

    from console.runs.notify import close_user_terminals

    comm, connected, _ = await open_terminal(alice)
    await receive(comm)
    await database_sync_to_async(close_user_terminals)(alice.pk)
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await comm.disconnect()  # as the browser does, so the consumer leaves its groups


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_json"),
        ('["a list"]', "bad_frame"),
        ('{"type": "launch-missiles"}', "bad_frame"),
        ('{"type": "run"}', "bad_frame"),
        ('{"type": "run", "command": "   "}', "empty_command"),
        ('{"type": "attach", "run_id": "x", "after": "zero"}', "bad_frame"),
        ('{"type": "cancel"}', "not_running"),
    ],
)
async def test_it_answers_bad_frames_and_stays_open(alice, raw, code):
    comm, _, _ = await open_terminal(alice)
    await receive(comm)
    await comm.send_to(text_data=raw)
    frame = await receive(comm)
    assert frame["type"] == "error"
    assert frame["code"] == code
    assert frame["message"]
    await send(comm, {"type": "ping"})
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


async def test_it_refuses_an_oversized_frame(alice, settings):
    comm, _, _ = await open_terminal(alice)
    await receive(comm)
    await comm.send_to(text_data='{"type": "run", "command": "' + "x" * (300 * 1024) + '"}')
    frame = await receive(comm)
    assert frame["code"] == "too_large"
    await comm.disconnect()


async def test_it_refuses_an_over_long_command_line(alice):
    comm, _, _ = await open_terminal(alice)
    await receive(comm)
    await send(comm, {"type": "run", "command": "aws s3api list-buckets --x " + "a" * 100_001})
    frame = await receive(comm)
    assert frame["code"] == "too_long"
    assert "limit is 100000" in frame["message"]
    await comm.disconnect()


async def test_it_completes_a_word(alice):
    comm, _, _ = await open_terminal(alice)
    await receive(comm)
    await send(comm, {"type": "complete", "line": "aws s3api list-objects --bu", "cursor": 27})
    answer = await receive(comm)
    assert answer == {
        "type": "completions",
        "line": "aws s3api list-objects --bu",
        "cursor": 27,
        "candidates": ["--bucket"],
    }
    await send(comm, {"type": "complete", "line": "aws", "cursor": "end"})
    assert (await receive(comm))["code"] == "bad_frame"
    await comm.disconnect()
