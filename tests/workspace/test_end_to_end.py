"""Workspace files through the whole path: the terminal websocket, the real Celery worker,
botocore against the sandbox (real moto over HTTP, IAM enforced), the workspace on the
storage the settings name (a folder under the suite's CONSOLE_LOCAL_DIR, shared by the
worker process and this one)."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from console.workspace.service import Workspace
from tests.compat.world import admin_session
from tests.runs.conftest import own_worker
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


@pytest.fixture
def terminal_user(stack, alice_profiles):
    return alice_profiles


@pytest.fixture(scope="module")
def bucket(sandbox):
    """A bucket with a 1 MiB object (32 of the CLI's 32 KiB reads) and a small one."""
    s3 = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    name = f"ws-e2e-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="big.bin", Body=bytes(range(256)) * 4096, ContentType="application/x-test")
    s3.put_object(Bucket=name, Key="small.txt", Body=b"hello\n")
    return name


async def _terminal(user, terminal="t1"):
    comm, connected, _ = await open_terminal(user, terminal=terminal)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


@database_sync_to_async
def _put(user, name: str, data: bytes) -> None:
    ws = Workspace(user)
    ws.write(ws.locate(name), [data])


@database_sync_to_async
def _read(user, name: str) -> bytes | None:
    ws = Workspace(user)
    where = ws.locate(name)
    if ws.exists(where) is None:
        return None
    with ws.open(where) as file:
        return bytes(file.read())


async def test_it_creates_a_policy_from_a_workspace_file(terminal_user):
    await _put(terminal_user, "policy.json", json.dumps(POLICY, indent=2).encode())
    comm = await _terminal(terminal_user)
    name = f"ws-e2e-{uuid.uuid4().hex[:8]}"
    created = await run_command(
        comm,
        f"aws iam create-policy --policy-name {name} --policy-document file://policy.json --profile admin",
    )
    assert created.code == 0, created.stderr
    arn = json.loads(created.stdout)["Policy"]["Arn"]
    version = await run_command(
        comm, f"aws iam get-policy-version --policy-arn {arn} --version-id v1 --profile admin"
    )
    assert json.loads(version.stdout)["PolicyVersion"]["Document"] == POLICY
    await comm.disconnect()


async def test_it_rejects_a_missing_file_at_once_with_the_clis_message(terminal_user):
    comm = await _terminal(terminal_user)
    result = await run_command(
        comm, "aws iam create-policy --policy-name p --policy-document file://nope.json"
    )
    assert result.code == 252 and result.exit["status"] == "rejected"
    assert result.stderr == (
        "\nError parsing parameter '--policy-document': Unable to load paramfile file://nope.json: "
        "[Errno 2] No such file or directory: 'nope.json'\n"
    )
    await comm.disconnect()


async def test_it_writes_get_object_to_the_workspace_as_the_cli_does(terminal_user, bucket):
    comm = await _terminal(terminal_user)
    assert (await run_command(comm, "mkdir -p out")).code == 0
    result = await run_command(
        comm, f"aws s3api get-object --bucket {bucket} --key big.bin out/big.bin --profile admin"
    )
    assert result.code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert "Body" not in printed and printed["ContentLength"] == 1024 * 1024
    assert await _read(terminal_user, "out/big.bin") == bytes(range(256)) * 4096
    listing = await run_command(comm, "ls -l out")
    assert " 1048576 " in listing.stdout and listing.stdout.rstrip().endswith(" big.bin")
    await comm.disconnect()


async def test_it_reports_an_outfile_in_a_missing_folder_as_the_cli(terminal_user, bucket):
    comm = await _terminal(terminal_user)
    result = await run_command(
        comm, f"aws s3api get-object --bucket {bucket} --key small.txt nodir/x --profile admin"
    )
    assert (result.code, result.stdout) == (255, "")
    assert result.stderr == "\n[Errno 2] No such file or directory: 'nodir/x'\n"
    await comm.disconnect()


async def test_it_keeps_the_current_directory_between_commands(terminal_user, bucket):
    comm = await _terminal(terminal_user, terminal="cwd1")
    for line in ("mkdir -p work/today", "cd work/today"):
        assert (await run_command(comm, line)).code == 0
    assert (await run_command(comm, "pwd")).stdout == "~/work/today\n"
    fetched = await run_command(
        comm, f"aws s3api get-object --bucket {bucket} --key small.txt s.txt --profile admin"
    )
    assert fetched.code == 0, fetched.stderr
    assert (await run_command(comm, "cat s.txt")).stdout == "hello\n"
    assert await _read(terminal_user, "work/today/s.txt") == b"hello\n"
    other = await _terminal(terminal_user, terminal="cwd2")
    assert (await run_command(other, "pwd")).stdout == "~\n"
    await comm.disconnect()
    await other.disconnect()


async def test_it_never_reads_another_users_files(terminal_user, bob):
    await _put(terminal_user, "private.json", b'{"secret": true}')
    comm = await _terminal(bob)
    cat = await run_command(comm, f"cat ../{terminal_user.pk}/private.json")
    assert cat.code == 1 and "'..' would leave your workspace" in cat.stderr
    policy = await run_command(
        comm, "aws iam create-policy --policy-name p --policy-document file://private.json"
    )
    assert policy.code == 252 and "No such file or directory: 'private.json'" in policy.stderr
    assert "secret" not in cat.stdout + cat.stderr + policy.stdout + policy.stderr
    await comm.disconnect()


async def test_it_fails_an_outfile_over_quota_and_keeps_nothing(stack, terminal_user, bucket):
    with own_worker(stack, concurrency=2, CONSOLE_WORKSPACE_QUOTA="100000"):
        comm = await _terminal(terminal_user)
        result = await run_command(
            comm, f"aws s3api get-object --bucket {bucket} --key big.bin over.bin --profile admin"
        )
        await comm.disconnect()
    assert result.code == 255 and result.stdout == ""
    assert result.stderr.startswith(
        "\n[Errno 122] Disk quota exceeded: 'over.bin' (your workspace would go over"
    )
    assert await _read(terminal_user, "over.bin") is None
