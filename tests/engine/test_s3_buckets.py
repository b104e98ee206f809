"""`aws s3 mb`, `aws s3 rb` and `aws s3 presign` against the sandbox, beside the AWS CLI."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest

from .conftest import fill, keys_in

LINES = [
    "aws s3 mb s3://NEW",
    "aws s3 mb s3://NEW --region eu-west-1",
    "aws s3 mb s3://FULL",  # already yours: fails, exit 1
    "aws s3 mb s3://NEW --tags team web --tags env prod",
    "aws s3 mb NEW",
    "aws s3 mb s3://NEW--x-s3",
    "aws s3 rb s3://EMPTY",
    "aws s3 rb s3://FULL",  # not empty: fails, exit 1
    "aws s3 rb s3://FULL --force",
    "aws s3 rb s3://FULL/key",
    "aws s3 rb s3://NEW",  # no such bucket
    "aws s3 rb s3://NEW --force",
    "aws s3 presign s3://FULL",
    "aws s3 presign s3://FULL/a.txt --expires-in soon",
]


def _world(s3: Any, new_bucket: Any, side: str) -> dict[str, str]:
    names = {hint: new_bucket(f"{hint.lower()}-{side}") for hint in ("NEW", "FULL", "EMPTY")}
    fill(s3, names["FULL"], {"a.txt": b"a", "dir/b.txt": b"b"})
    s3.create_bucket(Bucket=names["EMPTY"])
    return names


def _run(run: Any, line: str, names: dict[str, str], s3: Any) -> tuple[Any, ...]:
    for placeholder, name in names.items():
        line = line.replace(placeholder, name)
    out = run(line)
    # `rb --force` deletes like `rm --recursive`: the CLI's lines come in completion order.
    texts = [
        "".join(sorted(out.stdout.splitlines(keepends=True), key=lambda x: (x.startswith("remove"), x))),
        out.stderr,
    ]
    for placeholder, name in names.items():
        texts = [text.replace(name, placeholder) for text in texts]
    return *texts, out.exit_code, *(keys_in(s3, name) for name in names.values())


@pytest.mark.parametrize("line", LINES)
def test_it_does_what_the_cli_does(line, s3, new_bucket, console, oracle):
    ours = _run(console, line, _world(s3, new_bucket, "c"), s3)
    theirs = _run(oracle, line, _world(s3, new_bucket, "o"), s3)
    assert ours == theirs


def test_it_makes_the_bucket_in_the_region_asked_for(s3, new_bucket, console):
    name = new_bucket("regional")
    assert console(f"aws s3 mb s3://{name} --region eu-west-1").exit_code == 0
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"


def test_it_sends_the_tags_and_the_region():
    # moto keeps no tags given at creation, so the request itself is checked.
    import botocore.session
    from botocore.stub import Stubber

    from console.engine.s3 import run_s3_command
    from console.interpreter import parse_command

    from .conftest import RecordingSink

    client = botocore.session.Session().create_client(
        "s3", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
    )
    expected = {
        "Bucket": "tagged",
        "CreateBucketConfiguration": {
            "LocationConstraint": "eu-west-1",
            "Tags": [{"Key": "team", "Value": "web"}, {"Key": "env", "Value": "prod"}],
        },
    }
    with Stubber(client) as stub:
        stub.add_response("create_bucket", {}, expected)
        sink = RecordingSink()
        command = parse_command("aws s3 mb s3://tagged --tags team web --tags env prod")
        assert run_s3_command(command, client, sink) == 0
        stub.assert_no_pending_responses()
    assert sink.text("stdout") == "make_bucket: tagged\n"


def test_it_presigns_the_url_the_cli_presigns(s3, new_bucket, console, oracle):
    # The signature and expiry depend on the second of the call; the rest must agree.
    # (moto cannot check a presigned URL made with session credentials, so the URL is
    # not fetched here.)
    name = new_bucket("presign")
    line = f"aws s3 presign s3://{name}/docs/report\\ 1.txt --expires-in 120"
    ours, theirs = console(line), oracle(line)
    assert ours.exit_code == theirs.exit_code == 0 and ours.stdout.endswith("\n")
    ours_url, theirs_url = (urllib.parse.urlsplit(out.stdout.strip()) for out in (ours, theirs))
    assert ours_url[:3] == theirs_url[:3]
    assert ours_url.path == f"/{name}/docs/report%201.txt"
    ours_query, theirs_query = (urllib.parse.parse_qs(url.query) for url in (ours_url, theirs_url))
    assert ours_query.keys() == theirs_query.keys()
    assert ours_query["AWSAccessKeyId"] == theirs_query["AWSAccessKeyId"]
    assert abs(int(ours_query["Expires"][0]) - (time.time() + 120)) < 30
