"""Ctrl-C during a streamed outfile: the engine stops between two 32 KiB reads of the real
response (botocore against the sandbox's S3) and the workspace keeps nothing of it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from console.commands.workspacefiles import WorkspaceFiles
from console.engine import Cancelled, Target, run_invocation
from console.interpreter import parse_command
from console.workspace.files import Files
from console.workspace.service import Workspace
from tests.compat.world import admin_session

pytestmark = pytest.mark.django_db


class CancelAfter:
    """A sink that reports Ctrl-C after `reads` checks (the engine checks once per read)."""

    def __init__(self, reads: int) -> None:
        self.reads = reads
        self.written: list[tuple[str, str]] = []

    def write(self, stream: str, text: str) -> None:
        self.written.append((stream, text))

    def cancelled(self) -> bool:
        self.reads -= 1
        return self.reads < 0


@pytest.fixture
def s3(sandbox: Any) -> Any:
    client = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    bucket = f"ws-cancel-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="big.bin", Body=b"q" * (1024 * 1024))
    client.bucket = bucket
    return client


def test_it_keeps_nothing_of_an_outfile_cancelled_halfway(s3: Any, ws: Workspace, files: Files):
    invocation = parse_command(f"aws s3api get-object --bucket {s3.bucket} --key big.bin out.bin")
    sink = CancelAfter(reads=5)
    with pytest.raises(Cancelled):
        run_invocation(invocation, s3, sink, Target(), files=WorkspaceFiles(ws))
    assert ws.exists(ws.locate("out.bin")) is None
    assert [p for p in Path(files.storage.location).rglob("*") if p.is_file()] == []
    assert sink.written == []


def test_it_writes_the_whole_outfile_and_prints_the_rest(s3: Any, ws: Workspace):
    invocation = parse_command(f"aws s3api get-object --bucket {s3.bucket} --key big.bin out.bin")
    sink = CancelAfter(reads=10_000)
    assert run_invocation(invocation, s3, sink, Target(), files=WorkspaceFiles(ws)) == 0
    assert ws.stat(ws.locate("out.bin")).size == 1024 * 1024
    printed = "".join(text for stream, text in sink.written if stream == "stdout")
    assert '"ContentLength": 1048576' in printed and "Body" not in printed
