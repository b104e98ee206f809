"""Runs a parsed high-level S3 command (`aws s3 ls|mb|rb|rm|cp|mv|sync|presign`) with botocore.

Same contract as `run_invocation`: a client factory (the broker), a sink, the exit code.
The output is the AWS CLI's, line for line (awscli 1.46.3's `customizations/s3/`, which
v2 shares for these commands), with two deliberate differences: objects are copied and
deleted one after another, in listing order, so the lines come in a stable order (the
CLI runs ten transfers at once and prints them as they finish), and S3-to-S3 copies draw
no "Completed ... (N KiB/s)" progress line (as with `--no-progress`). Transfers with the
workspace, and `sync`, are s3local.py's; they draw the progress line on a terminal.

Listings are written page by page, and Ctrl-C is honoured between any two requests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
)

from console.errors import ConsoleError, ExitCode
from console.interpreter import S3Command
from console.interpreter.s3commands import split_s3_path
from console.output.controls import VisibleWriter

from . import CALL_FAILURES, Sink, report_failure
from .localfiles import Local
from .s3local import run_local_transfer
from .s3objects import Transfer, paginate, run_transfer

_SIZE_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


class GeneralFailure(ConsoleError):
    """An error the CLI reports through its general handler (exit 255, after a blank line)."""

    exit_code = ExitCode.OTHER
    leading_newline = True


def run_s3_command(command: S3Command, client: Any, sink: Sink, local: Local | None = None) -> int:
    """Run one `aws s3` command with an S3 client; returns the exit code. The output does
    not depend on the terminal's width or the profile's output format. `local` is the
    workspace side of a transfer (cp, mv, sync), as the commands layer hands it down."""
    if command.name == "sync" or (command.name in ("cp", "mv") and command.paths_type != "s3s3"):
        return run_local_transfer(command, client, sink, local or Local(None))
    sink = VisibleWriter(sink)  # keys and messages are AWS data, shown, never obeyed
    try:
        return _RUNNERS[command.name](command, client, sink)
    except CALL_FAILURES as exc:
        return report_failure(sink, exc)


# ls ---------------------------------------------------------------------------------


def listing_time(value: datetime) -> str:
    """`2024-05-01 13:45:09`, in the server process's local time zone, as the CLI prints."""
    local = value.astimezone()
    return (
        f"{local.year}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    ).ljust(19)


def human_size(size: float) -> str:
    """`1 Byte`, `10 Bytes`, `1.0 KiB`, `3.5 MiB`: base-2 units, one decimal."""
    if size == 1:
        return "1 Byte"
    if size < 1024:
        return f"{int(size)} Bytes"
    for exponent, unit in enumerate(_SIZE_UNITS, start=1):
        scaled = size / 1024**exponent
        if round(scaled) < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{scaled:.1f} {unit}"
    raise AssertionError("unreachable")


class _Listing:
    def __init__(self, human_readable: bool) -> None:
        self.human_readable = human_readable
        self.total_objects = 0
        self.total_size = 0
        self.empty_page_seen = False
        self.at_first_page = True

    def size(self, size: int) -> str:
        return human_size(size) if self.human_readable else str(size)

    def page(self, page: dict[str, Any], basename: bool) -> str:
        prefixes, contents = page.get("CommonPrefixes", []), page.get("Contents", [])
        if not prefixes and not contents:
            self.empty_page_seen = True
            return ""
        lines = ["PRE".rjust(30) + " " + item["Prefix"].split("/")[-2] + "/\n" for item in prefixes]
        for item in contents:
            self.total_objects += 1
            self.total_size += int(item["Size"])
            name = item["Key"].split("/")[-1] if basename else item["Key"]
            lines.append(f"{listing_time(item['LastModified'])} {self.size(item['Size']).rjust(10)} {name}\n")
        self.at_first_page = False
        return "".join(lines)

    def summary(self) -> str:
        objects = "Total Objects: ".rjust(15) + str(self.total_objects)
        return f"\n{objects}\n{'Total Size: '.rjust(15)}{self.size(self.total_size)}\n"


def _ls(command: S3Command, client: Any, sink: Sink) -> int:
    bucket, key = split_s3_path(command.paths[0])
    if not bucket:
        _list_buckets(command, client, sink)
        return ExitCode.OK
    listing = _Listing(command.human_readable)
    parameters: dict[str, Any] = {"Bucket": bucket, "Prefix": key}
    if not command.recursive:
        parameters["Delimiter"] = "/"
    if command.request_payer is not None:
        parameters["RequestPayer"] = command.request_payer
    for page in paginate(client, "list_objects_v2", sink, command.page_size, **parameters):
        text = listing.page(page, basename=not command.recursive)
        if text:
            sink.write("stdout", text)
    if command.summarize:
        sink.write("stdout", listing.summary())
    # As the CLI: a prefix that matches nothing exits 1; a bucket, even empty, exits 0.
    return 1 if key and listing.empty_page_seen and listing.at_first_page else ExitCode.OK


def _list_buckets(command: S3Command, client: Any, sink: Sink) -> None:
    parameters = {}
    if command.bucket_name_prefix:
        parameters["Prefix"] = command.bucket_name_prefix
    if command.bucket_region:
        parameters["BucketRegion"] = command.bucket_region
    for page in paginate(client, "list_buckets", sink, command.page_size, **parameters):
        lines = [f"{listing_time(b['CreationDate'])} {b['Name']}\n" for b in page.get("Buckets", [])]
        if lines:
            sink.write("stdout", "".join(lines))
    if command.summarize:  # the CLI prints an (empty) summary after buckets too
        sink.write("stdout", _Listing(command.human_readable).summary())


# mb, rb, presign ------------------------------------------------------------------------


def _mb(command: S3Command, client: Any, sink: Sink) -> int:
    path = command.paths[0]
    bucket, _ = split_s3_path(path)
    parameters: dict[str, Any] = {"Bucket": bucket}
    if bucket.endswith("-an"):  # an account-regional namespace bucket, as the CLI decides
        parameters["BucketNamespace"] = "account-regional"
    configuration: dict[str, Any] = {}
    # us-east-1 refuses a LocationConstraint naming itself.
    if client.meta.region_name != "us-east-1":
        configuration["LocationConstraint"] = client.meta.region_name
    if command.tags:
        configuration["Tags"] = [{"Key": key, "Value": value} for key, value in command.tags]
    if configuration:
        parameters["CreateBucketConfiguration"] = configuration
    try:
        client.create_bucket(**parameters)
    except (ClientError, BotoCoreError) as exc:
        sink.write("stderr", f"make_bucket failed: {path} {exc}\n")
        return 1
    sink.write("stdout", f"make_bucket: {bucket}\n")
    return ExitCode.OK


def _rb(command: S3Command, client: Any, sink: Sink) -> int:
    path = command.paths[0]
    bucket, _ = split_s3_path(path)
    if command.force:
        emptied = Transfer("rm", (path.rstrip("/") + "/",), recursive=True)
        if run_transfer(emptied, client, sink) != 0:
            raise GeneralFailure(
                "remove_bucket failed: Unable to delete all objects in the bucket, "
                "bucket will not be deleted."
            )
    try:
        client.delete_bucket(Bucket=bucket)
    except (ClientError, BotoCoreError) as exc:
        sink.write("stderr", f"remove_bucket failed: {path} {exc}\n")
        return 1
    sink.write("stdout", f"remove_bucket: {bucket}\n")
    return ExitCode.OK


def _presign(command: S3Command, client: Any, sink: Sink) -> int:
    bucket, key = split_s3_path(command.paths[0])
    url = client.generate_presigned_url(
        "get_object", {"Bucket": bucket, "Key": key}, ExpiresIn=command.expires_in
    )
    sink.write("stdout", url + "\n")
    return ExitCode.OK


def _transfer(command: S3Command, client: Any, sink: Sink) -> int:
    return run_transfer(Transfer.of(command), client, sink)


_RUNNERS: dict[str, Callable[[S3Command, Any, Sink], int]] = {
    "ls": _ls,
    "mb": _mb,
    "rb": _rb,
    "presign": _presign,
    "rm": _transfer,
    "cp": _transfer,
    "mv": _transfer,
}
