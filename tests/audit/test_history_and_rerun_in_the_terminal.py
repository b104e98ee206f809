"""`history` and `rerun <id>` in a terminal, through the real path (websocket, worker,
sandbox): history lists the runs the server keeps, with short ids; `rerun` expands into
the line it re-runs (shown in `started`, recorded with `rerun_of`); Tab completes ids; a
line opened from a run page ("edit and re-run") names the run it re-runs; every refusal
is a rejected run with a clear line."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from console.runs.models import CommandRun
from tests.audit.conftest import audited_run
from tests.wsclient import RunResult, collect_until_exit, open_terminal, receive, run_command, send

pytestmark = pytest.mark.django_db(transaction=True)


async def _terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


@database_sync_to_async
def _run(run_id):
    return CommandRun.objects.get(pk=run_id)


async def test_history_lists_the_runs_the_server_keeps_with_short_ids(stack, alice_profiles):
    comm = await _terminal(alice_profiles)
    first = await run_command(comm, "aws sts get-caller-identity")
    second = await run_command(comm, "aws iam list-roles --query 'Roles[0].RoleName'")
    listed = await run_command(comm, "history 3")
    await comm.disconnect()
    assert listed.code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(first.run_id.replace("-", "")[:8])
    assert "succeeded" in lines[0] and lines[0].endswith("  aws sts get-caller-identity")
    assert lines[1].startswith(second.run_id.replace("-", "")[:8])
    assert lines[1].endswith("aws iam list-roles --query 'Roles[0].RoleName'")
    assert lines[2].endswith("  history 3")  # itself, still running, as in a shell


async def test_history_refuses_a_bad_count(stack, alice_profiles):
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, "history lots")
    await comm.disconnect()
    assert (result.code, result.stderr) == (252, "history: usage: history [N], N from 1 to 200\n")


async def test_rerun_expands_into_the_line_it_reruns(stack, alice_profiles, sandbox):
    comm = await _terminal(alice_profiles)
    first = await run_command(comm, "aws sts get-caller-identity --profile admin")
    short = first.run_id.replace("-", "")[:8]
    again = await run_command(comm, f"rerun {short[:6]}")
    await comm.disconnect()
    expanded = f"aws sts get-caller-identity --profile admin --region {sandbox.seed.region}"
    assert again.frames[0] == {"type": "started", "run_id": again.run_id, "command": expanded}
    assert again.code == 0 and "assumed-role/ConsoleAdmin/alice" in again.stdout
    run = await _run(again.run_id)
    assert (str(run.rerun_of_id), run.command, run.source) == (first.run_id, expanded, "terminal")


async def test_tab_completes_run_ids(stack, alice_profiles, charlie):
    comm = await _terminal(alice_profiles)
    mine = await run_command(comm, "aws sts get-caller-identity")
    theirs = await database_sync_to_async(audited_run)(charlie)
    await send(comm, {"type": "complete", "line": "rerun ", "cursor": 6})
    frame = await receive(comm)
    await comm.disconnect()
    assert frame["type"] == "completions"
    assert frame["candidates"][0] == mine.run_id.replace("-", "")[:8]
    assert theirs.pk.hex[:8] not in frame["candidates"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("rerun", "rerun: usage: rerun <run id> (`history` lists them; Tab completes them)\n"),
        (
            "rerun zz!",
            "rerun: 'zz!' is not a run id: give the id `history` shows (4 or more of its characters)\n",
        ),
        ("rerun 0000abcd", "rerun: no run 0000abcd that you may see (`history` lists yours)\n"),
    ],
)
async def test_a_rerun_that_cannot_be_made_says_why(stack, alice_profiles, line, message):
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, line)
    await comm.disconnect()
    assert (result.exit["status"], result.code, result.stderr) == ("rejected", 252, message)


async def test_rerun_of_a_line_that_held_a_secret_is_refused(stack, alice_profiles):
    held = await database_sync_to_async(audited_run)(
        alice_profiles, command="aws iam create-login-profile --user-name demo --password ****"
    )
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, f"rerun {held.pk.hex[:8]}")
    await comm.disconnect()
    assert result.exit["status"] == "rejected"
    assert result.stderr.startswith("rerun: this command held a secret that was not kept; edit and re-run")


async def test_another_users_run_is_not_found(stack, alice_profiles, charlie):
    theirs = await database_sync_to_async(audited_run)(charlie)
    comm = await _terminal(alice_profiles)
    result = await run_command(comm, f"rerun {theirs.pk.hex}")
    await comm.disconnect()
    assert result.stderr == f"rerun: no run {theirs.pk.hex} that you may see (`history` lists yours)\n"


async def test_an_edited_line_from_a_run_page_records_what_it_reruns(stack, alice_profiles):
    held = await database_sync_to_async(audited_run)(
        alice_profiles, command="aws iam create-login-profile --user-name demo --password ****"
    )
    comm = await _terminal(alice_profiles)
    await send(comm, {"type": "run", "command": held.command, "rerun_of": str(held.pk)})
    unedited = await collect_until_exit(comm, RunResult())
    assert unedited.exit["status"] == "rejected" and "edit and re-run" in unedited.stderr
    await send(comm, {"type": "run", "command": "aws sts get-caller-identity", "rerun_of": str(held.pk)})
    edited = await collect_until_exit(comm, RunResult())
    await comm.disconnect()
    assert edited.code == 0
    assert str((await _run(edited.run_id)).rerun_of_id) == str(held.pk)
