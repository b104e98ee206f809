"""A worker killed in the middle of `aws s3 sync` (issue 12's faults): the run ends `lost`,
the objects it had sent stay as they are, and the task delivered again — as Celery does
with a message whose worker died before acknowledging it — sends nothing: the run is no
longer `queued`, so the claim refuses it. The bucket is versioned, so a PUT sent twice
would show as a second version of its key."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from console.runs import reaper, submission, workers
from console.runs.models import CommandRun, RunSource
from console.runs.tasks import execute_run
from console.workspace.service import Workspace
from tests.compat.world import admin_session
from tests.runs.conftest import own_worker

pytestmark = [pytest.mark.django_db(transaction=True)]

FILES = 400


def _versions(s3, bucket):
    keys: dict[str, int] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            keys[version["Key"]] = keys.get(version["Key"], 0) + 1
    return keys


def test_a_sync_whose_worker_is_killed_ends_lost_and_is_never_sent_again(stack, alice_profiles, sandbox):
    s3 = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    bucket = f"ws-killed-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ws = Workspace(alice_profiles)
    ws.make_dir(ws.locate("many"))
    for number in range(FILES):
        ws.write(ws.locate(f"many/f{number:03}.txt"), [f"file {number}\n".encode()])

    with own_worker(stack, concurrency=2) as worker:
        run = submission.submit_run(
            alice_profiles, f"aws s3 sync many s3://{bucket}/ --profile admin", source=RunSource.API
        )
        deadline = time.monotonic() + 30
        while not _versions(s3, bucket):  # it has started sending
            assert time.monotonic() < deadline, "the sync never sent an object"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        workers.redis_client().delete(workers.workers_key())
        final = reaper.wait_for_final(run.pk, timeout=30)
    assert final.status == "lost"
    sent = _versions(s3, bucket)  # requests that were on the wire at the kill have landed
    assert len(sent) < FILES, "the sync ended before the kill: the test proves nothing"

    execute_run.run(str(run.pk))  # the message delivered again, in this process
    assert CommandRun.objects.get(pk=run.pk).status == "lost"
    after = _versions(s3, bucket)
    assert after == sent, "the redelivered task sent objects"
    assert set(after.values()) == {1}, "an object was sent twice"
