"""Approvals through the whole stack (websocket → DB → real Celery worker → sandbox with IAM
enforced) on the demo team's admin profile under the "production" preset: a read runs, a
write waits in `awaiting_approval` with nothing sent and no worker held, and another owner
or admin decides. Approved, it runs once with the requester's rights; denied, expired or
withdrawn, it ends without a request to AWS. Nobody approves their own request, and an
approver who lost the right meanwhile cannot."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from console.api.tokens import create_token
from console.demo import install_team_demo
from console.runs import reaper
from console.runs.models import ApprovalRequest, AuditEvent, CommandRun
from console.teams import approvals, services
from console.teams.errors import TeamError
from console.teams.models import Membership, Role
from credentials.models import ConfigSection
from tests.api.conftest import bearer
from tests.portal.conftest import signed_in
from tests.teams.test_guardrails_in_the_terminal import ADMIN, _bucket, _bucket_names, _terminal
from tests.wsclient import collect_until_exit, receive, run_command, run_until, send, waiting_line

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production(stack, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    section = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.set_team_policy(alice, section, "production", production=True)
    Membership.objects.filter(team=section.team, user__username="bob").update(role=Role.ADMIN)


def _user(name):
    return get_user_model().objects.get(username=name)


async def _decide(name, request_id, decision, reason):
    return await database_sync_to_async(lambda: approvals.decide(_user(name), request_id, decision, reason))()


async def _wait_for_approval(comm, command):
    """Send `command`; read until its waiting line; returns the result so far and the request."""
    result, _ = await run_until(comm, command, waiting_line)
    request = await database_sync_to_async(ApprovalRequest.objects.get)(run_id=result.run_id)
    return result, request


async def _status(run_id):
    return (await database_sync_to_async(CommandRun.objects.get)(pk=run_id)).status


def _approval_actions(run_id):
    return list(
        AuditEvent.objects.filter(run_id=run_id, action__startswith="console:approval:")
        .order_by("seq")
        .values_list("action", flat=True)
    )


async def test_a_read_runs_and_a_write_waits_until_bob_approves_it(production):
    comm = await _terminal()
    listed = await run_command(comm, f"aws s3api list-buckets --profile {ADMIN}")
    assert listed.code == 0, listed.stderr
    bucket = _bucket()
    waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    )
    assert await _status(waiting.run_id) == "awaiting_approval"
    assert f"/approvals/{request.pk}" in waiting.text("stderr")
    assert "who may approve: bob;" in waiting.text("stderr")
    assert (request.profile, request.levels) == (ADMIN, ["Write"])
    assert request.command == f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    assert bucket not in await database_sync_to_async(_bucket_names)()

    await _decide("bob", request.pk, "approve", "ticket 42")
    result = await collect_until_exit(comm, waiting)
    await comm.disconnect()
    assert (result.exit["status"], result.code) == ("succeeded", 0), result.text("stderr")
    assert "approved by bob" in result.text("stderr")
    assert bucket in await database_sync_to_async(_bucket_names)()
    consumed = await database_sync_to_async(ApprovalRequest.objects.get)(pk=request.pk)
    assert (consumed.decision, consumed.decided_by_id, consumed.consumed_at is not None) == (
        "approved",
        (await database_sync_to_async(_user)("bob")).pk,
        True,
    )
    actions = await database_sync_to_async(_approval_actions)(waiting.run_id)
    assert actions == ["console:approval:requested", "console:approval:approved"]


async def test_a_denial_ends_the_run_rejected_with_the_reason(production):
    comm = await _terminal()
    bucket = _bucket()
    waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    )
    await _decide("bob", request.pk, "deny", "not on a Friday")
    result = await collect_until_exit(comm, waiting)
    await comm.disconnect()
    assert result.exit["status"] == "rejected"
    assert "approval denied by bob: not on a Friday" in result.text("stderr")
    run = await database_sync_to_async(CommandRun.objects.get)(pk=waiting.run_id)
    assert (run.reason, run.aws_call_count) == ("approval denied by bob: not on a Friday", 0)
    assert bucket not in await database_sync_to_async(_bucket_names)()
    actions = await database_sync_to_async(_approval_actions)(waiting.run_id)
    assert actions == ["console:approval:requested", "console:approval:denied"]


async def test_nobody_approves_their_own_request_and_a_lost_right_cannot_approve(production):
    comm = await _terminal()
    waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {_bucket()} --profile {ADMIN}"
    )
    with pytest.raises(TeamError, match="nobody approves their own request"):
        await _decide("alice", request.pk, "approve", "")
    await database_sync_to_async(
        Membership.objects.filter(team_id=request.team_id, user__username="bob").update
    )(role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        await _decide("bob", request.pk, "approve", "")
    assert await _status(waiting.run_id) == "awaiting_approval"
    await send(comm, {"type": "cancel", "run_id": waiting.run_id})
    result = await collect_until_exit(comm, waiting)
    await comm.disconnect()
    assert result.exit["status"] == "cancelled"
    withdrawn = await database_sync_to_async(ApprovalRequest.objects.get)(pk=request.pk)
    assert withdrawn.decision == "withdrawn"
    actions = await database_sync_to_async(_approval_actions)(waiting.run_id)
    assert actions == ["console:approval:requested", "console:approval:withdrawn"]


async def test_a_request_nobody_decides_expires_through_the_reaper(production):
    comm = await _terminal()
    bucket = _bucket()
    waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    )
    await database_sync_to_async(ApprovalRequest.objects.filter(pk=request.pk).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert await database_sync_to_async(lambda: approvals.pending_count(_user("bob")))() == 0
    await database_sync_to_async(reaper.reap_stale_runs)()
    result = await collect_until_exit(comm, waiting)
    await comm.disconnect()
    assert result.exit["status"] == "rejected"
    assert "nobody approved it within 15 minutes" in result.text("stderr")
    with pytest.raises(TeamError, match="decided already"):
        await _decide("bob", request.pk, "approve", "")
    assert bucket not in await database_sync_to_async(_bucket_names)()
    actions = await database_sync_to_async(_approval_actions)(waiting.run_id)
    assert actions == ["console:approval:requested", "console:approval:expired"]


async def test_the_approver_sees_a_notice_in_an_open_terminal(production):
    bob = await database_sync_to_async(_user)("bob")
    from tests.wsclient import open_terminal

    bobs, connected, _ = await open_terminal(bob)
    assert connected and (await receive(bobs))["type"] == "hello"
    comm = await _terminal()
    _waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {_bucket()} --profile {ADMIN}"
    )
    notice = await receive(bobs)
    assert notice == {
        "type": "notice",
        "message": f"approval: alice asks to run `{request.command}` on {ADMIN}: /approvals/{request.pk}",
    }
    assert await database_sync_to_async(approvals.pending_count)(bob) == 1
    await comm.disconnect()
    await bobs.disconnect()


def _portal_and_api_views(request_id):
    """What bob (an approver), alice (the requester) and carol (an auditor) see and may do."""
    bob, alice, carol = _user("bob"), _user("alice"), _user("carol")
    page = signed_in(bob).get("/approvals/")
    seen = {
        "badge": 'id="approvals-badge"' in page.content.decode() and ">1</span>" in page.content.decode(),
        "listed": f"/approvals/{request_id}" in page.content.decode(),
        "api": [row["id"] for row in _api(bob, "get", "/api/v1/approvals").json()["approvals"]],
        "alice_api": _api(alice, "get", "/api/v1/approvals").json()["approvals"],
        "alice_self": _api(alice, "post", f"/api/v1/approvals/{request_id}", {"decision": "approve"}),
        "carol": _api(carol, "post", f"/api/v1/approvals/{request_id}", {"decision": "approve"}).status_code,
        "carol_page": signed_in(carol).get(f"/approvals/{request_id}").status_code,
        "no_reason": _api(bob, "post", f"/api/v1/approvals/{request_id}", {"decision": "deny"}),
        "no_csrf": Client(enforce_csrf_checks=True),
    }
    csrf_client = seen.pop("no_csrf")
    csrf_client.force_login(bob)
    seen["no_csrf"] = csrf_client.post(f"/approvals/{request_id}/decide", {"decision": "approve"}).status_code
    seen["decided"] = signed_in(bob).post(
        f"/approvals/{request_id}/decide", {"decision": "approve", "reason": "looks right"}
    )
    return seen


def _api(user, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(Client(), method)(path, headers=bearer(create_token(user)), **kwargs)


async def test_approvers_see_and_decide_in_the_portal_and_the_api(production):
    comm = await _terminal()
    bucket = _bucket()
    waiting, request = await _wait_for_approval(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    )
    seen = await database_sync_to_async(_portal_and_api_views)(request.pk)
    result = await collect_until_exit(comm, waiting)
    await comm.disconnect()
    assert seen["badge"] and seen["listed"]
    assert (seen["api"], seen["alice_api"]) == ([request.pk], [])
    assert seen["alice_self"].status_code == 400
    assert "nobody approves their own request" in seen["alice_self"].json()["error"]
    assert (seen["carol"], seen["carol_page"]) == (404, 404)
    assert seen["no_reason"].status_code == 400
    assert seen["no_csrf"] == 403
    assert (seen["decided"].status_code, seen["decided"]["Location"]) == (302, "/approvals/")
    assert result.exit["status"] == "succeeded", result.text("stderr")
    assert bucket in await database_sync_to_async(_bucket_names)()


def _api_round_trip(bucket):
    """alice submits over the API and waits; bob approves over the API; alice waits again."""
    alice, bob = _user("alice"), _user("bob")
    line = f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"
    submitted = _api(alice, "post", "/api/v1/runs", {"command": line, "wait": True})
    run_id = submitted.json()["id"]
    request = ApprovalRequest.objects.get(run_id=run_id)
    decided = _api(bob, "post", f"/api/v1/approvals/{request.pk}", {"decision": "approve", "reason": "ok"})
    reaper.wait_for_final(run_id, timeout=30)
    return submitted, decided, _api(alice, "get", f"/api/v1/runs/{run_id}").json()


async def test_an_api_client_gets_the_waiting_run_at_once_and_it_runs_once_approved(production):
    bucket = _bucket()
    submitted, decided, final = await database_sync_to_async(_api_round_trip)(bucket)
    assert (submitted.status_code, submitted.json()["status"]) == (202, "awaiting_approval")
    assert (decided.status_code, decided.json()["decision"], decided.json()["decided_by"]) == (
        200,
        "approved",
        "bob",
    )
    assert final["status"] == "succeeded", final
    assert bucket in await database_sync_to_async(_bucket_names)()
