"""Approval faults without a worker: an approval is used once however often the gate
asks; a worker that dies between approval and start leaves a queued run the reaper ends
`lost` counted from the approval, not from the run's creation; the state machine allows
the new state's moves and no others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from console.commands.record import Pending
from console.runs import approvals, lifecycle, reaper
from console.runs.errors import IllegalTransition
from console.runs.models import ApprovalRequest, CommandRun, RunSource, RunStatus
from console.teams import approvals as team_approvals
from console.teams import services
from console.teams.models import Role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def waiting(alice, bob, monkeypatch):
    monkeypatch.setattr(approvals.workers, "enqueue_execution", lambda run_id: None)  # no worker here
    team = services.create_team(alice, "platform", "Platform")
    services.add_member(alice, team, "bob", Role.ADMIN)
    run = CommandRun.objects.create(user=alice, source=RunSource.TERMINAL, command="aws s3 mb s3://x")
    lifecycle.claim_run(run.pk, "test-worker")
    run.refresh_from_db()
    run.user = alice
    pending = Pending("platform/admin", team.pk, ("Write",), "aws s3 mb")
    request = approvals.open_request(run, pending, [], None)
    assert request is not None
    return run, request


def test_the_claim_says_whether_the_run_asked_for_approval(waiting, bob):
    """The worker's claim tells an approved run, started again, from a new one: it goes on
    after its waiting line instead of writing its output from the start."""
    run, request = waiting
    team_approvals.decide(bob, request.pk, "approve", "")
    again = lifecycle.claim_run(run.pk, "test-worker")
    assert again is not None and again.asked_for_approval
    fresh = CommandRun.objects.create(user=run.user, source=RunSource.TERMINAL, command="aws s3 ls")
    claimed = lifecycle.claim_run(fresh.pk, "test-worker")
    assert claimed is not None and not claimed.asked_for_approval


def test_an_approval_is_used_once(waiting, bob):
    run, request = waiting
    team_approvals.decide(bob, request.pk, "approve", "")
    assert CommandRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert approvals.consume(run.pk, "platform/other") == ""
    assert approvals.consume(run.pk, "platform/admin") == "approved"
    assert approvals.consume(run.pk, "platform/admin") == ""


def test_an_approval_that_expired_before_its_run_started_refuses_it(waiting, bob):
    run, request = waiting
    team_approvals.decide(bob, request.pk, "approve", "")
    ApprovalRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert approvals.consume(run.pk, "platform/admin") == "expired"


@override_settings(CONSOLE_QUEUE_TIMEOUT=45)
def test_a_run_approved_but_never_started_is_lost_counted_from_the_approval(waiting, bob):
    run, request = waiting
    CommandRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    team_approvals.decide(bob, request.pk, "approve", "")
    assert reaper.reap_stale_runs() == 0  # approved just now: still waiting for a worker
    CommandRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))
    assert reaper.reap_stale_runs() == 1
    assert CommandRun.objects.get(pk=run.pk).status == RunStatus.LOST


def test_a_waiting_run_may_only_be_queued_rejected_or_cancelled(waiting):
    run, _ = waiting
    with pytest.raises(IllegalTransition):
        lifecycle.compare_and_set(run.pk, RunStatus.AWAITING_APPROVAL, RunStatus.RUNNING)
    with pytest.raises(IllegalTransition):
        lifecycle.compare_and_set(run.pk, RunStatus.AWAITING_APPROVAL, RunStatus.SUCCEEDED)


def test_a_decided_request_cannot_be_decided_again(waiting, bob):
    _, request = waiting
    team_approvals.decide(bob, request.pk, "deny", "no")
    with pytest.raises(services.TeamError, match="decided already"):
        team_approvals.decide(bob, request.pk, "approve", "")
