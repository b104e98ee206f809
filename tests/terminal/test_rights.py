"""An open terminal keeps only the rights it still has: each command checks them again,
and a change that takes them away closes the terminals it concerns at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.utils import timezone

from console.api.models import ApiToken
from console.api.tokens import create_token, revoke_token
from tests.wsclient import open_terminal, receive, send

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": 4401}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


async def signed_in(user: Any) -> Any:
    comm, connected, _ = await open_terminal(user)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def by_token(user: Any) -> tuple[Any, str]:
    token = await database_sync_to_async(create_token)(user)
    comm, connected, _ = await open_terminal(None, token=token)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm, token


async def assert_refused_and_closed(comm: Any, ended: str = "sign-in has ended") -> None:
    frame = await receive(comm, timeout=5)
    assert frame["type"] == "error"
    assert frame["code"] == "session_ended"
    assert ended in frame["message"]
    await assert_closed(comm)


async def assert_closed(comm: Any) -> None:
    """The server closed; say the client saw it, as a browser would, so the consumer ends
    (a consumer left waiting for that at the end of a test hangs the loop's teardown)."""
    assert await comm.receive_output(timeout=5) == CLOSED
    await comm.disconnect()


async def assert_open(comm: Any) -> None:
    await send(comm, {"type": "ping"})
    assert await receive(comm, timeout=5) == {"type": "pong"}


async def run(comm: Any) -> None:
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})


async def acts(comm: Any) -> bool:
    """A checked frame is acted on: attaching to a run nobody has gets "no such run", not
    "sign-in has ended". (Starting a real command would leave the worker writing while the
    test's database is flushed.)"""
    await send(comm, {"type": "attach", "run_id": "6f0c0000-0000-0000-0000-000000000001"})
    frame = await receive(comm, timeout=5)
    return (frame["type"], frame["code"]) == ("error", "not_found")


@database_sync_to_async
def update_user(user: Any, **fields: Any) -> None:
    """A bulk update: no signal fires, so only the per-command check can notice."""
    type(user).objects.filter(pk=user.pk).update(**fields)


async def test_it_acts_on_commands_while_the_rights_hold(alice):
    comm = await signed_in(alice)
    assert await acts(comm)
    await comm.disconnect()


async def test_it_refuses_a_command_once_the_session_is_deleted(alice):
    comm = await signed_in(alice)
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    await run(comm)
    await assert_refused_and_closed(comm)


async def test_it_refuses_a_command_once_the_session_has_expired(alice):
    comm = await signed_in(alice)
    past = timezone.now() - timedelta(seconds=1)
    await database_sync_to_async(lambda: Session.objects.update(expire_date=past))()
    await run(comm)
    await assert_refused_and_closed(comm)


async def test_it_refuses_a_command_once_the_user_is_deactivated(alice):
    comm = await signed_in(alice)
    await update_user(alice, is_active=False)
    await run(comm)
    await assert_refused_and_closed(comm)


async def test_it_refuses_a_command_once_the_password_has_changed(alice):
    from django.contrib.auth.hashers import make_password

    comm = await signed_in(alice)
    await update_user(alice, password=make_password("a new password"))
    await run(comm)
    await assert_refused_and_closed(comm)


async def test_it_refuses_to_attach_or_answer_once_the_rights_are_gone(alice):
    for frame in (
        {"type": "attach", "run_id": "6f0c0000-0000-0000-0000-000000000000"},
        {"type": "answer", "text": "123456"},
    ):
        comm = await signed_in(alice)
        await database_sync_to_async(lambda: Session.objects.all().delete())()
        await send(comm, frame)
        await assert_refused_and_closed(comm)


async def test_it_closes_the_terminals_of_a_user_who_is_deactivated(alice):
    comm = await signed_in(alice)
    alice.is_active = False
    await database_sync_to_async(alice.save)()
    await assert_refused_and_closed(comm)


async def test_it_closes_the_terminals_of_a_user_whose_password_changes(alice):
    first, second = await signed_in(alice), await signed_in(alice)

    def change_password() -> None:
        alice.set_password("a new password")
        alice.save()

    await database_sync_to_async(change_password)()
    await assert_refused_and_closed(first)
    await assert_refused_and_closed(second)


async def test_it_closes_the_terminals_of_a_deleted_user(alice):
    comm = await signed_in(alice)
    await database_sync_to_async(alice.delete)()
    await assert_closed(comm)


async def test_it_keeps_terminals_open_when_a_change_leaves_the_rights(alice, bob):
    comm = await signed_in(alice)
    alice.first_name = "Alice"
    await database_sync_to_async(alice.save)()
    bob.is_active = False
    await database_sync_to_async(bob.save)()
    await assert_open(comm)
    assert await acts(comm)
    await comm.disconnect()


async def test_it_closes_a_terminal_whose_token_is_revoked_and_no_other(alice):
    browser = await signed_in(alice)
    script, _ = await by_token(alice)
    other_script, _ = await by_token(alice)
    token_id = await database_sync_to_async(lambda: ApiToken.objects.order_by("created_at").first().pk)()

    assert await database_sync_to_async(revoke_token)(alice, token_id)

    await assert_refused_and_closed(script, ended="API token")
    await assert_open(browser)
    await assert_open(other_script)
    await browser.disconnect()
    await other_script.disconnect()


async def test_it_refuses_a_command_once_the_token_is_revoked_behind_its_back(alice):
    script, _ = await by_token(alice)
    await database_sync_to_async(lambda: ApiToken.objects.update(revoked_at=timezone.now()))()
    await run(script)
    await assert_refused_and_closed(script, ended="API token")


async def test_it_closes_a_terminal_whose_token_is_deleted(alice):
    script, _ = await by_token(alice)
    await database_sync_to_async(lambda: ApiToken.objects.get().delete())()
    await assert_refused_and_closed(script, ended="API token")


async def test_it_refuses_a_token_connection_once_its_user_is_deactivated(alice):
    script, _ = await by_token(alice)
    await update_user(alice, is_active=False)
    await run(script)
    await assert_refused_and_closed(script, ended="API token")
