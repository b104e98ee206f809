"""The workspace on S3 through django-storages, as production runs it: the `workspace`
storage alias pointed at a bucket of the sandbox (real moto over HTTP, IAM enforced),
through the same settings shape as CONSOLE_WORKSPACE_STORAGE=s3."""

from __future__ import annotations

import tracemalloc
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from django.test import override_settings

from console.commands.workspacefiles import WorkspaceFiles
from console.engine.localfiles import Local
from console.engine.s3 import run_s3_command
from console.interpreter import parse_command
from console.workspace.errors import QuotaExceeded
from console.workspace.files import Files, chunks_of
from console.workspace.quota import Area, usage
from console.workspace.service import Workspace
from tests.compat.world import admin_session

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3(sandbox: Any) -> Any:
    return admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"ws-store-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_workspace(sandbox: Any, bucket: str, alice: Any, settings: Any) -> Iterator[Workspace]:
    credentials = admin_session(sandbox.url, sandbox.seed).get_credentials()
    backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": "workspace",
            "region_name": "us-east-1",
            "endpoint_url": sandbox.url,
            "access_key": credentials.access_key,
            "secret_key": credentials.secret_key,
            "security_token": credentials.token,
            "file_overwrite": True,
            "default_acl": None,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            "transfer_config": TransferConfig(use_threads=False),
            "max_memory_size": 8 * 1024 * 1024,
        },
    }
    with override_settings(STORAGES={**settings.STORAGES, "workspace": backend}):
        yield Workspace(alice)  # Files() takes storages["workspace"]


def _keys(s3: Any, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", ()))


class Boom(Exception):
    pass


def test_it_keeps_files_and_folders_as_objects(s3_workspace: Workspace, s3: Any, bucket: str):
    ws = s3_workspace
    assert not ws.files.local
    ws.make_dir(ws.locate("notes"))
    ws.write(ws.locate("notes/a.txt"), [b"hello ", b"world"])
    ws.make_dir(ws.locate("notes/empty"))
    home = f"workspace/users/{ws.user.pk}"
    assert _keys(s3, bucket) == [
        f"{home}/notes/.~ws-folder",
        f"{home}/notes/a.txt",
        f"{home}/notes/empty/.~ws-folder",
    ]
    listing = ws.listdir(ws.locate("notes"))
    assert [(e.name, e.is_dir, e.size) for e in listing] == [("a.txt", False, 11), ("empty", True, 0)]
    assert listing[0].modified is not None
    with ws.open(ws.locate("notes/a.txt")) as file:
        assert file.read() == b"hello world"
    head = s3.head_object(Bucket=bucket, Key=f"{home}/notes/a.txt")
    assert head["ServerSideEncryption"] == "AES256"


def test_it_moves_and_removes_trees_on_s3(s3_workspace: Workspace, s3: Any, bucket: str):
    ws = s3_workspace
    ws.make_dir(ws.locate("d"))
    ws.write(ws.locate("d/x"), [b"1"])
    ws.move(ws.locate("d"), ws.locate("e"))
    assert [e.name for e in ws.listdir(ws.locate("."))] == ["e"]
    ws.remove_tree(ws.locate("e"))
    assert _keys(s3, bucket) == []
    assert usage(Area("user", str(ws.user.pk)), ws.files).used == 0


def test_it_leaves_no_object_when_a_write_fails(s3_workspace: Workspace, s3: Any, bucket: str):
    ws = s3_workspace

    def failing(total: int):
        sent = 0
        while sent < total:
            yield b"z" * 1024 * 1024
            sent += 1024 * 1024
        raise Boom()

    for total in (100_000, 9 * 1024 * 1024):  # one PutObject; a multipart upload (8 MiB parts)
        with pytest.raises(Boom):
            ws.write(ws.locate("broken.bin"), failing(total))
    assert _keys(s3, bucket) == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


@override_settings(CONSOLE_WORKSPACE_QUOTA=50)
def test_it_refuses_a_write_over_quota_on_s3(s3_workspace: Workspace, s3: Any, bucket: str):
    ws = s3_workspace
    with pytest.raises(QuotaExceeded):
        ws.write(ws.locate("big"), [b"x" * 40, b"x" * 40])
    assert _keys(s3, bucket) == []


def test_it_takes_the_storage_the_settings_name(s3_workspace: Workspace):
    assert type(Files().storage).__name__ == "S3Storage"


def test_it_refuses_a_storage_that_uploads_on_other_threads(sandbox: Any, bucket: str):
    from django.core.exceptions import ImproperlyConfigured
    from storages.backends.s3 import S3Storage

    with pytest.raises(ImproperlyConfigured):
        Files(S3Storage(bucket_name=bucket, endpoint_url=sandbox.url, transfer_config=TransferConfig()))


def test_it_refuses_a_storage_that_reads_whole_files_into_memory(sandbox: Any, bucket: str):
    from django.core.exceptions import ImproperlyConfigured
    from storages.backends.s3 import S3Storage

    single_threaded = TransferConfig(use_threads=False)
    storage = S3Storage(bucket_name=bucket, endpoint_url=sandbox.url, transfer_config=single_threaded)
    with pytest.raises(ImproperlyConfigured, match="max_memory_size"):
        Files(storage)


def test_it_reads_a_large_file_on_s3_without_holding_it(s3_workspace: Workspace):
    size = 24 * 1024 * 1024
    s3_workspace.write(s3_workspace.locate("big.bin"), (bytes([i]) * 1024 * 1024 for i in range(24)))
    tracemalloc.start()
    try:
        with s3_workspace.open(s3_workspace.locate("big.bin")) as file:
            read = sum(len(chunk) for chunk in chunks_of(file))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == size
    assert peak < size // 2, f"{peak / 2**20:.1f} MiB"  # held whole (max_memory_size 0): ~27 MiB


class Quiet:
    def write(self, stream: str, text: str) -> None:
        self.last = (stream, text)

    def cancelled(self) -> bool:
        return False


def test_it_copies_a_multipart_file_to_s3_and_back_from_the_s3_storage(
    s3_workspace: Workspace, s3: Any, bucket: str
):
    """The S3 storage has no file to write in place: a download goes through the pipe, an
    upload from the file the storage spooled (both multipart here, 8 MiB parts)."""
    ws = s3_workspace
    data = b"".join(bytes([i]) * 1024 * 1024 for i in range(20))
    ws.write(ws.locate("big.bin"), [data])
    local = Local(WorkspaceFiles(ws))
    for line in (f"aws s3 cp big.bin s3://{bucket}/copy.bin", f"aws s3 cp s3://{bucket}/copy.bin back.bin"):
        assert run_s3_command(parse_command(line), s3, Quiet(), local) == 0  # type: ignore[arg-type]
    assert s3.head_object(Bucket=bucket, Key="copy.bin")["ETag"].endswith('-3"')
    with ws.open(ws.locate("back.bin")) as file:
        assert file.read() == data
