"""Output that holds secrets (an operation whose output botocore marks sensitive): its
runner sees it as the CLI shows it, live and on every replay; the database holds it only
sealed; anyone else who may see the run (Carol, the team's auditor; Charlie, staff) gets
one line saying it is sealed, on the run page, in watch mode and over the API; a diff
never compares it; key rotation reseals it. A non-sensitive operation is stored as before.

The path is real: Bob (a member of `platform`, granted `platform/keys`, the sandbox
user's keys) runs `aws sts assume-role` through the terminal websocket or the submission
path, a Celery worker process runs it against the sandbox (IAM enforced), and PostgreSQL
holds the chunks, which the test reads back with raw SQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.db import connection
from django.test import Client

from console.api.tokens import create_token
from console.audit.rerun import submit_line
from console.runs import reaper, store
from console.runs.models import CommandRun, OutputChunk
from console.teams import services
from credentials import crypto
from tests.api.conftest import bearer
from tests.wsclient import RunResult, collect_until_exit, open_terminal, receive, run_command, send

pytestmark = pytest.mark.django_db(transaction=True)

NOTICE = store.SEALED_NOTICE


@pytest.fixture
def live_team(stack: Any, team: Any, alice: Any, bob: Any, charlie: Any, sandbox: Any) -> Any:
    """`platform/keys` holds the sandbox user's keys, granted to Bob; Charlie is staff."""
    keys = services.save_team_profile(
        alice,
        team,
        "keys",
        {
            "region": sandbox.seed.region,
            "endpoint_url": sandbox.url,
            "aws_access_key_id": sandbox.seed.access_key_id,
            "aws_secret_access_key": sandbox.seed.secret_access_key,
        },
    )
    services.grant(alice, keys, user=bob)
    charlie.is_staff = True
    charlie.save()
    return team


def _assume_role(sandbox: Any, session: str = "bob-sealed") -> str:
    return (
        f"aws sts assume-role --role-arn {sandbox.seed.readonly_role_arn} "
        f"--role-session-name {session} --profile platform/keys"
    )


def _secrets(stdout: str) -> list[str]:
    """The secret values of an AssumeRole answer as the CLI prints it."""
    credentials = json.loads(stdout)["Credentials"]
    secrets = [credentials["SecretAccessKey"], credentials["SessionToken"]]
    assert all(len(secret) >= 16 for secret in secrets), credentials
    return secrets


def _stored_text(run_id: Any) -> str:
    """Everything stored for the run's output and in the audit trail, read with raw SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data, sealed_data FROM runs_outputchunk WHERE run_id = %s", [run_id])
        chunks = [column for row in cursor.fetchall() for column in row]
        cursor.execute("SELECT data::text FROM runs_auditevent")
        events = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT command, sealed_command, reason FROM runs_commandrun WHERE id = %s", [run_id])
        run = [column for row in cursor.fetchall() for column in row]
    return "\n".join(chunks + events + run)


def _finished(user: Any, line: str) -> CommandRun:
    run = submit_line(user, line, source="terminal", terminal_id="t1")
    return reaper.wait_for_final(run.pk, timeout=60)


@pytest.fixture
def sealed_run(live_team: Any, bob: Any, sandbox: Any) -> CommandRun:
    run = _finished(bob, _assume_role(sandbox))
    assert run.status == "succeeded", store.run_streams(run, bob.pk)
    return run


def _api_get(user: Any, path: str) -> Any:
    response = Client().get(f"/api/v1/{path}", headers=bearer(create_token(user)))
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _api_stdout(user: Any, run: CommandRun) -> str:
    chunks = _api_get(user, f"runs/{run.pk}/output")["chunks"]
    return "".join(chunk["data"] for chunk in chunks if chunk["stream"] == "stdout")


def _page(user: Any, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---- the runner's terminal, and what is stored -------------------------------------------


async def test_the_runner_s_terminal_shows_the_secret_and_the_database_holds_it_sealed(
    live_team, bob, sandbox
):
    comm, connected, _ = await open_terminal(bob)
    assert connected and (await receive(comm))["type"] == "hello"
    result = await run_command(comm, _assume_role(sandbox), timeout=60)
    await comm.disconnect()
    assert result.code == 0, result.stderr
    secrets = _secrets(result.stdout)
    assert json.loads(result.stdout)["AssumedRoleUser"]["Arn"].endswith("/bob-sealed")

    stored = await database_sync_to_async(_stored_text)(result.run_id)
    for secret in secrets:
        assert secret not in stored
    chunks = await database_sync_to_async(
        lambda: list(OutputChunk.objects.filter(run_id=result.run_id, stream="stdout").order_by("seq"))
    )()
    assert chunks and all(chunk.sealed_data.startswith("v1:") for chunk in chunks)
    assert "".join(chunk.data for chunk in chunks) == NOTICE

    # Attaching again (a reload of the tab) replays it to its runner exactly as it was shown.
    again, connected, _ = await open_terminal(bob)
    assert connected and (await receive(again))["type"] == "hello"
    await send(again, {"type": "attach", "run_id": result.run_id, "after": -1})
    replay = await collect_until_exit(again, RunResult(run_id=result.run_id))
    await again.disconnect()
    assert replay.stdout == result.stdout


def test_its_record_keeps_the_size_but_no_hash_of_the_secrets(sealed_run, bob):
    shown = store.run_streams(sealed_run, bob.pk)[0]
    assert sealed_run.output_bytes == len(shown.encode())
    assert sealed_run.output_sha256 == ""


# ---- everyone else -----------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["carol", "charlie"])
def test_another_viewer_gets_only_the_notice_on_the_page_and_over_the_api(request, sealed_run, bob, viewer):
    secrets = _secrets(_api_get(bob, f"runs/{sealed_run.pk}")["stdout"])  # its runner, over the API
    user = request.getfixturevalue(viewer)

    assert _api_stdout(user, sealed_run) == NOTICE
    detail = _api_get(user, f"runs/{sealed_run.pk}")
    assert detail["stdout"] == NOTICE
    assert detail["record"]["output_sealed"] is True
    page = _page(user, f"/runs/{sealed_run.pk}")
    assert "sealed: it holds secrets, shown only to bob" in page
    for secret in secrets:
        assert secret not in json.dumps(detail)
        assert secret not in page


async def _watched(user: Any, run: CommandRun) -> str:
    comm, connected, _ = await open_terminal(user, mode="watch")
    assert connected and (await receive(comm))["type"] == "hello"
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    result = await collect_until_exit(comm, RunResult(run_id=str(run.pk)))
    await comm.disconnect()
    return result.stdout


async def test_watch_mode_shows_the_notice_to_others_and_the_output_to_its_runner(sealed_run, bob, carol):
    assert await _watched(carol, sealed_run) == NOTICE
    own = await _watched(bob, sealed_run)
    assert json.loads(own)["Credentials"]["SecretAccessKey"]


# ---- re-runs and their diff ----------------------------------------------------------------


def test_a_rerun_is_sealed_too_and_its_diff_compares_no_secret(sealed_run, bob, carol):
    client = Client()
    client.force_login(bob)
    response = client.post(f"/runs/{sealed_run.pk}/rerun", {"profile": "", "region": ""})
    assert response.status_code == 303
    rerun = reaper.wait_for_final(response["Location"].rsplit("/", 1)[-1], timeout=60)
    assert (rerun.status, rerun.rerun_of_id) == ("succeeded", sealed_run.pk)
    secrets = _secrets(store.run_streams(sealed_run, bob.pk)[0]) + _secrets(
        store.run_streams(rerun, bob.pk)[0]
    )
    assert store.is_sealed(rerun.pk)

    for viewer in (bob, carol):  # not even its runner gets a diff of secrets
        page = _page(viewer, f"/runs/{sealed_run.pk}/diff/{rerun.pk}")
        assert "Not compared: the output of both runs holds secrets" in page
        for secret in secrets:
            assert secret not in page


# ---- a non-sensitive operation ---------------------------------------------------------------


def test_a_non_sensitive_operation_is_stored_as_before(live_team, bob, carol, sandbox):
    run = _finished(bob, "aws sts get-caller-identity --profile platform/keys")
    assert run.status == "succeeded"
    chunks = list(OutputChunk.objects.filter(run=run).order_by("seq"))
    assert all(chunk.sealed_data == "" for chunk in chunks)
    stdout = "".join(chunk.data for chunk in chunks if chunk.stream == "stdout")
    assert json.loads(stdout)["Account"] == sandbox.seed.account_id
    assert _api_stdout(carol, run) == stdout
    assert len(run.output_sha256) == 64 and not store.is_sealed(run.pk)


# ---- key rotation -------------------------------------------------------------------------


def test_rotate_keys_reseals_the_sealed_output(sealed_run, bob, settings):
    shown = store.run_streams(sealed_run, bob.pk)[0]
    old = settings.CONSOLE_ENCRYPTION_KEYS
    settings.CONSOLE_ENCRYPTION_KEYS = f"k-output:{crypto.generate_key()},{old}"
    call_command("rotate_keys")
    sealed = OutputChunk.objects.filter(run=sealed_run).exclude(sealed_data="")
    assert {chunk.sealed_data.split(":")[1] for chunk in sealed} == {"k-output"}
    settings.CONSOLE_ENCRYPTION_KEYS = settings.CONSOLE_ENCRYPTION_KEYS.split(",")[0]  # the old key gone
    assert store.run_streams(sealed_run, bob.pk)[0] == shown


# ---- the store, without a worker ------------------------------------------------------------


def test_many_sealed_chunks_show_one_notice_and_a_moved_chunk_does_not_open(bob):
    run = CommandRun.objects.create(user=bob, source="api", command="aws ssm get-parameters-by-path")
    seal = store.OutputSeal(run.pk, bob.pk)
    seq = store.append_chunk(run.pk, "stdout", "x" * (store.MAX_CHUNK_CHARS + 5) + "\n", seq=0, seal=seal)
    seq = store.append_chunk(run.pk, "stderr", "a warning\n", seq=seq, seal=seal)
    store.append_chunk(run.pk, "stdout", "page 2\n", seq=seq, seal=seal)

    assert store.run_streams(run) == (NOTICE, "a warning\n")  # reading as nobody
    assert store.run_streams(run, bob.pk)[0] == "x" * (store.MAX_CHUNK_CHARS + 5) + "\npage 2\n"

    first, second = OutputChunk.objects.filter(run=run, stream="stdout").order_by("seq")[:2]
    OutputChunk.objects.filter(pk=second.pk).update(sealed_data=first.sealed_data)  # moved within the run
    assert store.read_since(run.pk, first.seq, reader=bob.pk).chunks[0].data == store.UNOPENED_NOTICE
