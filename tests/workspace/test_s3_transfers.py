"""`aws s3 cp|mv|sync` between the workspace and the sandbox's S3, in process: the engine
with a real botocore client and a workspace on a fresh folder. The lines against the
awscli oracle are tests/compat/test_s3_transfers.py; here, what the oracle cannot show:
multipart at the profile's thresholds, Ctrl-C, the quota, progress on a terminal, streams."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.commands.workspacefiles import WorkspaceFiles
from console.engine import Cancelled
from console.engine.localfiles import Local
from console.engine.s3 import run_s3_command
from console.interpreter import parse_command
from console.workspace.files import Files
from console.workspace.service import Workspace
from tests.compat.world import admin_session

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024


class Sink:
    """Output kept; reports Ctrl-C once `cancel_after` checks have been made."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.cancel_after = cancel_after
        self.seen = threading.Event()
        self.written: list[tuple[str, str]] = []

    def write(self, stream: str, text: str) -> None:
        self.written.append((stream, text))

    def press_ctrl_c(self) -> None:
        self.cancel_after = 0
        self.seen.wait(10)

    def cancelled(self) -> bool:
        if self.cancel_after is None:
            return False
        if self.cancel_after == 0:
            self.seen.set()
        self.cancel_after -= 1
        return self.cancel_after < 0

    def text(self, stream: str) -> str:
        return "".join(text for s, text in self.written if s == stream)


@pytest.fixture
def s3(sandbox: Any) -> Any:
    client = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    client.bucket = f"ws-s3-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=client.bucket)
    return client


def s3_run(line: str, s3: Any, ws: Workspace, sink: Sink | None = None, **local: Any) -> tuple[int, Sink]:
    sink = sink or Sink()
    command = parse_command(line.replace("BUCKET", s3.bucket))
    code = run_s3_command(command, s3, sink, Local(WorkspaceFiles(ws), **local))  # type: ignore[arg-type]
    return code, sink


def put(ws: Workspace, path: str, data: bytes) -> None:
    """A file written an hour ago: S3 gives LastModified in whole seconds, so a file written
    in the second of its upload would be newer than its object (for the CLI as well)."""
    WorkspaceFiles(ws).write("/" + path, [data], datetime.now(UTC) - timedelta(hours=1))


def read(ws: Workspace, path: str) -> bytes:
    with ws.open(ws.locate(path)) as file:
        return bytes(file.read())


def keys(s3: Any) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=s3.bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=s3.bucket, Key=o["Key"])["Body"].read() for o in listed}


def test_it_uploads_and_downloads_a_file_with_the_cli_lines(s3: Any, ws: Workspace) -> None:
    put(ws, "a.txt", b"alpha")
    code, sink = s3_run("aws s3 cp a.txt s3://BUCKET/", s3, ws)
    assert (code, sink.text("stdout")) == (0, f"upload: ./a.txt to s3://{s3.bucket}/a.txt\n")
    assert keys(s3) == {"a.txt": b"alpha"}
    code, sink = s3_run("aws s3 cp s3://BUCKET/a.txt got/b.txt", s3, ws)
    assert (code, sink.text("stdout")) == (0, f"download: s3://{s3.bucket}/a.txt to got/b.txt\n")
    assert read(ws, "got/b.txt") == b"alpha"


def test_it_moves_and_syncs_with_delete(s3: Any, ws: Workspace) -> None:
    for name in ("d/1.txt", "d/2.log", "d/sub/3.txt"):
        put(ws, name, name.encode())
    code, sink = s3_run("aws s3 sync d s3://BUCKET/p --exclude '*.log'", s3, ws)
    assert code == 0, sink.written
    assert sorted(keys(s3)) == ["p/1.txt", "p/sub/3.txt"]
    code, sink = s3_run("aws s3 sync d s3://BUCKET/p", s3, ws)
    assert sink.text("stdout") == f"upload: d/2.log to s3://{s3.bucket}/p/2.log\n"
    ws.remove_file(ws.locate("d/1.txt"))
    code, sink = s3_run("aws s3 sync d s3://BUCKET/p --delete", s3, ws)
    assert sink.text("stdout") == f"delete: s3://{s3.bucket}/p/1.txt\n"
    code, sink = s3_run("aws s3 mv s3://BUCKET/p back --recursive", s3, ws)
    assert code == 0 and keys(s3) == {}
    assert read(ws, "back/sub/3.txt") == b"d/sub/3.txt"


def test_it_sets_a_download_s_time_and_skips_it_next_sync(s3: Any, ws: Workspace) -> None:
    s3.put_object(Bucket=s3.bucket, Key="k.txt", Body=b"kk")
    code, sink = s3_run("aws s3 sync s3://BUCKET local", s3, ws)
    assert sink.text("stdout") == f"download: s3://{s3.bucket}/k.txt to local/k.txt\n"
    head = s3.head_object(Bucket=s3.bucket, Key="k.txt")
    assert ws.stat(ws.locate("local/k.txt")).modified == head["LastModified"]
    code, sink = s3_run("aws s3 sync s3://BUCKET local --exact-timestamps", s3, ws)
    assert (code, sink.written) == (0, [])


def test_it_uploads_multipart_at_the_profile_threshold(s3: Any, ws: Workspace) -> None:
    data = bytes(range(256)) * (24 * 1024)  # 6 MiB
    put(ws, "big.bin", data)
    settings = {"s3": {"multipart_threshold": "5MB", "multipart_chunksize": "5MB"}}
    code, sink = s3_run("aws s3 cp big.bin s3://BUCKET/big.bin", s3, ws, s3_settings=settings)
    assert code == 0, sink.written
    head = s3.head_object(Bucket=s3.bucket, Key="big.bin")
    assert head["ETag"].endswith('-2"')  # two parts
    code, sink = s3_run("aws s3 cp s3://BUCKET/big.bin again.bin", s3, ws, s3_settings=settings)
    assert read(ws, "again.bin") == data


def press_ctrl_c_at_the_first(operation: str, s3: Any, sink: Sink) -> None:
    """Once the first `operation` request (a part) is on its way, Ctrl-C, and wait until
    the engine has seen it: the transfer is cancelled half-way (a botocore event handler
    on the client, so it holds however s3transfer reads or writes the file)."""
    pressed = threading.Event()

    def on_request(**kwargs: Any) -> None:
        if not pressed.is_set():
            pressed.set()
            sink.press_ctrl_c()

    s3.meta.events.register(f"before-call.s3.{operation}", on_request)


def test_it_aborts_a_cancelled_multipart_upload(s3: Any, ws: Workspace) -> None:
    put(ws, "big.bin", b"z" * (11 * MiB))
    settings = {
        "s3": {"multipart_threshold": "5MB", "multipart_chunksize": "5MB", "max_concurrent_requests": 1}
    }
    sink = Sink()
    press_ctrl_c_at_the_first("UploadPart", s3, sink)
    with pytest.raises(Cancelled):
        s3_run("aws s3 cp big.bin s3://BUCKET/big.bin", s3, ws, sink, s3_settings=settings)
    assert keys(s3) == {}
    assert s3.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", []) == []


def test_it_keeps_no_file_of_a_cancelled_download(s3: Any, ws: Workspace, files: Files) -> None:
    s3.put_object(Bucket=s3.bucket, Key="big.bin", Body=b"q" * (12 * MiB))
    sink = Sink()
    press_ctrl_c_at_the_first("GetObject", s3, sink)
    with pytest.raises(Cancelled):
        s3_run("aws s3 cp s3://BUCKET/big.bin out.bin", s3, ws, sink)
    assert ws.exists(ws.locate("out.bin")) is None
    stored = [p for p in Path(files.storage.location).rglob("*") if p.is_file()]
    assert stored == []


def test_it_fails_a_download_over_quota_and_keeps_nothing(s3: Any, ws: Workspace, settings: Any) -> None:
    settings.CONSOLE_WORKSPACE_QUOTA = 1000
    s3.put_object(Bucket=s3.bucket, Key="big.bin", Body=b"q" * 5000)
    code, sink = s3_run("aws s3 cp s3://BUCKET/big.bin out.bin", s3, ws)
    assert code == 1
    assert sink.text("stderr").startswith(
        f"download failed: s3://{s3.bucket}/big.bin to ./out.bin [Errno 122] Disk quota exceeded"
    )
    assert ws.exists(ws.locate("out.bin")) is None


def test_it_draws_progress_on_a_terminal_only(s3: Any, ws: Workspace) -> None:
    put(ws, "a.txt", b"a" * 3000)
    put(ws, "b.txt", b"b" * 3000)
    _, on_tty = s3_run("aws s3 cp . s3://BUCKET/ --recursive", s3, ws, tty=True)
    assert any(t.startswith("Completed ") and t.endswith("file(s) remaining\r") for _, t in on_tty.written), (
        on_tty.written
    )
    _, quiet = s3_run("aws s3 cp . s3://BUCKET/ --recursive --no-progress", s3, ws, tty=True)
    _, script = s3_run("aws s3 cp . s3://BUCKET/ --recursive", s3, ws)
    assert "Completed" not in quiet.text("stdout") + script.text("stdout")


def test_it_streams_stdin_up_and_an_object_to_stdout(s3: Any, ws: Workspace) -> None:
    code, sink = s3_run("aws s3 cp - s3://BUCKET/in.txt", s3, ws, stdin=lambda: b"from stdin\n")
    assert (code, sink.written) == (0, [])
    code, sink = s3_run("aws s3 cp s3://BUCKET/in.txt -", s3, ws)
    assert (code, sink.text("stdout")) == (0, "from stdin\n")
