"""`aws s3 cp|mv|sync` between local files and S3 against the oracle. Each scenario has
two buckets seeded alike, one for the oracle (`awscli`, run in a temporary folder) and one
for the console (its REST API, in Alice's workspace, whose top mirrors that folder), and
the same local files under a folder of its own on both sides. Each step runs on both with
`--no-progress` (and, over the API, no terminal: the CLI draws no progress there either);
then the exit code, the lines, the objects left in S3 and the files left locally must
match. The CLI runs ten transfers at once and prints them as they finish, the console one
after another: lines are compared as sorted lists."""

# ruff: noqa: E501 - a command line reads and greps best whole, one to a line, as typed.
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.compat.oracle import Oracle, Result, normalize_stderr, write_config
from tests.compat.world import admin_session

pytestmark = [pytest.mark.compat, pytest.mark.django_db]

LOCAL = {
    "a.txt": b"alpha\n",
    "b.json": b'{"b": 1}\n',
    "notes/c.txt": b"charlie",
    "notes/d.log": b"delta log",
    "notes/deep/e.txt": b"echo",
    "notes-2/f.txt": b"foxtrot",
}
OBJECTS = {
    "top.txt": b"top object",
    "docs/one.txt": b"one",
    "docs/two.log": b"two",
    "docs/sub/three.txt": b"three",
    "docs/sub/": b"",  # a "folder" marker: never copied
}


# Local files are an hour old on both sides: S3 gives LastModified in whole seconds, so a
# file written in the second of its upload would count as newer than its object, on one
# side and not the other, depending on the clock.
AN_HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[str, ...]
    local: dict[str, bytes] = field(default_factory=lambda: dict(LOCAL))
    objects: dict[str, bytes] = field(default_factory=lambda: dict(OBJECTS))

    def __str__(self) -> str:
        return self.name


# `{d}` is the scenario's local folder (the same name on both sides), `{b}` its bucket.
SCENARIOS = [
    Scenario(
        "upload-one",
        (
            "aws s3 cp {d}/a.txt s3://{b}/",
            "aws s3 cp {d}/b.json s3://{b}/renamed.json",
            "aws s3 cp {d}/notes/c.txt s3://{b}/in/",
        ),
    ),
    Scenario("upload-recursive", ("aws s3 cp {d} s3://{b}/up --recursive",)),
    Scenario(
        "upload-filters",
        ("aws s3 cp {d} s3://{b}/f/ --recursive --exclude '*' --include '*.txt' --exclude 'notes/deep/*'",),
    ),
    Scenario(
        "upload-dryrun",
        ("aws s3 cp {d} s3://{b}/dry/ --recursive --dryrun", "aws s3 cp {d}/a.txt s3://{b}/x.txt --dryrun"),
    ),
    Scenario("upload-quiet", ("aws s3 cp {d} s3://{b}/q/ --recursive --quiet",)),
    Scenario(
        "upload-missing", ("aws s3 cp {d}/nope.txt s3://{b}/", "aws s3 cp {d}/nothere s3://{b}/ --recursive")
    ),
    Scenario(
        "download-one",
        (
            "aws s3 cp s3://{b}/top.txt {d}/",
            "aws s3 cp s3://{b}/docs/one.txt {d}/got.txt",
            "aws s3 cp s3://{b}/docs/two.log {d}/new/dir/",
        ),
    ),
    Scenario(
        "download-recursive",
        (
            "aws s3 cp s3://{b}/docs {d}/docs --recursive",
            "aws s3 cp s3://{b}/ {d}/all --recursive --exclude 'docs/*'",
        ),
    ),
    Scenario("download-missing", ("aws s3 cp s3://{b}/nope.txt {d}/",)),
    Scenario(
        "move-both-ways",
        (
            "aws s3 mv {d}/a.txt s3://{b}/moved/",
            "aws s3 mv s3://{b}/docs {d}/back --recursive --exclude '*.log'",
        ),
    ),
    Scenario(
        "sync-up",
        (
            "aws s3 sync {d} s3://{b}/mirror --exclude '*.log'",
            "aws s3 sync {d} s3://{b}/mirror",
            "aws s3 sync {d} s3://{b}/mirror --size-only",
        ),
    ),
    Scenario(
        "sync-up-delete",
        (
            "aws s3 sync {d}/notes s3://{b}/docs --delete --dryrun",
            "aws s3 sync {d}/notes s3://{b}/docs --delete --exclude 'sub/*'",
        ),
    ),
    # The second line is the first again (an exclude matching nothing: each line runs once).
    Scenario(
        "sync-down",
        (
            "aws s3 sync s3://{b}/docs {d}/docs",
            "aws s3 sync s3://{b}/docs {d}/docs --exclude none",
            "aws s3 sync s3://{b}/docs {d}/docs --exact-timestamps",
        ),
    ),
    Scenario("sync-down-delete", ("aws s3 sync s3://{b}/docs {d}/notes --delete --exclude 'deep/*'",)),
]


@pytest.fixture(scope="module")
def transfer_folder(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("oracle-transfers"))


@pytest.fixture(scope="module")
def transfer_oracle(
    sandbox: Any, world: Any, transfer_folder: Path, tmp_path_factory: Any
) -> Iterator[Oracle]:
    env = write_config(tmp_path_factory.mktemp("oracle-xfer-config"), sandbox.url, sandbox.seed)
    runner = Oracle(sandbox.url, env, workers=1, cwd=transfer_folder)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def s3(sandbox: Any) -> Any:
    return admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )


@dataclass
class Side:
    bucket: str
    run: Any  # line -> Result
    files: Any  # () -> {path: bytes} under the scenario's folder


def seeded_bucket(s3: Any, objects: dict[str, bytes]) -> str:
    bucket = f"xfer-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return bucket


def objects_of(s3: Any, bucket: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def oracle_side(s3: Any, scenario: Scenario, folder: Path, oracle: Oracle) -> Side:
    root = folder / scenario.name
    for path, data in scenario.local.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        os.utime(root / path, (AN_HOUR_AGO.timestamp(), AN_HOUR_AGO.timestamp()))

    def files() -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    return Side(seeded_bucket(s3, scenario.objects), oracle.run, files)


def console_side(s3: Any, scenario: Scenario, console: Any, blocker: Any) -> Side:
    from django.contrib.auth import get_user_model

    from console.commands.workspacefiles import WorkspaceFiles
    from console.workspace.service import Workspace

    with blocker.unblock():
        ws = WorkspaceFiles(Workspace(get_user_model().objects.get(username="alice")))
        for path, data in scenario.local.items():
            ws.write(f"/{scenario.name}/{path}", [data], AN_HOUR_AGO)

    def files() -> dict[str, bytes]:
        found: dict[str, bytes] = {}

        def walk(folder: str) -> None:
            for entry in ws.listdir(folder):
                below = f"{folder}/{entry.name}"
                if entry.is_dir:
                    walk(below)
                else:
                    with ws.open(below) as file:
                        found[below[len(scenario.name) + 2 :]] = bytes(file.read())

        with blocker.unblock():
            if ws.stat(f"/{scenario.name}") is not None:
                walk(f"/{scenario.name}")
        return dict(sorted(found.items()))

    return Side(seeded_bucket(s3, scenario.objects), console.run, files)


def line_for(step: str, scenario: Scenario, side: Side) -> str:
    return step.format(d=scenario.name, b=side.bucket) + " --no-progress --profile admin"


def comparable(result: Result, bucket: str) -> tuple[int, list[str], list[str]]:
    def lines(text: str) -> list[str]:
        return sorted(normalize_stderr(text).replace(bucket, "BUCKET").splitlines())

    return result.exit_code, lines(result.stdout), lines(result.stderr)


@pytest.fixture(scope="module")
def sides(
    s3: Any, transfer_oracle: Oracle, transfer_folder: Path, console: Any, django_db_blocker: Any
) -> dict[str, tuple[Side, Side]]:
    """Every scenario's buckets and files, made before any test: Alice's files are written
    outside a test's transaction, so the worker, which counts her quota on the same row,
    never waits on a lock the test holds."""
    return {
        scenario.name: (
            oracle_side(s3, scenario, transfer_folder, transfer_oracle),
            console_side(s3, scenario, console, django_db_blocker),
        )
        for scenario in SCENARIOS
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_it_transfers_between_files_and_s3_as_the_cli(
    scenario: Scenario, s3: Any, sides: dict[str, tuple[Side, Side]]
) -> None:
    cli, ours = sides[scenario.name]
    for step in scenario.steps:
        want = comparable(cli.run(line_for(step, scenario, cli)), cli.bucket)
        got = comparable(ours.run(line_for(step, scenario, ours)), ours.bucket)
        assert got == want, step
        assert objects_of(s3, ours.bucket) == objects_of(s3, cli.bucket), step
        assert ours.files() == cli.files(), step
