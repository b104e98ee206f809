"""Faults: the worker gone, killed mid-command, the queue down, a redelivered task.
Each must end the run in a final state the user is told about, never stuck `queued`."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from console.runs import lifecycle, reaper, store, submission, workers
from console.runs.models import CommandRun, OutputChunk, RunSource
from console.runs.tasks import execute_run
from tests.wsclient import (
    RunResult,
    collect_until_exit,
    open_terminal,
    receive,
    run_command,
    send,
    start_stuck_command,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected
    await receive(comm)
    return comm


def _stop_worker(stack):
    stack.worker.terminate()
    stack.worker.wait(timeout=15)
    workers.redis_client().delete(workers.workers_key())


async def test_it_rejects_a_command_within_two_seconds_when_no_worker_runs(stack, alice_profiles):
    _stop_worker(stack)
    try:
        comm = await _terminal(alice_profiles)
        began = time.monotonic()
        result = await run_command(comm, "aws sts get-caller-identity")
        assert time.monotonic() - began < 2
        assert result.exit["status"] == "rejected"
        assert result.code == 255
        assert "no worker is running" in result.stderr
        await comm.disconnect()
    finally:
        stack.start_worker()


async def test_it_rejects_a_command_when_the_queue_is_down(stack, alice_profiles, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # a real refused connection
    workers.redis_client.cache_clear()
    try:
        comm = await _terminal(alice_profiles)
        began = time.monotonic()
        result = await run_command(comm, "aws sts get-caller-identity")
        assert time.monotonic() - began < 2
        assert result.exit["status"] == "rejected"
        assert "queue is unavailable" in result.stderr
        await comm.disconnect()
    finally:
        workers.redis_client.cache_clear()


async def test_it_marks_a_run_lost_when_its_worker_is_killed(stack, blackhole_profile):
    comm = await _terminal(blackhole_profile)
    run_id = await start_stuck_command(comm)
    stack.worker.send_signal(signal.SIGKILL)
    stack.worker.wait()
    try:
        result = await collect_until_exit(comm, RunResult(run_id=run_id), timeout=15)
        assert result.exit["status"] == "lost"
        assert "the command was lost" in result.stderr
        await comm.disconnect()
    finally:
        workers.redis_client().delete(workers.workers_key())
        stack.start_worker()


def test_it_never_runs_a_redelivered_task_twice(stack, alice_profiles):
    run = submission.submit_run(alice_profiles, "aws sts get-caller-identity", source=RunSource.API)
    final = reaper.wait_for_final(run.pk, timeout=20)
    assert final.status == "succeeded"
    chunks = OutputChunk.objects.filter(run=run).count()
    execute_run.run(str(run.pk))  # the same message delivered again, in this process
    final.refresh_from_db()
    assert final.status == "succeeded"
    assert OutputChunk.objects.filter(run=run).count() == chunks


def test_it_reaps_runs_whose_worker_vanished(alice):
    long_ago = timezone.now() - timedelta(minutes=5)
    running = CommandRun.objects.create(
        user=alice,
        source=RunSource.API,
        command="aws sts get-caller-identity",
        status="running",
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    queued = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws iam list-roles")
    CommandRun.objects.filter(pk=queued.pk).update(created_at=long_ago)
    fresh = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws iam list-users")

    assert reaper.reap_stale_runs() == 2
    running.refresh_from_db()
    queued.refresh_from_db()
    fresh.refresh_from_db()
    assert (running.status, queued.status, fresh.status) == ("lost", "lost", "queued")
    assert running.exit_code == 255 and running.finished_at is not None
    stdout, stderr = store.run_streams(running)
    assert "the command was lost: its worker stopped responding" in stderr
    assert reaper.reap_stale_runs() == 0


def test_it_claims_a_run_only_once(alice):
    run = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws sts get-caller-identity")
    assert lifecycle.claim_run(run.pk, "w1") is not None
    assert lifecycle.claim_run(run.pk, "w2") is None
    run.refresh_from_db()
    assert run.worker == "w1"


def test_it_only_moves_a_run_along_its_state_machine(alice):
    run = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws sts get-caller-identity")
    assert lifecycle.finish_run(run, "succeeded", 0) is False  # not running yet
    lifecycle.claim_run(run.pk, "w1")
    assert lifecycle.finish_run(run, "succeeded", 0) is True
    assert lifecycle.finish_run(run, "failed", 1) is False  # already final
    run.refresh_from_db()
    assert (run.status, run.exit_code) == ("succeeded", 0)


def test_it_cancels_a_queued_run_at_once(alice):
    run = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws sts get-caller-identity")
    lifecycle.request_cancel(alice, run.pk)
    run.refresh_from_db()
    assert (run.status, run.exit_code) == ("cancelled", 130)
    assert lifecycle.claim_run(run.pk, "w1") is None


def test_it_audits_an_outcome_whose_event_was_lost(alice):
    from console.runs.models import AuditEvent

    run = CommandRun.objects.create(
        user=alice,
        source=RunSource.API,
        command="aws iam list-roles",
        status="succeeded",
        exit_code=0,
        finished_at=timezone.now(),
    )
    assert lifecycle.audit_missing_outcomes() == 1
    event = AuditEvent.objects.get(run=run)
    assert (event.action, event.data["status"]) == ("console:run:finished", "succeeded")
    assert lifecycle.audit_missing_outcomes() == 0


def _running(user):
    return CommandRun.objects.create(
        user=user, source=RunSource.API, command="aws sts get-caller-identity", status="running"
    )


def _events(run):
    from console.runs.models import AuditEvent

    return list(AuditEvent.objects.filter(run=run).values_list("data__status", flat=True))


def test_a_worker_ends_its_run_with_its_last_output_then_audits_the_outcome(alice):
    run = _running(alice)
    digest = store.OutputDigest()
    assert lifecycle.finish_run(run, "succeeded", 0, output=[("stdout", "{}\n")], first_seq=0, digest=digest)
    run.refresh_from_db()
    assert (run.status, run.exit_code, run.output_bytes) == ("succeeded", 0, 3)
    assert list(OutputChunk.objects.filter(run=run).values_list("seq", "data")) == [(0, "{}\n")]
    assert _events(run) == ["succeeded"]


def test_a_late_worker_loses_to_the_reaper_whose_line_took_its_seq(alice):
    """The reaper ended the run first, its "lost" line stored at the seq the worker
    meant to use: the worker's ending is refused whole, without an error."""
    run = _running(alice)
    assert lifecycle.mark_lost(run, "running", "its worker stopped answering")
    assert not lifecycle.finish_run(run, "succeeded", 0, output=[("stdout", "late\n")], first_seq=0)
    run.refresh_from_db()
    assert run.status == "lost"
    assert [c.data for c in OutputChunk.objects.filter(run=run)] == [
        "\nconsole: the command was lost: its worker stopped answering. Check its effects before "
        "running it again.\n"
    ]
    assert _events(run) == ["lost"]


def test_an_ending_that_lost_the_race_leaves_no_output_and_no_event(alice):
    run = _running(alice)
    assert lifecycle.finish_run(run, "failed", 255, first_seq=0)
    assert not lifecycle.finish_run(run, "succeeded", 0, output=[("stdout", "again\n")], first_seq=3)
    run.refresh_from_db()
    assert (run.status, run.exit_code) == ("failed", 255)
    assert not OutputChunk.objects.filter(run=run).exists()
    assert _events(run) == ["failed"]


async def test_it_stops_a_worker_promptly_while_a_cancelled_call_hangs(stack, blackhole_profile):
    comm = await _terminal(blackhole_profile)
    run_id = await start_stuck_command(comm)
    await send(comm, {"type": "cancel"})
    result = await collect_until_exit(comm, RunResult(run_id=run_id))
    assert result.exit["status"] == "cancelled"
    await comm.disconnect()
    began = time.monotonic()
    try:
        _stop_worker(stack)  # the AWS call is still hanging in the worker
        assert time.monotonic() - began < 10
    finally:
        stack.start_worker()
