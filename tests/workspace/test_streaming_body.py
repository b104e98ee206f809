"""A streaming request body (`s3api put-object --body PATH`) goes from the workspace to
S3 (botocore against the sandbox) as the open file, never read whole: Python's peak
allocation while a 20 MB body is sent stays a fraction of its size. A path that names no
readable file gets the CLI's words, and nothing outside the workspace is opened."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from console.commands.workspacefiles import WorkspaceFiles
from console.engine import Target, run_invocation
from console.interpreter import parse_command
from console.workspace.files import Files
from console.workspace.service import Workspace
from tests.compat.world import admin_session

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
SIZE = 20 * MIB


class Sink:
    def __init__(self) -> None:
        self.written: list[tuple[str, str]] = []

    def write(self, stream: str, text: str) -> None:
        self.written.append((stream, text))

    def cancelled(self) -> bool:
        return False

    def text(self, stream: str) -> str:
        return "".join(text for name, text in self.written if name == stream)


@pytest.fixture
def s3(sandbox: Any) -> Any:
    client = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    client.bucket = f"ws-body-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=client.bucket)
    return client


def pieces() -> Iterator[bytes]:
    for i in range(SIZE // MIB):
        yield bytes([i]) * MIB


def put(s3: Any, ws: Workspace, body: str) -> tuple[int, Sink]:
    files = WorkspaceFiles(ws)
    invocation = parse_command(f"aws s3api put-object --bucket {s3.bucket} --key k --body {body}", files.read)
    sink = Sink()
    return run_invocation(invocation, s3, sink, Target(), files=files), sink


def test_it_streams_a_20_mb_body_from_the_workspace(s3: Any, ws: Workspace, files: Files):
    ws.make_dir(ws.locate("data"))
    ws.write(ws.locate("data/big.bin"), pieces())
    in_data = Workspace(ws.user, cwd=("data",), files=files)  # the path is from the terminal's folder
    tracemalloc.start()
    try:
        code, sink = put(s3, in_data, "big.bin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0, sink.written
    assert (
        peak < SIZE // 2
    )  # read whole, the body alone would be 20 MB (streamed: ~6 MB of parsing and buffers)
    head = s3.head_object(Bucket=s3.bucket, Key="k")
    assert head["ContentLength"] == SIZE
    digest = hashlib.md5(b"".join(pieces())).hexdigest()  # noqa: S324 - S3's ETag of a single PUT
    assert head["ETag"] == f'"{digest}"'
    assert f'"ETag": "\\"{digest}\\""' in sink.text("stdout")


@pytest.mark.parametrize("body", ["nope.bin", "adir", "../../etc/passwd", "/etc/passwd"])
def test_it_says_what_the_cli_says_for_a_body_that_is_no_file(s3: Any, ws: Workspace, body: str):
    ws.make_dir(ws.locate("adir"))
    code, sink = put(s3, ws, body)
    assert code == 252
    assert (
        sink.text("stderr") == "\nError parsing parameter '--body': Blob values must be a path to a file.\n"
    )
    assert "Contents" not in s3.list_objects_v2(Bucket=s3.bucket)
