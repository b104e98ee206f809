"""A session ends after CONSOLE_SESSION_IDLE_SECONDS without activity and, however
active, CONSOLE_SESSION_MAX_SECONDS after the sign-in; the sign-in page says which. The
clocks are moved by editing the session (or the settings), never by sleeping: except for
the one test of the terminal's own timer, whose clock is shortened to two seconds."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client

from console.accounts import sessionclock
from console.runs.audit import AuditAction
from console.runs.models import AuditEvent
from tests.accounts.conftest import move_clock, open_terminal_of, sign_in
from tests.wsclient import RunResult, collect_until_exit, receive, send

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": 4401}


def signed_in(user) -> Client:
    client = Client()
    assert sign_in(client, user)["Location"] == "/"
    return client


def test_it_signs_out_after_the_idle_timeout_and_says_why(alice):
    client = signed_in(alice)
    move_clock(client, seen_ago=30 * 60 + 1)

    response = client.get("/profiles/config")

    assert response["Location"] == "/accounts/login/?reason=idle&next=%2Fprofiles%2Fconfig"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert client.get("/")["Location"].startswith("/accounts/login/")
    ended = AuditEvent.objects.get(action=AuditAction.SIGNIN_ENDED)
    assert (ended.actor_name, ended.data["reason"]) == ("alice", "idle")


def test_it_signs_out_at_the_end_of_the_lifetime_however_active(alice):
    client = signed_in(alice)
    move_clock(client, started_ago=12 * 3600 + 1, seen_ago=5)

    response = client.get("/")

    assert response["Location"] == "/accounts/login/?reason=lifetime&next=%2F"
    assert "Your sign-in reached its limit of 12 hours." in client.get(response["Location"]).content.decode()


def test_the_settings_set_both_clocks(alice, settings):
    settings.CONSOLE_SESSION_IDLE_SECONDS = 600
    settings.CONSOLE_SESSION_MAX_SECONDS = 3600
    client = signed_in(alice)
    move_clock(client, seen_ago=599)
    assert client.get("/").status_code == 200
    move_clock(client, seen_ago=601)
    assert "reason=idle" in client.get("/")["Location"]

    client = signed_in(alice)
    move_clock(client, started_ago=3601)
    assert "reason=lifetime" in client.get("/")["Location"]


def test_a_request_is_activity_but_writes_the_session_at_most_once_a_minute(alice):
    client = signed_in(alice)
    move_clock(client, seen_ago=30)
    before = client.session[sessionclock.SEEN]
    client.get("/")
    assert client.session[sessionclock.SEEN] == before  # within the minute: no write

    move_clock(client, seen_ago=29 * 60)
    client.get("/")
    assert abs(client.session[sessionclock.SEEN] - time.time()) < 5
    move_clock(client, seen_ago=29 * 60)  # activity a minute ago kept it alive: 29 + 29 > 30
    assert client.get("/").status_code == 200


def test_the_session_row_cannot_outlive_the_lifetime(alice):
    client = signed_in(alice)
    session = Session.objects.get(session_key=client.session.session_key)
    left = (session.expire_date.timestamp() - time.time()) / 3600
    assert 12.4 < left <= 12.5  # the lifetime plus one idle period, to say why at the end


def test_the_api_by_session_is_told_the_sign_in_ended(alice):
    client = signed_in(alice)
    move_clock(client, seen_ago=31 * 60)
    response = client.get("/api/v1/runs/6f0c0000-0000-0000-0000-000000000000")
    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"


# ---- terminals -------------------------------------------------------------------


async def terminal(client: Client):
    comm, connected = await open_terminal_of(client)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def assert_ended(comm) -> None:
    frame = await receive(comm, timeout=10)
    assert (frame["type"], frame["code"]) == ("error", "session_ended")
    assert "sign-in has ended" in frame["message"]
    assert await comm.receive_output(timeout=5) == CLOSED
    await comm.disconnect()


async def test_a_terminal_refuses_the_next_command_once_idle(alice):
    client = await database_sync_to_async(signed_in)(alice)
    comm = await terminal(client)
    await database_sync_to_async(move_clock)(client, seen_ago=30 * 60 + 1)
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
    await assert_ended(comm)


async def test_a_terminal_refuses_the_next_command_at_the_end_of_the_lifetime(alice):
    client = await database_sync_to_async(signed_in)(alice)
    comm = await terminal(client)
    await database_sync_to_async(move_clock)(client, started_ago=12 * 3600 + 1)
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
    await assert_ended(comm)


async def test_a_command_is_activity_written_at_most_once_a_minute(alice):
    client = await database_sync_to_async(signed_in)(alice)
    comm = await terminal(client)
    seen = database_sync_to_async(lambda: client.session[sessionclock.SEEN])

    await database_sync_to_async(move_clock)(client, seen_ago=20)
    before = await seen()
    await send(comm, {"type": "attach", "run_id": "6f0c0000-0000-0000-0000-000000000000"})
    assert (await receive(comm))["code"] == "not_found"
    assert await seen() == before

    await database_sync_to_async(move_clock)(client, seen_ago=29 * 60)
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
    started = await receive(comm)
    assert started["type"] == "started"
    assert abs(await seen() - time.time()) < 5
    # The run ends before the test does, so no worker writes it while the test's database
    # is flushed (a flush beside a worker's write once deadlocked).
    await collect_until_exit(comm, RunResult(run_id=started["run_id"], frames=[started]), timeout=60)
    await comm.disconnect()


async def test_an_idle_terminal_is_closed_when_its_session_times_out(alice, settings):
    settings.CONSOLE_SESSION_IDLE_SECONDS = 2
    client = await database_sync_to_async(signed_in)(alice)
    comm = await terminal(client)
    await assert_ended(comm)  # no command sent: the terminal's own timer closed it


def test_a_terminal_sent_to_sign_in_after_the_timeout_keeps_its_way_back(alice):
    client = signed_in(alice)
    move_clock(client, seen_ago=31 * 60)
    # terminal.js goes to the sign-in page when its socket is closed; the reason is added.
    response = client.get("/accounts/login/?next=/")
    assert response["Location"] == "/accounts/login/?reason=idle&next=%2F"
