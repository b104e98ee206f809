"""Just-in-time elevation through the whole stack (websocket and API → DB → real Celery
worker → sandbox with IAM enforced), on the demo team's admin profile, whose role may do
everything, so only the policy, the grant and the elevation decide. Bob is a member:

- under the "production" preset with a full grant, his write waits for approval; elevated,
  the same command runs at once and makes the bucket; Permissions management still waits;
- with a read-only grant, his write is refused; elevated, it runs;
- once the elevation's time is up (before the reaper marks it), both are as before."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from console.api.tokens import create_token
from console.demo import install_team_demo
from console.runs import tasks
from console.runs.models import ApprovalRequest, AuditEvent, CommandRun
from console.teams import services
from console.teams.models import Elevation, Grant
from credentials.models import ConfigSection
from tests.api.conftest import bearer
from tests.teams.test_guardrails_in_the_terminal import ADMIN, _bucket, _bucket_names
from tests.wsclient import (
    collect_until_exit,
    open_terminal,
    receive,
    run_command,
    run_until,
    send,
    waiting_line,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

# Permissions management (iam:AttachUserPolicy), which an elevation does not give.
ATTACH = "aws iam attach-user-policy --user-name nobody --policy-arn arn:aws:iam::aws:policy/X"


def _user(name):
    return get_user_model().objects.get(username=name)


def _admin_section():
    return ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")


def _grant_bob_admin(*, read_only, policy):
    alice = _user("alice")
    Grant.objects.filter(user__username="bob").delete()
    services.grant(alice, _admin_section(), user=_user("bob"), read_only=read_only)
    services.set_team_policy(alice, _admin_section(), policy, production=policy == "production")


@pytest.fixture
def production(stack, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    _grant_bob_admin(read_only=False, policy="production")


@pytest.fixture
def read_only(stack, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    _grant_bob_admin(read_only=True, policy={})


def _api(name, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(Client(), method)(path, headers=bearer(create_token(_user(name))), **kwargs)


def _elevate_bob(approver="alice", duration="1h"):
    """Bob asks over the API; `approver` approves over the API; returns the elevation's id."""
    asked = _api(
        "bob", "post", "/api/v1/elevations", {"profile": ADMIN, "duration": duration, "reason": "hotfix"}
    )
    assert asked.status_code == 201, asked.content
    assert (asked.json()["status"], asked.json()["minutes"]) == ("pending", 60)
    decided = _api(approver, "post", f"/api/v1/elevations/{asked.json()['id']}", {"decision": "approve"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["active"] is True
    return asked.json()["id"]


def _time_up(elevation_id):
    Elevation.objects.filter(pk=elevation_id).update(ends_at=timezone.now() - timedelta(seconds=1))


async def _bobs_terminal():
    comm, connected, _ = await open_terminal(await database_sync_to_async(_user)("bob"))
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


async def _waits_for_approval(comm, command):
    """Send `command`, read to its waiting line, withdraw it (Ctrl-C); returns the run id."""
    result, _ = await run_until(comm, command, waiting_line)
    await send(comm, {"type": "cancel", "run_id": result.run_id})
    ended = await collect_until_exit(comm, result)
    assert ended.exit["status"] == "cancelled"
    return result.run_id


def _events(run_id, prefix):
    rows = AuditEvent.objects.filter(run_id=run_id, action__startswith=prefix).order_by("seq")
    return list(rows.values_list("action", "data"))


def _elevation_actions(elevation_id):
    rows = AuditEvent.objects.filter(action__startswith="console:elevation:", data__elevation=elevation_id)
    return list(rows.order_by("seq").values_list("action", flat=True))


async def test_an_elevated_member_s_write_runs_without_a_per_command_approval(production):
    comm = await _bobs_terminal()
    bucket = _bucket()
    create = f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    await _waits_for_approval(comm, create)
    assert bucket not in await database_sync_to_async(_bucket_names)()

    elevation_id = await database_sync_to_async(_elevate_bob)()
    made = await run_command(comm, create)
    assert (made.exit["status"], made.code) == ("succeeded", 0), made.stderr
    assert bucket in await database_sync_to_async(_bucket_names)()
    assert not await database_sync_to_async(ApprovalRequest.objects.filter(run_id=made.run_id).exists)()
    ((action, data),) = await database_sync_to_async(_events)(made.run_id, "console:guardrail:")
    assert action == "console:guardrail:elevated"
    assert (data["elevation"], data["level"], data["decision"], data["profile"]) == (
        elevation_id,
        "Write",
        "approve",
        ADMIN,
    )

    # Permissions management is not Write: the policy's approve still asks for an approval.
    attach = f"{ATTACH} --profile {ADMIN}"
    waited = await _waits_for_approval(comm, attach)
    run = await database_sync_to_async(CommandRun.objects.get)(pk=waited)
    assert run.aws_call_count == 0

    # Its time is up (the reaper has not run): the write waits for approval again.
    await database_sync_to_async(_time_up)(elevation_id)
    again = _bucket()
    await _waits_for_approval(comm, f"aws s3api create-bucket --bucket {again} --profile {ADMIN}")
    await comm.disconnect()
    assert again not in await database_sync_to_async(_bucket_names)()
    await database_sync_to_async(tasks.reap_once)()  # a worker's reaper round, with its chores
    assert (await database_sync_to_async(Elevation.objects.get)(pk=elevation_id)).status == "expired"
    assert await database_sync_to_async(_elevation_actions)(elevation_id) == [
        "console:elevation:requested",
        "console:elevation:approved",
        "console:elevation:expired",
    ]


async def test_an_elevation_lifts_a_read_only_grant_for_writes_until_its_time_is_up(read_only):
    comm = await _bobs_terminal()
    bucket = _bucket()
    create = f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    refused = await run_command(comm, create)
    assert (refused.exit["status"], refused.code) == ("rejected", 254)
    assert "your grant is read-only" in refused.stderr

    # Asked in the terminal this time (the worker's builtin), approved over the API.
    asked = await run_command(comm, f"guard elevate {ADMIN} 30m the hotfix")
    assert asked.code == 0, asked.stderr
    elevation_id = (await database_sync_to_async(Elevation.objects.get)(requester__username="bob")).pk
    assert f"/elevations/{elevation_id}" in asked.stdout
    decided = await database_sync_to_async(_api)(
        "alice", "post", f"/api/v1/elevations/{elevation_id}", {"decision": "approve"}
    )
    assert decided.status_code == 200, decided.content
    listed = await run_command(comm, f"aws s3api list-buckets --profile {ADMIN}")
    assert listed.code == 0, listed.stderr
    made = await run_command(comm, create)
    assert (made.exit["status"], made.code) == ("succeeded", 0), made.stderr
    assert bucket in await database_sync_to_async(_bucket_names)()
    ((action, data),) = await database_sync_to_async(_events)(made.run_id, "console:guardrail:")
    assert (action, data["decision"], data["elevation"]) == (
        "console:guardrail:elevated",
        "allow",
        elevation_id,
    )

    # Permissions management stays refused: the read-only floor holds for it while elevated.
    attach = f"{ATTACH} --profile {ADMIN}"
    denied = await run_command(comm, attach)
    assert (denied.exit["status"], denied.code) == ("rejected", 254)
    assert (
        "Permissions management; profile platform/admin denies it (your grant is read-only" in denied.stderr
    )

    await database_sync_to_async(_time_up)(elevation_id)
    again = _bucket()
    after = await run_command(comm, f"aws s3api create-bucket --bucket {again} --profile {ADMIN}")
    await comm.disconnect()
    assert (after.exit["status"], after.code) == ("rejected", 254)
    assert "your grant is read-only" in after.stderr
    assert again not in await database_sync_to_async(_bucket_names)()
