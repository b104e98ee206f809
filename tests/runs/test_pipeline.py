"""The whole path of a command: consumer → DB + audit → Celery (real worker process) →
botocore against the sandbox (real moto over HTTP, IAM enforced) → chunks → websocket."""

from __future__ import annotations

import json
import time

import pytest
from channels.db import database_sync_to_async

from console.runs.audit import verify_chain
from console.runs.models import AuditEvent, CommandRun, OutputChunk
from credentials.services import save_profile
from tests.conftest import _wait_for, unsettled_runs
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


@pytest.fixture
def terminal_user(stack, alice_profiles):
    return alice_profiles


async def _terminal(user, terminal="t1"):
    comm, connected, _ = await open_terminal(user, terminal=terminal)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def test_it_runs_get_caller_identity_against_the_sandbox(terminal_user, sandbox):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws sts get-caller-identity")
    assert result.frames[0]["type"] == "started"
    assert result.exit == {"type": "exit", "run_id": result.run_id, "code": 0, "status": "succeeded"}
    answer = json.loads(result.stdout)
    assert answer["Arn"] == f"arn:aws:iam::{sandbox.seed.account_id}:user/demo"
    assert result.stdout.startswith('{\n    "UserId": ')
    await comm.disconnect()


@pytest.mark.parametrize("command", ["aws s3api list-buckets", "aws iam list-roles", "aws iam list-users"])
async def test_it_runs_no_argument_operations_of_any_service(terminal_user, command):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, command)
    assert result.code == 0, result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    await comm.disconnect()


async def test_it_shows_access_denied_as_the_cli_does(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws s3api create-bucket --bucket denied-bucket --profile readonly")
    assert result.code == 254
    assert result.exit["status"] == "failed"
    assert result.stderr.startswith(
        "\nAn error occurred (AccessDenied) when calling the CreateBucket operation: "
    )
    await comm.disconnect()


async def test_it_lets_the_admin_role_create_a_bucket(terminal_user, sandbox):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws s3api create-bucket --bucket console-admin-bucket --profile admin")
    assert result.code == 0, result.stderr
    who = await run_command(comm, "aws sts get-caller-identity --profile admin")
    arn = json.loads(who.stdout)["Arn"]
    assert arn == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/alice"
    await comm.disconnect()


async def test_it_shows_a_wrong_signature_as_the_cli_does(terminal_user, sandbox):
    await database_sync_to_async(save_profile)(
        terminal_user,
        "forged",
        {
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
            "aws_access_key_id": sandbox.seed.access_key_id,
            "aws_secret_access_key": "not-the-secret-key-at-all",
        },
    )
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws sts get-caller-identity --profile forged")
    assert result.code == 254
    assert (
        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation"
        in result.stderr
    )
    await comm.disconnect()


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        ("aws nosuchservice list-things", 252, "Invalid choice"),
        ("aws sts no-such-operation", 252, "Invalid choice"),
        ('aws s3api list-objects --bucket "unclosed', 252, "quot"),
        ("grep -r x", 127, "command not found"),
    ],
)
async def test_it_rejects_bad_command_lines_without_calling_aws(terminal_user, command, code, message):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, command)
    assert result.exit["status"] == "rejected"
    assert result.code == code
    assert message.lower() in result.stderr.lower()
    run = await database_sync_to_async(CommandRun.objects.get)(pk=result.run_id)
    assert run.started_at is None and run.worker == ""
    await comm.disconnect()


async def test_it_says_which_profile_is_missing(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws sts get-caller-identity --profile nope")
    assert result.code == 253
    assert result.stderr == "\nThe config profile (nope) could not be found\n"
    await comm.disconnect()


async def test_it_audits_every_run_in_an_intact_chain(terminal_user):
    comm = await _terminal(terminal_user)
    ok = await run_command(comm, "aws sts get-caller-identity")
    bad = await run_command(comm, "aws nosuchservice x")
    await comm.disconnect()
    await database_sync_to_async(_wait_for)(lambda: unsettled_runs() == 0, "the outcome's audit event")

    @database_sync_to_async
    def audit_actions():
        return list(AuditEvent.objects.order_by("id").values_list("action", "data"))

    actions = await audit_actions()
    names = [a for a, _ in actions]
    assert names == ["console:run:submitted", "console:run:finished", "console:run:rejected"]
    assert actions[1][1]["status"] == "succeeded" and actions[1][1]["run"] == ok.run_id
    assert actions[2][1]["run"] == bad.run_id
    assert (await database_sync_to_async(verify_chain)()).ok


async def test_it_never_stores_a_sensitive_value_in_the_command(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(
        comm, "aws iam create-login-profile --user-name demo --password 'Canary-Pa55word!' --profile admin"
    )
    assert "Canary-Pa55word!" not in result.frames[0]["command"]

    @database_sync_to_async
    def stored():
        run = CommandRun.objects.get(pk=result.run_id)
        events = list(AuditEvent.objects.values_list("data", flat=True))
        return run.command, run.sealed_command, json.dumps(events)

    command, sealed, events = await stored()
    for text in (command, sealed, events):
        assert "Canary-Pa55word!" not in text
    await comm.disconnect()


async def test_it_replays_output_after_a_reconnect_without_gaps_or_duplicates(terminal_user):
    comm = await _terminal(terminal_user, terminal="replay")
    first = await run_command(comm, "aws iam list-roles")
    await comm.disconnect()

    again = await _terminal(terminal_user, terminal="replay")
    await send(again, {"type": "attach", "run_id": first.run_id, "after": -1})
    replay = await collect_until_exit(again, RunResult(run_id=first.run_id))
    assert replay.frames == first.frames[1:]
    assert replay.seqs == list(range(len(replay.seqs)))

    last = first.seqs[-1]
    await send(again, {"type": "attach", "run_id": first.run_id, "after": last})
    tail = await collect_until_exit(again, RunResult(run_id=first.run_id))
    assert [f["type"] for f in tail.frames] == ["exit"]
    await again.disconnect()


async def test_it_never_shows_another_users_run(terminal_user, charlie):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws sts get-caller-identity")
    await comm.disconnect()

    outsider = await _terminal(charlie)
    for frame in (
        {"type": "attach", "run_id": result.run_id, "after": -1},
        {"type": "cancel", "run_id": result.run_id},
        {"type": "answer", "run_id": result.run_id, "text": "123456"},
    ):
        await send(outsider, frame)
        answer = await receive(outsider)
        assert answer == {"type": "error", "message": "no such run", "code": "not_found"}
    await outsider.disconnect()
    denied = await database_sync_to_async(AuditEvent.objects.filter(action="console:access:denied").count)()
    assert denied == 3


async def test_it_tells_a_user_with_no_credentials(stack, charlie):
    comm = await _terminal(charlie)
    result = await run_command(comm, "aws sts get-caller-identity")
    assert result.code == 253
    assert "Unable to locate credentials" in result.stderr
    await comm.disconnect()


async def test_it_stores_output_in_order(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws iam list-roles")
    chunks = await database_sync_to_async(
        lambda: list(OutputChunk.objects.filter(run_id=result.run_id).values_list("seq", "data"))
    )()
    assert [s for s, _ in chunks] == result.seqs
    assert "".join(d for _, d in chunks) == result.stdout
    await comm.disconnect()


async def test_it_answers_a_run_frame_while_busy(terminal_user, blackhole_profile):
    comm = await _terminal(terminal_user)
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity --profile stuck"})
    started = await receive(comm)
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity"})
    busy = await receive(comm)
    assert busy["code"] == "busy"
    await send(comm, {"type": "cancel"})
    result = await collect_until_exit(comm, RunResult(run_id=started["run_id"]))
    assert result.exit["status"] == "cancelled"
    await comm.disconnect()


async def test_it_cancels_a_command_stuck_in_an_aws_call(terminal_user, blackhole_profile):
    comm = await _terminal(terminal_user)
    run_id = await start_stuck_command(comm)
    began = time.monotonic()
    await send(comm, {"type": "cancel"})
    result = await collect_until_exit(comm, RunResult(run_id=run_id))
    assert result.exit == {"type": "exit", "run_id": run_id, "code": 130, "status": "cancelled"}
    assert time.monotonic() - began < 3
    await comm.disconnect()


async def test_it_streams_text_output_page_by_page(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(
        comm, "aws iam list-roles --output text --page-size 1 --query Roles[].RoleName"
    )
    assert result.code == 0, result.stderr
    pages = [f for f in result.frames if f["type"] == "output"]
    assert len(pages) >= 2  # one chunk per page, the first sent before the last was fetched
    assert "ConsoleAdmin" in result.stdout and "ConsoleReadOnly" in result.stdout
    await comm.disconnect()


@pytest.mark.parametrize("output", ["text", "table", "yaml", "yaml-stream"])
async def test_it_formats_every_output(terminal_user, output):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, f"aws sts get-caller-identity --output {output}")
    assert result.code == 0, result.stderr
    assert "user/demo" in result.stdout
    await comm.disconnect()


async def test_it_shows_the_request_flow_with_debug_and_no_secret(terminal_user, sandbox):
    comm = await _terminal(terminal_user)
    result = await run_command(comm, "aws sts get-caller-identity --debug")
    assert result.code == 0
    assert json.loads(result.stdout)["Arn"].endswith(":user/demo")
    assert (
        " - botocore.endpoint - DEBUG - Making request for OperationModel(name=GetCallerIdentity)"
        in result.stderr
    )
    assert sandbox.seed.secret_access_key not in result.stderr
    assert sandbox.seed.access_key_id not in result.stderr  # shown as AKIA****, as in the logs
    assert "Signature=" not in result.stderr or "Signature=****" in result.stderr
    quiet = await run_command(comm, "aws sts get-caller-identity")
    assert quiet.stderr == ""
    await comm.disconnect()
