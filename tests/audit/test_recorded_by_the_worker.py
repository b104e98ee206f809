"""A real run through the whole path (websocket, PostgreSQL, a Celery worker process, the
sandbox) stores its record with its final state: origin, service and operation, the
principal ARN, account, region, endpoint, the calls with their request ids, the duration,
and the size and SHA-256 of the output, which match the output as it is read back.
Cancels are audited too."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from console.runs.audit import AuditAction
from console.runs.models import AuditEvent, CommandRun
from tests.audit.conftest import stored_output_sha256
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
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


@database_sync_to_async
def _run(run_id):
    return CommandRun.objects.get(pk=run_id)


async def test_the_worker_stores_the_record_with_the_final_state(stack, alice_profiles, sandbox):
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, "aws iam list-roles --profile admin --page-size 2")
    await comm.disconnect()
    assert result.code == 0, result.stderr
    run = await _run(result.run_id)
    assert (run.source, run.rerun_of_id, run.service, run.operation) == ("terminal", None, "iam", "ListRoles")
    assert run.principal["arn"] == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/alice"
    assert run.aws_account == sandbox.seed.account_id
    assert (run.profile, run.profile_chain) == ("admin", ["admin", "default"])
    assert (run.region, run.endpoint) == (sandbox.seed.region, sandbox.url)
    roles = json.loads(result.stdout)["Roles"]
    assert run.aws_call_count == len(run.aws_calls) == (len(roles) + 1) // 2
    assert all(call["status"] == 200 and call["request_id"] for call in run.aws_calls)
    assert run.duration is not None and run.duration.total_seconds() > 0
    size, digest = await database_sync_to_async(stored_output_sha256)(run)
    assert (run.output_bytes, run.output_sha256) == (size, digest)
    assert size == len((result.stdout + result.stderr).encode())


async def test_a_failed_run_records_its_error_call(stack, alice_profiles):
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, "aws s3api create-bucket --bucket nope --profile readonly")
    await comm.disconnect()
    run = await _run(result.run_id)
    assert (run.status, run.exit_code) == ("failed", 254)
    [call] = run.aws_calls
    assert (call["status"], call["error"]) == (403, "AccessDenied")
    assert (run.output_bytes, run.output_sha256) == await database_sync_to_async(stored_output_sha256)(run)


async def test_a_rejected_line_records_the_digest_of_its_message(stack, alice_profiles):
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, "aws nosuchservice do-it")
    await comm.disconnect()
    run = await _run(result.run_id)
    assert run.status == "rejected" and run.aws_calls == [] and run.principal == {}
    assert (run.output_bytes, run.output_sha256) == await database_sync_to_async(stored_output_sha256)(run)


async def test_a_cancel_is_an_audit_event(stack, blackhole_profile):
    comm = await _terminal(blackhole_profile)
    run_id = await start_stuck_command(comm)
    await send(comm, {"type": "cancel", "run_id": run_id})
    result = await collect_until_exit(comm, RunResult(run_id))
    await comm.disconnect()
    assert result.exit["status"] == "cancelled"
    events = await database_sync_to_async(
        lambda: list(AuditEvent.objects.filter(run_id=run_id).values_list("action", "actor_name", "data"))
    )()
    assert (AuditAction.RUN_CANCEL_REQUESTED.value, "alice", {"status": "running", "run": run_id}) in events
