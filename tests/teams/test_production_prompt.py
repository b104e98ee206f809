"""The prompt and the terminal's header show a production profile (issue 11): the server
puts a `context` in `hello` and in the `exit` of `export`/`unset` — the profile the
terminal's commands use when they name none, whether the terminal chose it, and whether it
is tagged production. Only profiles the person may use carry the tag."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from console.demo import install_team_demo
from console.teams import services
from credentials.models import ConfigSection
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def platform(stack, alice, bob, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    admin = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.set_team_policy(alice, admin, "production", production=True)


async def _hello(username, terminal="tab-prod"):
    user = await database_sync_to_async(get_user_model().objects.get)(username=username)
    comm, connected, _ = await open_terminal(user, terminal=terminal)
    hello = await receive(comm)
    assert connected and hello["type"] == "hello"
    return comm, hello


async def test_the_context_follows_export_and_unset_and_a_new_connection(platform):
    comm, hello = await _hello("alice")
    assert hello["context"] == {"profile": "default", "chosen": False, "production": False}

    exported = await run_command(comm, "export AWS_PROFILE=platform/admin")
    assert exported.code == 0, exported.stderr
    assert exported.exit["context"] == {"profile": "platform/admin", "chosen": True, "production": True}
    # An AWS command does not touch the environment: its exit carries no context.
    listed = await run_command(comm, "aws sts get-caller-identity")
    assert listed.code == 0, listed.stderr
    assert "context" not in listed.exit
    await comm.disconnect()

    again, hello = await _hello("alice")  # the same terminal id: its environment is kept
    assert hello["context"] == {"profile": "platform/admin", "chosen": True, "production": True}
    cleared = await run_command(again, "unset AWS_PROFILE")
    assert cleared.exit["context"] == {"profile": "default", "chosen": False, "production": False}
    await again.disconnect()


async def test_a_profile_one_may_not_use_shows_no_tag(platform):
    # bob's grant is to platform/readonly only: platform/admin is not his to use.
    comm, _ = await _hello("bob")
    exported = await run_command(comm, "export AWS_PROFILE=platform/admin")
    assert exported.exit["context"] == {"profile": "platform/admin", "chosen": True, "production": False}
    await comm.disconnect()


async def test_watching_connections_carry_no_context(platform):
    user = await database_sync_to_async(get_user_model().objects.get)(username="alice")
    comm, connected, _ = await open_terminal(user, terminal="tab-watch", mode="watch")
    hello = await receive(comm)
    assert connected and hello["type"] == "hello" and "context" not in hello
    await comm.disconnect()


async def test_a_profile_that_cannot_be_opened_does_not_stop_the_terminal(platform, alice_profiles):
    # Sealed under keys the console no longer holds: the prompt opens no secret, so the
    # terminal still says hello (the commands using that profile say what is wrong).
    def corrupt():
        ConfigSection.objects.filter(owner__username="alice", team=None, name="default").update(
            sealed_secrets="AAAA" * 20
        )

    await database_sync_to_async(corrupt)()
    comm, hello = await _hello("alice", terminal="tab-sealed")
    assert hello["context"] == {"profile": "default", "chosen": False, "production": False}
    await comm.disconnect()
