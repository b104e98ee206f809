"""A terminal's poll (for doorbells the channel layer drops) belongs to one run: a poller
left sleeping from the previous command must not poll the next one before its row exists,
or the terminal forgets that run and never gets its exit."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from console.terminal.consumers import POLL_SECONDS
from tests.wsclient import RunResult, collect_until_exit, open_terminal, receive, run_command, send

pytestmark = [pytest.mark.django_db(transaction=True)]


class UserRowHeld:
    """The user's row locked as a concurrent submission locks it (the per-user cap), from a
    connection of its own, so a submission waits for it as long as it is held."""

    def __init__(self, user_id: int, seconds: float) -> None:
        self.user_id = user_id
        self.seconds = seconds
        self.locked = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                users = get_user_model().objects.select_for_update(no_key=True)
                list(users.filter(pk=self.user_id).values_list("pk"))
                self.locked.set()
                threading.Event().wait(self.seconds)
        finally:
            connection.close()

    def __enter__(self) -> UserRowHeld:
        self.thread.start()
        assert self.locked.wait(10), "the user's row was never locked"
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=self.seconds + 10)


async def test_it_ends_a_command_whose_submission_outlasts_the_last_ones_poll(stack, alice_profiles):
    comm, connected, _ = await open_terminal(alice_profiles)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    first = await run_command(comm, "aws sts get-caller-identity")
    assert first.code == 0  # and its poller sleeps on, for up to POLL_SECONDS
    with UserRowHeld(alice_profiles.pk, seconds=POLL_SECONDS * 2.5):
        # The submission waits for the lock past the moment that poller wakes.
        await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
        second = await collect_until_exit(comm, RunResult(), timeout=POLL_SECONDS * 2.5 + 15)
    assert second.frames[0]["type"] == "started"
    assert second.exit == {"type": "exit", "run_id": second.run_id, "code": 0, "status": "succeeded"}
    assert '"UserId"' in second.stdout
    await comm.disconnect()
