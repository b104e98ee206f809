"""`aws s3 rm` and S3-to-S3 `aws s3 cp|mv`: the same lines as the AWS CLI, and the same
objects left behind. Each line runs on twin worlds (one for the console, one for the
oracle). The CLI runs transfers concurrently and draws "Completed ... (N KiB/s)" progress;
the console runs them in listing order and draws none (docs/cli.md), so the oracle's
lines are compared without progress and in any order."""

from __future__ import annotations

import re
from typing import Any

import pytest

from console.engine import Cancelled

from .conftest import OBJECTS, RecordingSink, fill, keys_in

PROGRESS = re.compile(r"Completed [^\r\n]*\r")

LINES = [
    # rm
    "aws s3 rm s3://SRC/a.txt",
    "aws s3 rm s3://SRC/missing.txt",
    "aws s3 rm s3://SRC/docs --recursive",
    "aws s3 rm s3://SRC --recursive --exclude docs/*",
    "aws s3 rm s3://SRC/ --recursive --exclude * --include *.txt",
    "aws s3 rm s3://SRC/docs/ --recursive --dryrun",
    "aws s3 rm s3://SRC/a.txt --exclude a.*",
    "aws s3 rm s3://SRC",  # the CLI's quirk: deletes the "folder" markers
    "aws s3 rm s3://SRC --recursive --quiet",
    "aws s3 rm s3://SRC --recursive --only-show-errors",
    "aws s3 rm s3://SRC-missing/a.txt",
    "aws s3 rm s3://SRC-missing --recursive",
    "aws s3 rm s3://SRC-missing/a.txt --quiet",
    # cp
    "aws s3 cp s3://SRC/a.txt s3://DST/new.txt",
    "aws s3 cp s3://SRC/a.txt s3://DST/dir/",
    "aws s3 cp s3://SRC/a.txt s3://DST",
    "aws s3 cp s3://SRC/docs s3://DST/copy --recursive",
    "aws s3 cp s3://SRC s3://DST --recursive --exclude * --include *.txt",
    "aws s3 cp s3://SRC/docs/ s3://DST/ --recursive --exclude y/*",
    "aws s3 cp s3://SRC/docs/ s3://DST/ --recursive --dryrun",
    "aws s3 cp s3://SRC/a.txt s3://DST/a.txt --acl private --content-type text/x "
    "--metadata-directive REPLACE",
    "aws s3 cp s3://SRC/missing.txt s3://DST/x",
    "aws s3 cp s3://SRC/a.txt s3://DST-missing/x",
    "aws s3 cp s3://SRC s3://DST/",
    "aws s3 cp s3://SRC-missing/ s3://DST/ --recursive",
    # mv
    "aws s3 mv s3://SRC/a.txt s3://DST",
    "aws s3 mv s3://SRC/docs/ s3://DST/moved/ --recursive",
    "aws s3 mv s3://SRC/a.txt s3://SRC/b.txt",
    "aws s3 mv s3://SRC/a.txt s3://SRC/",
    "aws s3 mv s3://SRC/a.txt s3://DST-missing/ --only-show-errors",
]


def _without_progress(text: str) -> list[str]:
    return sorted(line.rstrip(" ") for line in PROGRESS.sub("", text).splitlines())


def _world(s3: Any, new_bucket: Any, side: str) -> dict[str, str]:
    names = {"SRC": new_bucket(f"src-{side}"), "DST": new_bucket(f"dst-{side}")}
    fill(s3, names["SRC"])
    fill(s3, names["DST"], {"kept.txt": b"kept"})
    return names


def _run(run: Any, line: str, names: dict[str, str], s3: Any) -> tuple[Any, ...]:
    concrete = line.replace("SRC", names["SRC"]).replace("DST", names["DST"])
    out = run(concrete)

    def generic(text: str) -> str:
        return text.replace(names["SRC"], "SRC").replace(names["DST"], "DST")

    left = keys_in(s3, names["SRC"]), keys_in(s3, names["DST"])
    return generic(out.stdout), generic(out.stderr), out.exit_code, *left


@pytest.mark.parametrize("line", LINES)
def test_it_does_what_the_cli_does(line, s3, new_bucket, console, oracle):
    ours = _run(console, line, _world(s3, new_bucket, "c"), s3)
    theirs = _run(oracle, line, _world(s3, new_bucket, "o"), s3)
    assert ours[0] == "".join(line + "\n" for line in sorted(ours[0].splitlines()))  # listing order
    assert _without_progress(ours[0]) == _without_progress(theirs[0])
    assert ours[1:] == theirs[1:]


def test_it_copies_the_object_itself(s3, new_bucket, console):
    names = _world(s3, new_bucket, "body")
    console(f"aws s3 cp s3://{names['SRC']}/docs/y/z.txt s3://{names['DST']}/z --content-type text/x")
    copied = s3.get_object(Bucket=names["DST"], Key="z")
    assert copied["Body"].read() == OBJECTS["docs/y/z.txt"]


def test_it_stops_between_objects_on_ctrl_c(s3, new_bucket, console):
    names = _world(s3, new_bucket, "cancel")
    sink = RecordingSink(cancel_after=1)
    with pytest.raises(Cancelled):
        console(f"aws s3 rm s3://{names['SRC']} --recursive --page-size 2", sink)
    assert sink.text("stdout").count("delete:") == 2
    assert len(keys_in(s3, names["SRC"])) == len(OBJECTS) - 2
