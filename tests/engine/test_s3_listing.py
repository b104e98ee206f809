"""`aws s3 ls`: the console's engine prints what the AWS CLI prints, page by page."""

from __future__ import annotations

from typing import Any

import pytest

from console.engine import Cancelled
from console.engine.s3 import human_size, listing_time

from .conftest import RecordingSink, fill

LINES = [
    "aws s3 ls",
    "aws s3 ls --summarize --human-readable",
    "aws s3 ls s3://{b}",
    "aws s3 ls {b}",
    "aws s3 ls s3://{b}/",
    "aws s3 ls s3://{b}/docs",
    "aws s3 ls s3://{b}/docs/",
    "aws s3 ls s3://{b}/do",
    "aws s3 ls s3://{b}/sp",
    "aws s3 ls s3://{b}/docs/x.txt",
    "aws s3 ls s3://{b} --recursive",
    "aws s3 ls s3://{b} --recursive --human-readable --summarize",
    "aws s3 ls s3://{b} --summarize",
    "aws s3 ls s3://{b}/docs/ --recursive --page-size 1 --summarize",
    "aws s3 ls s3://{b} --page-size 2",
    "aws s3 ls s3://{b} --request-payer requester",
    "aws s3 ls s3://{b} --request-payer",
    # nothing matches: exit 1 for a prefix, 0 for a bucket
    "aws s3 ls s3://{b}/nothing-here",
    "aws s3 ls s3://{b}/nothing-here --recursive --summarize",
    "aws s3 ls s3://{empty}",
    "aws s3 ls s3://{empty} --recursive --summarize",
    # errors
    "aws s3 ls s3://{b}-missing",
    "aws s3 ls s3://{b}-missing/prefix --recursive",
    "aws s3 ls s3://{b} --page-size x",
    "aws s3 ls s3://{b} --bogus",
    "aws s3 ls s3://{b} s3://{empty}",
    "aws s3 ls --request-payer payer s3://{b}",
    "aws s3 ls --recursive=yes",
    "aws s3 lss",
]


@pytest.fixture
def buckets(s3: Any, new_bucket: Any) -> dict[str, str]:
    names = {"b": new_bucket("ls"), "empty": new_bucket("ls-empty")}
    fill(s3, names["b"])
    s3.create_bucket(Bucket=names["empty"])
    return names


@pytest.mark.parametrize("line", LINES)
def test_it_prints_what_the_cli_prints(line, buckets, console, oracle):
    line = line.format(**buckets)
    ours, theirs = console(line), oracle(line)
    assert ours.stdout == theirs.stdout
    assert ours.exit_code == theirs.exit_code
    if "usage:" in theirs.stderr:  # v1's usage banner carries a note about v2: the message only
        assert ours.stderr.strip().splitlines()[-1] == theirs.stderr.strip().splitlines()[-1]
    else:
        assert ours.stderr == theirs.stderr


def test_it_writes_each_page_as_it_arrives(buckets, console):
    sink = RecordingSink()
    console(f"aws s3 ls s3://{buckets['b']} --recursive --page-size 2", sink)
    assert [len(data.splitlines()) for _, data in sink.writes] == [2, 2, 2, 1]


def test_it_stops_between_pages_on_ctrl_c(buckets, console):
    sink = RecordingSink(cancel_after=1)
    with pytest.raises(Cancelled):
        console(f"aws s3 ls s3://{buckets['b']} --recursive --page-size 2", sink)
    assert len(sink.writes) == 1


@pytest.mark.parametrize(
    "size, text",
    [
        (0, "0 Bytes"),
        (1, "1 Byte"),
        (1023, "1023 Bytes"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (1024**2 - 1, "1.0 MiB"),
        (5 * 1024**3, "5.0 GiB"),
        (3 * 1024**6, "3.0 EiB"),
        (2048 * 1024**6, "2048.0 EiB"),
    ],
)
def test_it_writes_sizes_in_base_2_units(size, text):
    assert human_size(size) == text


def test_it_writes_times_in_the_local_time_zone(monkeypatch):
    import time
    from datetime import UTC, datetime

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert listing_time(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02 08:34:05"
    finally:
        monkeypatch.undo()
        time.tzset()
