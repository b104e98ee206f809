"""Workspace files against the oracle: `file://`/`fileb://` parameters and streaming
outfiles. The oracle (`awscli`) runs in a temporary folder holding the same files that
Alice's workspace holds; the console runs through its REST API (API runs start at the top
of the workspace). Output is compared as the main table compares it (compare.py), and
after an outfile line the file the console wrote must equal the one the CLI wrote.

The cases are parametrized as `wcase`, not `case`, so the main table's prefetching (which
runs every `case` on the oracle in the repository's folder) never sees them."""

# ruff: noqa: E501 - a command line reads and greps best whole, one to a line, as typed.
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.cases import Case
from tests.compat.compare import check
from tests.compat.oracle import Oracle, write_config
from tests.compat.world import admin_session

pytestmark = [pytest.mark.compat, pytest.mark.django_db]

FILES: dict[str, bytes | None] = {
    "list-input.json": b'{"Bucket": "compat-alpha", "Prefix": "docs/"}',
    "list-logs.json": b'{"Bucket": "compat-alpha", "Prefix": "logs/", "MaxKeys": 3}',
    "crlf-input.json": b'{"Bucket": "compat-alpha",\r\n "Prefix": "data/"}\r\n',
    "username.txt": b"compat-user-01",
    "prefix.txt": b"logs/00",
    "groups.json": b'["compat-devs"]',
    "bin.dat": b"\xff\xfe\x00binary",
    "body.bin": bytes(range(256)) * 64,
    "adir": None,
    "out": None,
}

LINES = [
    # file:// in a parameter, in --cli-input-json (v1, the oracle, has no --cli-input-yaml;
    # tests/interpreter/test_paramfiles.py reads one), text with CRLF
    "aws s3api list-objects-v2 --cli-input-json file://list-input.json --query 'Contents[].Key'",
    "aws s3api list-objects-v2 --cli-input-json file://list-logs.json --no-paginate --output text",
    "aws s3api list-objects-v2 --cli-input-json file://crlf-input.json --query 'Contents[].[Key,Size]' --output table",
    "aws iam get-user --user-name file://username.txt --query User.UserName",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix file://prefix.txt --query 'Contents[].Key' --output text",
    "aws iam list-group-policies --group-name file://username.txt",
    # the CLI's errors for files it cannot read
    "aws iam get-user --user-name file://nope.txt",
    "aws iam get-user --user-name file://adir",
    "aws iam get-user --user-name file://bin.dat",
    "aws s3api list-objects-v2 --cli-input-json file://nope.json",
    "aws ec2 create-tags --resources i-1 --tags Key@=file://nope.txt,Value=x",
    # streaming bodies that name no file (a body that does: test_it_puts_a_streaming_body_as_the_cli)
    "aws s3api put-object --bucket compat-alpha --key put/nope --body nope.bin",
    "aws s3api put-object --bucket compat-alpha --key put/adir --body adir",
    # streaming outputs: the outfile, and what is printed
    "aws s3api get-object --bucket compat-alpha --key docs/résumé.txt out/resume.txt",
    "aws s3api get-object --bucket compat-alpha --key data/report.json out/report.json --query ContentLength",
    "aws s3api get-object --bucket compat-alpha --key empty.txt out/empty.txt --output text",
    "aws s3api get-object --bucket compat-alpha --key logs/007.log out/seven.log --output table",
    "aws s3api get-object --bucket compat-alpha --key data/report.json nodir/report.json",
    "aws s3api get-object --bucket compat-alpha --key no-such-key out/missing.txt",
    "aws s3api get-object --bucket compat-alpha --key data/report.json",
]
# The outfile each get-object line writes (in the oracle's folder and in the workspace).
OUTFILES = {line: word for line in LINES for word in line.split() if word.startswith("out/")}


@pytest.fixture(scope="module")
def oracle_folder(tmp_path_factory: Any) -> Path:
    folder = tmp_path_factory.mktemp("oracle-workspace")
    for name, content in FILES.items():
        if content is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(content)
    return folder


@pytest.fixture(scope="module")
def folder_oracle(sandbox: Any, world: Any, oracle_folder: Path, tmp_path_factory: Any) -> Iterator[Oracle]:
    env = write_config(tmp_path_factory.mktemp("oracle-ws-config"), sandbox.url, sandbox.seed)
    runner = Oracle(sandbox.url, env, workers=2, cwd=oracle_folder)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def alices_workspace(console: Any, django_db_blocker: Any) -> Any:
    """Alice's workspace (the `console` fixture made her) with the same files."""
    from django.contrib.auth import get_user_model

    from console.workspace.service import Workspace

    with django_db_blocker.unblock():
        ws = Workspace(get_user_model().objects.get(username="alice"))
        for name, content in FILES.items():
            if content is None:
                ws.make_dir(ws.locate(name))
            else:
                ws.write(ws.locate(name), [content])
    return ws


@pytest.mark.parametrize("wcase", [Case(line) for line in LINES], ids=lambda case: case.id)
def test_it_reads_and_writes_workspace_files_as_the_cli(
    wcase: Case,
    world: dict[str, Any],
    folder_oracle: Oracle,
    console: Any,
    alices_workspace: Any,
    oracle_folder: Path,
    django_db_blocker: Any,
) -> None:
    line = wcase.resolve(world)
    got = console.run(line)
    check(wcase, line, got, folder_oracle)
    if line in OUTFILES:
        with django_db_blocker.unblock():
            ws = alices_workspace
            where = ws.locate(OUTFILES[line])
            written = None
            if ws.exists(where) is not None:
                with ws.open(where) as file:
                    written = bytes(file.read())
        expected = oracle_folder / OUTFILES[line]
        assert written == (expected.read_bytes() if expected.exists() else None)


PUT_BODY = "aws s3api put-object --bucket {bucket} --key {key} --body body.bin --content-type application/x-demo --profile admin"


def test_it_puts_a_streaming_body_as_the_cli(
    sandbox: Any, folder_oracle: Oracle, console: Any, alices_workspace: Any
) -> None:
    """Each side puts the same file under its own key: same output, same object."""
    s3 = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    bucket = f"compat-put-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    got = console.run(PUT_BODY.format(bucket=bucket, key="console"))
    want = folder_oracle.run(PUT_BODY.format(bucket=bucket, key="oracle"))
    assert (got.exit_code, got.stderr) == (want.exit_code, want.stderr) == (0, "")
    assert json.loads(got.stdout) == json.loads(want.stdout)
    objects = {key: s3.get_object(Bucket=bucket, Key=key) for key in ("console", "oracle")}
    assert {key: o["Body"].read() for key, o in objects.items()} == {
        "console": FILES["body.bin"],
        "oracle": FILES["body.bin"],
    }
    assert objects["console"]["ContentType"] == objects["oracle"]["ContentType"] == "application/x-demo"
