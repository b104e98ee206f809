"""The high-level S3 commands run against the sandbox twice: through `run_s3_command` with a
botocore client (the console's engine, no Django), and through the awscli oracle as a
subprocess, with the same temporary credentials of the sandbox's ConsoleAdmin role. Each
test gets its own buckets, filled the same way, so a mutating command can run on both
sides and the worlds it leaves behind can be compared."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from console.engine.s3 import run_s3_command
from console.interpreter import CommandError, S3Command, parse_command
from tests.compat.oracle import v2_exit_code

AWS = str(Path(sys.executable).with_name("aws"))

# The objects every test bucket starts with: nested prefixes, a "folder" marker, unicode,
# a space, sizes on both sides of the human-readable units.
OBJECTS = {
    "a.txt": b"hello",
    "docs/x.txt": b"x" * 1024,
    "docs/y/z.txt": b"z" * 1536,
    "docs/sub/": b"",
    "folder/": b"",
    "sp ace/\u00e9t\u00e9 \u6587.txt": "\u00e9".encode() * 700,
    "one.bin": b"1",
}


@dataclass
class Output:
    stdout: str
    stderr: str
    exit_code: int


@dataclass
class RecordingSink:
    writes: list[tuple[str, str]] = field(default_factory=list)
    cancel_after: int | None = None  # cancel once this many writes happened

    def write(self, stream: str, data: str) -> None:
        self.writes.append((stream, data))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.writes) >= self.cancel_after

    def text(self, stream: str) -> str:
        return "".join(data for kind, data in self.writes if kind == stream)


@dataclass(frozen=True)
class AdminKeys:
    access_key_id: str
    secret_access_key: str
    session_token: str

    def __repr__(self) -> str:
        return "AdminKeys(****)"


@pytest.fixture(scope="session")
def admin_keys(sandbox: Any) -> AdminKeys:
    sts = botocore.session.Session().create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=sandbox.url,
        aws_access_key_id=sandbox.seed.access_key_id,
        aws_secret_access_key=sandbox.seed.secret_access_key,
    )
    answer = sts.assume_role(RoleArn=sandbox.seed.admin_role_arn, RoleSessionName="engine-tests")
    keys = answer["Credentials"]
    return AdminKeys(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


def _client(sandbox: Any, keys: AdminKeys, region: str = "us-east-1") -> Any:
    return botocore.session.Session().create_client(
        "s3",
        region_name=region,
        endpoint_url=sandbox.url,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
    )


@pytest.fixture(scope="session")
def s3(sandbox: Any, admin_keys: AdminKeys) -> Any:
    return _client(sandbox, admin_keys)


def fill(s3: Any, bucket: str, objects: dict[str, bytes] = OBJECTS) -> None:
    s3.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def keys_in(s3: Any, bucket: str) -> list[str] | str:
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
    except s3.exceptions.NoSuchBucket:
        return "no such bucket"


@pytest.fixture
def new_bucket(s3: Any) -> Iterator[Callable[[str], str]]:
    """Makes unique bucket names (`<hint>-<random>`); empties and removes them afterwards."""
    made: list[str] = []

    def make(hint: str) -> str:
        name = f"{hint}-{uuid.uuid4().hex[:10]}"
        made.append(name)
        return name

    yield make
    for name in made:
        if keys_in(s3, name) == "no such bucket":
            continue
        for key in keys_in(s3, name):
            s3.delete_object(Bucket=name, Key=key)
        s3.delete_bucket(Bucket=name)


@pytest.fixture
def console(sandbox: Any, admin_keys: AdminKeys) -> Callable[..., Output]:
    """Runs a line through the interpreter and the engine, as the worker will."""

    def run(line: str, sink: RecordingSink | None = None) -> Output:
        sink = sink or RecordingSink()
        try:
            command = parse_command(line)
        except CommandError as error:
            return Output("", error.message, error.exit_code)
        assert isinstance(command, S3Command)

        client = _client(sandbox, admin_keys, command.options.region or "us-east-1")
        code = run_s3_command(command, client, sink)
        return Output(sink.text("stdout"), sink.text("stderr"), code)

    return run


@pytest.fixture
def oracle(sandbox: Any, admin_keys: AdminKeys, tmp_path: Path) -> Callable[[str], Output]:
    """The AWS CLI (awscli 1.x, exit codes translated to v2's) against the same sandbox."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_ACCESS_KEY_ID": admin_keys.access_key_id,
        "AWS_SECRET_ACCESS_KEY": admin_keys.secret_access_key,
        "AWS_SESSION_TOKEN": admin_keys.session_token,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        **({"TZ": os.environ["TZ"]} if "TZ" in os.environ else {}),
    }

    def run(line: str) -> Output:
        words = shlex.split(line)[1:]
        done = subprocess.run(  # noqa: S603 - a fixed program and the test's own words
            [AWS, *words, "--endpoint-url", sandbox.url], env=env, capture_output=True, timeout=60
        )
        stderr = done.stderr.decode()
        return Output(done.stdout.decode(), stderr, v2_exit_code(done.returncode, stderr))

    return run
