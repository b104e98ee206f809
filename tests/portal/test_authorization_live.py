"""The authorization matrix's cells that run commands or follow runs (tests/portal/matrix.py),
through the websocket (tests/wsclient.py drives the terminal consumer as a browser does)
and the API, with a real worker and the sandbox (IAM enforced): "use" is running
`aws sts get-caller-identity --profile platform/<name>`. Allowed: AWS answers, naming the
person as the role session. Denied: exactly the CLI's "profile could not be found", so
nothing says the profile exists. Following (attach) or cancelling Bob's run: Bob's alone;
watching it read-only: Bob and the team's owners, admins and auditors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from console.api.tokens import create_token
from console.runs import lifecycle
from console.runs.models import RunStatus
from console.teams import services
from tests.api.factories import make_run
from tests.portal.matrix import CAST, ROLES, allowed
from tests.wsclient import open_terminal, receive, run_command, send

pytestmark = [pytest.mark.django_db(transaction=True)]

NOT_FOUND = "The config profile (platform/{name}) could not be found"


@pytest.fixture
def live_team(stack, team, alice, bob, sandbox):
    """`platform/keys` holds the sandbox user's keys; `platform/readonly` assumes the
    sandbox's read-only role from them; Bob has a grant to readonly only."""
    common = {"region": sandbox.seed.region, "endpoint_url": sandbox.url}
    keys = {
        "aws_access_key_id": sandbox.seed.access_key_id,
        "aws_secret_access_key": sandbox.seed.secret_access_key,
    }
    services.save_team_profile(alice, team, "keys", {**common, **keys})
    readonly = services.save_team_profile(
        alice,
        team,
        "readonly",
        {**common, "role_arn": sandbox.seed.readonly_role_arn, "source_profile": "keys"},
    )
    services.grant(alice, readonly, user=bob)
    return team


def _user(role: str) -> Any:
    return None if role == "anonymous" else get_user_model().objects.get(username=CAST[role])


def _used(result_stdout: str, result_stderr: str, name: str, username: str) -> bool:
    """AWS answered as the person (allowed), or the CLI's not-found (denied); anything
    else is neither and fails the test."""
    if NOT_FOUND.format(name=name) in result_stderr:
        return False
    identity = json.loads(result_stdout)
    if name == "readonly":
        assert identity["Arn"].endswith(f"/{username}"), identity  # RoleSessionName is the member
    return True


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("obj", "name"), [("profile", "readonly"), ("ungranted profile", "keys")])
async def test_it_runs_a_team_profile_in_the_terminal_only_as_the_table_says(live_team, role, obj, name):
    user = await database_sync_to_async(_user)(role)
    comm, connected, _ = await open_terminal(user)
    assert connected
    if user is None:
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
        assert not allowed(obj, "use", role)
        return
    assert (await receive(comm))["type"] == "hello"
    result = await run_command(comm, f"aws sts get-caller-identity --profile platform/{name}")
    await comm.disconnect()
    assert _used(result.stdout, result.stderr, name, user.username) == allowed(obj, "use", role), (
        result.frames
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("obj", "name"), [("profile", "readonly"), ("ungranted profile", "keys")])
def test_it_runs_a_team_profile_through_the_api_only_as_the_table_says(live_team, role, obj, name):
    user = _user(role)
    headers = {"Authorization": f"Bearer {create_token(user)}"} if user is not None else {}
    body = {"command": f"aws sts get-caller-identity --profile platform/{name}", "wait": True}
    answer = Client().post("/api/v1/runs", body, content_type="application/json", headers=headers)
    if user is None:
        assert answer.status_code == 401 and not allowed(obj, "use", role)
        return
    run = answer.json()
    assert run["status"] in ("succeeded", "failed"), run
    assert _used(run["stdout"], run["stderr"], name, user.username) == allowed(obj, "use", role), run


def test_a_revoked_grant_stops_the_next_command(live_team, alice, bob):
    token = create_token(bob)
    command = {"command": "aws sts get-caller-identity --profile platform/readonly", "wait": True}

    def run() -> dict[str, Any]:
        return (
            Client()
            .post(
                "/api/v1/runs",
                command,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            .json()
        )

    assert run()["status"] == "succeeded"
    services.revoke_grant(alice, live_team.grants.get(user=bob))
    after = run()
    assert after["status"] == "failed" and NOT_FOUND.format(name="readonly") in after["stderr"]


@pytest.fixture
def bobs_run(team, bob):
    """A run of Bob's waiting in the queue (no worker was told of it)."""
    run = make_run(
        bob, status=RunStatus.QUEUED, exit_code=None, finished_at=None, profile="platform/readonly", team=team
    )
    yield run
    # Never queued, it would keep the stack's settle check waiting for the worker.
    type(run).objects.filter(pk=run.pk).delete()


@pytest.mark.parametrize("role", ROLES)
async def test_only_bob_follows_and_cancels_his_run(stack, team, bobs_run, role):
    user = await database_sync_to_async(_user)(role)
    comm, connected, _ = await open_terminal(user)
    if user is None:
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
        return
    await receive(comm)  # hello
    await send(comm, {"type": "attach", "run_id": str(bobs_run.pk), "after": -1})
    await send(comm, {"type": "cancel", "run_id": str(bobs_run.pk)})
    frames = [await receive(comm, timeout=10)]
    while frames[-1]["type"] not in ("exit",) and len([f for f in frames if f["type"] == "error"]) < 2:
        frames.append(await receive(comm, timeout=10))
    await comm.disconnect()
    status = await database_sync_to_async(lambda: type(bobs_run).objects.get(pk=bobs_run.pk).status)()
    refused = {"type": "error", "message": "no such run", "code": "not_found"}
    followed = frames[-1]["type"] == "exit" and frames[-1]["run_id"] == str(bobs_run.pk)
    assert followed == allowed("run", "follow", role), frames
    assert (status == RunStatus.CANCELLED) == allowed("run", "change", role), status
    if not allowed("run", "follow", role):
        assert frames == [refused, refused]


def _finished_team_run(bob: Any, team: Any) -> Any:
    """A run of Bob's with platform/readonly, ended and audited as a worker would."""
    run = make_run(bob, profile="platform/readonly", team=team, chunks=[(0, "stdout", "bob's output\n")])
    lifecycle.audit_outcome(run, run.status, run.exit_code, run.reason)
    return run


@pytest.mark.parametrize("role", ROLES)
async def test_the_team_s_run_viewers_watch_bobs_run(stack, team, bob, role):
    run = await database_sync_to_async(_finished_team_run)(bob, team)
    user = await database_sync_to_async(_user)(role)
    comm, connected, _ = await open_terminal(user, mode="watch")
    if user is None:
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
        return
    await receive(comm)  # hello
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    first = await receive(comm, timeout=10)
    if allowed("run", "view", role):
        assert (first["type"], first.get("data")) == ("output", "bob's output\n"), first
        assert (await receive(comm, timeout=10))["type"] == "exit"
    else:
        assert first == {"type": "error", "message": "no such run", "code": "not_found"}
    await comm.disconnect()


def test_a_member_who_leaves_loses_the_profile_at_once(live_team, bob):
    from console.teams.models import Membership

    token = create_token(bob)
    command = {"command": "aws sts get-caller-identity --profile platform/readonly", "wait": True}
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        Client()
        .post("/api/v1/runs", command, content_type="application/json", headers=headers)
        .json()["status"]
        == "succeeded"
    )
    services.remove_member(bob, Membership.objects.get(team=live_team, user=bob))
    after = Client().post("/api/v1/runs", command, content_type="application/json", headers=headers).json()
    assert NOT_FOUND.format(name="readonly") in after["stderr"]
