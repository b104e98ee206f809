"""`aws s3 cp - s3://…` in the terminal reads what the person types or pastes until Ctrl-D
(the AWS CLI reads its stdin; a browser terminal has no pipe, so the command asks for it
with a `prompt` frame marked `stdin`, and the text travels back as one sealed answer,
never stored). Ctrl-C instead sends nothing. Through the whole path: websocket, the real
worker, the sandbox with IAM enforced."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async

from console.runs.models import OutputChunk
from tests.compat.world import admin_session
from tests.wsclient import collect_until_exit, is_prompt, open_terminal, receive, run_until, send

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3(sandbox):
    return admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )


@pytest.fixture
def bucket(s3):
    name = f"ws-stdin-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


async def _terminal(user):
    comm, connected, _ = await open_terminal(user, terminal="tab-stdin")
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


async def test_it_uploads_what_is_typed_until_ctrl_d(stack, alice_profiles, s3, bucket):
    comm = await _terminal(alice_profiles)
    result, prompt = await run_until(comm, f"aws s3 cp - s3://{bucket}/typed.txt --profile admin", is_prompt)
    assert prompt["stdin"] is True and "Ctrl-D" in prompt["text"]
    text = "first line\nsecond, with ünïcode\n"
    await send(comm, {"type": "answer", "run_id": result.run_id, "text": text})
    result = await collect_until_exit(comm, result)
    await comm.disconnect()
    assert (result.exit["status"], result.code, result.stdout) == ("succeeded", 0, "")
    assert s3.get_object(Bucket=bucket, Key="typed.txt")["Body"].read() == text.encode()
    # What was typed is not in the run's stored output: only the question is.
    stored = await database_sync_to_async(
        lambda: list(OutputChunk.objects.filter(run_id=result.run_id).values_list("data", flat=True))
    )()
    assert not any("first line" in data for data in stored)


async def test_ctrl_c_while_it_reads_sends_nothing(stack, alice_profiles, s3, bucket):
    comm = await _terminal(alice_profiles)
    result, _ = await run_until(comm, f"aws s3 cp - s3://{bucket}/never.txt --profile admin", is_prompt)
    await send(comm, {"type": "cancel", "run_id": result.run_id})
    result = await collect_until_exit(comm, result)
    await comm.disconnect()
    assert result.exit["status"] == "cancelled"
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
