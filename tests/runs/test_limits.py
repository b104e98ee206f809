"""Limits per user: one user's flood of commands that never end is refused past the cap
(CONSOLE_MAX_RUNS_PER_USER), another user's command keeps its normal latency, and the
reaper settles a dead run while every worker slot is taken."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from console.api.tokens import create_token
from console.runs import audit, store, submission
from console.runs.errors import RunLimitReached
from console.runs.models import AuditEvent, CommandRun, RunSource, RunStatus
from tests.conftest import _wait_for
from tests.runs.conftest import api_call, own_worker
from tests.wsclient import open_terminal, receive, send

pytestmark = [pytest.mark.django_db(transaction=True)]

STUCK = "aws sts get-caller-identity --profile stuck"


@pytest.fixture
def bob_profiles(bob: Any, sandbox: Any) -> Any:
    from console.demo import install_sandbox_profiles

    install_sandbox_profiles(bob, sandbox.seed, sandbox.url)
    return bob


def _flood(stack: Any, token: str, count: int) -> list[tuple[int, Any]]:
    return [api_call(stack, token, "POST", "runs", {"command": STUCK}) for _ in range(count)]


def _wait_running(run_ids: list[str]) -> None:
    running = lambda: CommandRun.objects.filter(pk__in=run_ids, status=RunStatus.RUNNING).count()  # noqa: E731
    _wait_for(lambda: running() == len(run_ids), "the stuck commands", timeout=15)


def _cancel_all(stack: Any, token: str, run_ids: list[str]) -> None:
    for run_id in run_ids:
        status, body = api_call(stack, token, "POST", f"runs/{run_id}/cancel")
        assert (status, body["status"], body["exit_code"]) == (200, "cancelled", 130)


def test_it_refuses_a_flood_past_the_cap_and_keeps_another_users_command_fast(
    stack, blackhole_profile, bob_profiles
):
    alice_token, bob_token = create_token(blackhole_profile), create_token(bob_profiles)
    # Six slots, ten commands that never end: without a cap they would take every slot.
    with own_worker(stack, concurrency=6):
        answers = _flood(stack, alice_token, 10)
        accepted = [body["id"] for status, body in answers if status == 201]
        try:
            assert [status for status, _ in answers] == [201] * 4 + [429] * 6
            refused = answers[-1][1]
            assert refused["code"] == "too_many_runs"
            assert "too many commands at once: you have 4 queued or running" in refused["error"]
            _wait_running(accepted)

            began = time.monotonic()
            status, bobs = api_call(
                stack, bob_token, "POST", "runs", {"command": "aws sts get-caller-identity", "wait": True}
            )
            took = time.monotonic() - began
            assert (status, bobs["status"], bobs["exit_code"]) == (200, "succeeded", 0), bobs["stderr"]
            assert took < 4, f"bob waited {took:.1f} s behind alice's flood"
        finally:
            _cancel_all(stack, alice_token, accepted)
        # Once her runs have ended she may run commands again.
        status, again = api_call(
            stack, alice_token, "POST", "runs", {"command": "aws sts get-caller-identity", "wait": True}
        )
        assert (status, again["status"]) == (200, "succeeded")


def test_it_reaps_a_dead_run_while_every_worker_slot_is_busy(stack, blackhole_profile, charlie, tmp_path):
    alice_token = create_token(blackhole_profile)
    # Started as `make run` starts it, with two slots and a quick reaper.
    with own_worker(stack, concurrency=2, CONSOLE_REAP_SECONDS="1"):
        busy = [body["id"] for status, body in _flood(stack, alice_token, 2)]
        try:
            _wait_running(busy)
            long_ago = timezone.now() - timedelta(minutes=5)
            dead = CommandRun.objects.create(
                user=charlie,
                source=RunSource.API,
                command="aws iam list-roles",
                status=RunStatus.RUNNING,
                worker="a-host-that-died:0000",
                started_at=long_ago,
                heartbeat_at=long_ago,
            )
            # Nobody waits on the dead run (waiting callers reap their own): only the reaper
            # can settle it. Its old beat task ran every 15 s; give it more than that.
            status = lambda: CommandRun.objects.get(pk=dead.pk).status  # noqa: E731
            _wait_for(lambda: status() == RunStatus.LOST, "the reaper", timeout=20)
            assert CommandRun.objects.filter(pk__in=busy, status=RunStatus.RUNNING).count() == 2
            assert "the command was lost: its worker stopped responding" in store.run_streams(dead)[1]
        finally:
            _cancel_all(stack, alice_token, busy)


def _queued_runs(user: Any, count: int) -> None:
    for _ in range(count):
        CommandRun.objects.create(user=user, source=RunSource.API, command="aws iam list-roles")


def test_it_counts_only_runs_still_going(alice, bob, settings):
    settings.CONSOLE_MAX_RUNS_PER_USER = 2
    _queued_runs(alice, 2)
    CommandRun.objects.create(user=alice, source=RunSource.API, command="aws s3 ls", status="succeeded")
    with pytest.raises(RunLimitReached) as refused:
        submission.submit_run(alice, "aws sts get-caller-identity", source=RunSource.API)
    assert refused.value.code == "too_many_runs"
    assert CommandRun.objects.filter(user=alice).count() == 3  # nothing was recorded
    assert not AuditEvent.objects.filter(action=audit.AuditAction.RUN_SUBMITTED.value).exists()
    assert audit.verify_chain().ok  # the event sent with the refused row was rolled back with it
    with transaction.atomic():
        submission.insert_within_limit(_new_run(bob))  # Bob has his own allowance
    with pytest.raises(RunLimitReached), transaction.atomic():
        submission.insert_within_limit(_new_run(alice))
    settings.CONSOLE_MAX_RUNS_PER_USER = 0  # no cap
    with transaction.atomic():
        submission.insert_within_limit(_new_run(alice))
    assert CommandRun.objects.filter(user=alice).count() == 4
    assert CommandRun.objects.filter(user=bob).count() == 1


def _new_run(user: Any) -> CommandRun:
    return CommandRun(user=user, source=RunSource.API, command="aws sts get-caller-identity")


def test_it_counts_concurrent_submissions_of_one_user_one_after_the_other(alice, settings):
    settings.CONSOLE_MAX_RUNS_PER_USER = 3
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def submit() -> None:
        start.wait()
        try:
            with transaction.atomic():
                submission.insert_within_limit(_new_run(alice))
                time.sleep(0.05)  # a slow audit write: the window two counts could share
            outcomes.append("accepted")
        except RunLimitReached:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] * 3 + ["refused"] * 5


def test_it_never_deadlocks_with_an_audit_write_naming_the_same_user(alice):
    audit.record(audit.AuditAction.RUN_SUBMITTED, actor=alice, data={})  # the chain head exists
    user_locked, head_held = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def submitter() -> None:
        try:
            with transaction.atomic():
                submission.insert_within_limit(_new_run(alice))
                user_locked.set()
                head_held.wait(5)
                audit.record(audit.AuditAction.RUN_SUBMITTED, actor=alice, data={})
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def auditor() -> None:  # a worker recording an outcome: head first, then the event
        try:
            user_locked.wait(5)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM runs_auditchainhead FOR UPDATE")
                head_held.set()
                audit.record(audit.AuditAction.RUN_FINISHED, actor=alice, data={})
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submitter), threading.Thread(target=auditor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert AuditEvent.objects.filter(actor=alice).count() == 3
    assert audit.verify_chain().ok


async def test_it_tells_the_terminal_why_a_run_was_refused(alice, settings):
    from channels.db import database_sync_to_async

    settings.CONSOLE_MAX_RUNS_PER_USER = 1
    await database_sync_to_async(_queued_runs)(alice, 1)
    comm, connected, _ = await open_terminal(alice)
    assert connected and (await receive(comm))["type"] == "hello"
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
    frame = await receive(comm)
    await comm.disconnect()
    assert (frame["type"], frame["code"]) == ("error", "too_many_runs")
    assert "you have 1 queued or running, and one user may have 1" in frame["message"]
