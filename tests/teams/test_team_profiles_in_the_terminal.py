"""The demo team through the whole stack (websocket → DB → real Celery worker → sandbox
with IAM enforced): a member's command with a granted team profile acts as them and is
attributed to the team; a revoked grant stops the next command; to an outsider or an
auditor the profile does not exist; list-profiles and Tab completion show team profiles
only to those who may use them."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from console.demo import install_team_demo
from console.runs.models import CommandRun
from console.teams import services
from console.teams.models import Grant, Team
from tests.wsclient import open_terminal, receive, run_command, send

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def platform(stack, alice, charlie, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    return Team.objects.get(slug="platform")


@database_sync_to_async
def _user(name):
    return get_user_model().objects.get(username=name)


async def _terminal(name, terminal="t1"):
    comm, connected, _ = await open_terminal(await _user(name), terminal=terminal)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def _run(name, command):
    comm = await _terminal(name)
    result = await run_command(comm, command)
    await comm.disconnect()
    return result


async def test_a_member_runs_with_the_granted_team_profile_as_themselves(platform, sandbox):
    result = await _run("bob", "aws sts get-caller-identity --profile platform/readonly")
    assert result.code == 0, result.stderr
    arn = json.loads(result.stdout)["Arn"]
    assert arn == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleReadOnly/bob"
    run = await database_sync_to_async(CommandRun.objects.get)(pk=result.run_id)
    assert (run.profile, run.team_id) == ("platform/readonly", platform.pk)


async def test_aws_profile_in_the_terminal_names_a_team_profile_too(platform):
    comm = await _terminal("bob")
    assert (await run_command(comm, "export AWS_PROFILE=platform/readonly")).code == 0
    result = await run_command(comm, "aws sts get-caller-identity")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Arn"].endswith("assumed-role/ConsoleReadOnly/bob")
    await comm.disconnect()


async def test_a_revoked_grant_stops_the_next_command(platform, alice):
    comm = await _terminal("bob")
    assert (await run_command(comm, "aws sts get-caller-identity --profile platform/readonly")).code == 0
    grant = await database_sync_to_async(Grant.objects.select_related("team", "profile").get)(
        user__username="bob"
    )
    await database_sync_to_async(services.revoke_grant)(alice, grant)
    after = await run_command(comm, "aws sts get-caller-identity --profile platform/readonly")
    assert after.exit["status"] == "failed"
    assert after.stderr == "\nThe config profile (platform/readonly) could not be found\n"
    await comm.disconnect()


@pytest.mark.parametrize("who", ["charlie", "carol"])
async def test_to_an_outsider_or_an_auditor_the_profile_does_not_exist(platform, who):
    shown = await _run(who, "aws sts get-caller-identity --profile platform/readonly")
    missing = await _run(who, "aws sts get-caller-identity --profile platform/no-such")
    assert shown.stderr == "\nThe config profile (platform/readonly) could not be found\n"
    assert (shown.code, shown.stderr) == (missing.code, missing.stderr.replace("no-such", "readonly"))
    assert shown.stdout == ""


async def test_list_profiles_shows_team_profiles_only_to_those_who_may_use_them(platform):
    assert (await _run("bob", "aws configure list-profiles")).stdout == "platform/readonly\n"
    assert (await _run("alice", "aws configure list-profiles")).stdout.endswith(
        "platform/admin\nplatform/keys\nplatform/readonly\n"
    )
    for who in ("carol", "charlie"):
        assert "platform/" not in (await _run(who, "aws configure list-profiles")).stdout


async def _completions(name, line):
    comm = await _terminal(name)
    await send(comm, {"type": "complete", "line": line, "cursor": len(line)})
    frame = await receive(comm)
    await comm.disconnect()
    assert frame["type"] == "completions"
    return frame["candidates"]


async def test_tab_completes_the_team_profiles_a_user_may_use(platform):
    assert await _completions("bob", "aws s3 ls --profile plat") == ["platform/readonly"]
    assert await _completions("bob", "export AWS_PROFILE=p") == ["AWS_PROFILE=platform/readonly"]
    assert await _completions("alice", "aws sts get-caller-identity --profile platform/a") == [
        "platform/admin"
    ]
    assert await _completions("carol", "aws s3 ls --profile plat") == []
    assert await _completions("charlie", "aws s3 ls --profile ") == []
