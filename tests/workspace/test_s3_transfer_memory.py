"""`aws s3 cp` of a large file streams it, both ways: Python's peak allocation while
48 MiB go to the sandbox's S3 and back (six 8 MiB parts, ten at once) stays far below the
file and below two parts (a worker's budget is 200 MB for a 1 GB file, bench/transfer.py).
The upload goes to s3transfer by name, so it reads each part as it is sent, as the CLI
does (~9 MiB peak; given the file object, s3transfer reads parts whole into memory first,
~46 MiB). The download writes each part at its offset in the new file as it arrives (a
non-seekable target makes s3transfer hold the parts that arrive early, ~17-23 MiB)."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from console.commands.workspacefiles import WorkspaceFiles
from console.engine.localfiles import Local
from console.engine.s3 import run_s3_command
from console.interpreter import parse_command
from console.workspace.service import Workspace
from tests.compat.world import admin_session
from tests.workspace.support import Recorder

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
SIZE = 48 * MiB
T = TypeVar("T")


@pytest.fixture
def s3(sandbox: Any) -> Any:
    client = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    client.bucket = f"ws-mem-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=client.bucket)
    return client


def pieces() -> Iterator[bytes]:
    for i in range(SIZE // MiB):
        yield bytes([i]) * MiB


def peak_allocation(action: Callable[[], T]) -> tuple[T, int]:
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def cp(line: str, s3: Any, ws: Workspace) -> tuple[int, Recorder]:
    sink = Recorder()
    command = parse_command(line.replace("BUCKET", s3.bucket))
    return run_s3_command(command, s3, sink, Local(WorkspaceFiles(ws))), sink  # type: ignore[arg-type]


def test_it_uploads_a_large_file_reading_parts_as_they_are_sent(s3: Any, ws: Workspace) -> None:
    ws.write(ws.locate("big.bin"), pieces())
    (code, sink), peak = peak_allocation(lambda: cp("aws s3 cp big.bin s3://BUCKET/big.bin", s3, ws))
    assert code == 0, sink.out
    assert peak < 16 * MiB, f"{peak / MiB:.1f} MiB"
    head = s3.head_object(Bucket=s3.bucket, Key="big.bin")
    assert (head["ContentLength"], head["ETag"].endswith('-6"')) == (SIZE, True)


def digest(ws: Workspace, path: str) -> str:
    md5 = hashlib.md5()  # noqa: S324 - a checksum of the content, not security
    with ws.open(ws.locate(path)) as file:
        while data := file.read(MiB):
            md5.update(data)
    return md5.hexdigest()


def test_it_downloads_a_large_file_writing_parts_where_they_go(s3: Any, ws: Workspace) -> None:
    ws.write(ws.locate("big.bin"), pieces())
    assert cp("aws s3 cp big.bin s3://BUCKET/big.bin", s3, ws)[0] == 0
    (code, sink), peak = peak_allocation(lambda: cp("aws s3 cp s3://BUCKET/big.bin back.bin", s3, ws))
    assert code == 0, sink.out
    assert peak < 16 * MiB, f"{peak / MiB:.1f} MiB"
    assert digest(ws, "back.bin") == digest(ws, "big.bin")
    assert ws.usage(ws.locate("back.bin").area).used == 2 * SIZE  # type: ignore[arg-type]
