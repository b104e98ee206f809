"""`aws s3 rm` and the S3-to-S3 `aws s3 cp|mv`: which objects, where to, and the CLI's lines.

The CLI's rules, kept: a single object is named by its key (`cp` looks it up first with
HeadObject, `rm` does not); `--recursive` lists everything under `prefix/`; the
`--exclude`/`--include` patterns are fnmatch patterns rooted at the source's "directory"
and at the destination's, the last matching one wins; a destination ending in `/` takes
the source's name; objects in GLACIER/DEEP_ARCHIVE are skipped with a warning unless
`--force-glacier-transfer`. Exit 1 if anything failed, else 2 if anything was skipped with
a warning, else 0. `--quiet` prints nothing; `--only-show-errors` prints only failures,
warnings and dry-run lines.

One object at a time, in listing order (see `s3.py`). CopyObject copies up to 5 GiB; a
bigger object fails with a message (the CLI would switch to a multipart copy).
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.interpreter import S3Command
from console.interpreter.s3commands import split_s3_path

from . import Cancelled, Sink

COPY_OBJECT_LIMIT = 5 * 1024**3
_GLACIER_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
_VERBS = {"rm": "delete", "cp": "copy", "mv": "move"}


def checked_pages(pages: Iterable[Any], sink: Sink) -> Iterator[Any]:
    """The pages, stopping on Ctrl-C before each request: a generator resumes (and so
    asks for the next page) only after the caller has handled the previous one."""
    if sink.cancelled():
        raise Cancelled()
    for page in pages:
        yield page
        if sink.cancelled():
            raise Cancelled()


def paginate(
    client: Any, operation: str, sink: Sink, page_size: int | None, **parameters: Any
) -> Iterator[Any]:
    config = {"PageSize": page_size} if page_size is not None else {}
    pages = client.get_paginator(operation).paginate(**parameters, PaginationConfig=config)
    return checked_pages(pages, sink)


@dataclass(frozen=True)
class Transfer:
    name: str  # rm, cp, mv
    paths: tuple[str, ...]
    recursive: bool = False
    dryrun: bool = False
    quiet: bool = False
    only_show_errors: bool = False
    page_size: int | None = None
    request_payer: str | None = None
    filters: tuple[tuple[str, str], ...] = ()
    copy_parameters: tuple[tuple[str, str], ...] = ()
    ignore_glacier_warnings: bool = False
    force_glacier_transfer: bool = False

    @classmethod
    def of(cls, command: S3Command) -> Transfer:
        fields = cls.__dataclass_fields__
        return cls(**{name: getattr(command, name) for name in fields})

    @property
    def destination(self) -> str:
        return self.paths[-1]

    def payer(self) -> dict[str, str]:
        return {"RequestPayer": self.request_payer} if self.request_payer else {}


class _Fatal(Exception):
    pass


class _Report:
    """The CLI's result printer: lines buffered per page, stdout/stderr order kept."""

    def __init__(self, sink: Sink, transfer: Transfer) -> None:
        self.sink = sink
        self.quiet = transfer.quiet
        self.only_errors = transfer.only_show_errors
        self.failed = 0
        self.warned = 0
        self._pending: list[tuple[str, str]] = []

    def success(self, text: str) -> None:
        if not (self.quiet or self.only_errors):
            self._add("stdout", text)

    def dryrun(self, text: str) -> None:
        if not self.quiet:
            self._add("stdout", "(dryrun) " + text)

    def failure(self, text: str) -> None:
        self.failed += 1
        if not self.quiet:
            self._add("stderr", text)

    def warning(self, text: str) -> None:
        self.warned += 1
        if not self.quiet:
            self._add("stderr", text)

    def _add(self, stream: str, text: str) -> None:
        if self._pending and self._pending[-1][0] == stream:
            self._pending[-1] = (stream, self._pending[-1][1] + text + "\n")
        else:
            self._pending.append((stream, text + "\n"))

    def flush(self) -> None:
        for stream, text in self._pending:
            self.sink.write(stream, text)
        self._pending.clear()

    def exit_code(self) -> int:
        return 1 if self.failed else 2 if self.warned else 0


@dataclass(frozen=True)
class _Object:
    bucket: str
    key: str
    size: int | None
    details: dict[str, Any]  # StorageClass, Restore, when known

    @property
    def path(self) -> str:
        return f"{self.bucket}/{self.key}"


def run_transfer(transfer: Transfer, client: Any, sink: Sink) -> int:
    report = _Report(sink, transfer)
    included = _Filter(transfer)
    try:
        for page in _sources(transfer, client, sink):
            for item in page:
                if included(item.path):
                    _act(transfer, client, item, report)
            report.flush()
    except _Fatal as exc:
        report.failure(f"fatal error: {exc}")
    except (ClientError, BotoCoreError) as exc:
        report.failure(f"fatal error: {exc}")
    finally:
        report.flush()
    return report.exit_code()


def _sources(transfer: Transfer, client: Any, sink: Sink) -> Iterator[list[_Object]]:
    bucket, key = split_s3_path(transfer.paths[0])
    if transfer.recursive:
        yield from _listed(transfer, client, sink, bucket, key if not key or key.endswith("/") else key + "/")
    elif key:
        yield [_single(transfer, client, bucket, key)]
    elif transfer.name == "rm":
        # The CLI's quirk, kept: `aws s3 rm s3://bucket` deletes the bucket's "folder"
        # markers (empty keys ending in `/`), at any depth, and nothing else.
        for page in _listed(transfer, client, sink, bucket, ""):
            yield [item for item in page if _is_folder_marker(item.details)]
    else:
        # The CLI lists the whole bucket and copies nothing; one request gives the same
        # output and the same errors (NoSuchBucket, AccessDenied).
        client.list_objects_v2(Bucket=bucket, MaxKeys=1, **transfer.payer())


def _listed(transfer: Transfer, client: Any, sink: Sink, bucket: str, prefix: str) -> Iterator[list[_Object]]:
    parameters = {"Bucket": bucket, "Prefix": prefix, **transfer.payer()}
    for page in paginate(client, "list_objects_v2", sink, transfer.page_size, **parameters):
        yield [
            _Object(bucket, item["Key"], int(item["Size"]), item)
            for item in page.get("Contents", [])
            # "Folder" markers: deleted by rm, never copied.
            if transfer.name == "rm" or not _is_folder_marker(item)
        ]


def _is_folder_marker(item: dict[str, Any]) -> bool:
    return item.get("Size") == 0 and str(item.get("Key", "")).endswith("/")


def _single(transfer: Transfer, client: Any, bucket: str, key: str) -> _Object:
    if transfer.name == "rm":  # a delete needs nothing from HeadObject
        return _Object(bucket, key, None, {})
    try:
        head = client.head_object(Bucket=bucket, Key=key, **transfer.payer())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "404":
            raise
        raise _Fatal(
            f'An error occurred (404) when calling the HeadObject operation: Key "{key}" does not exist'
        ) from None
    return _Object(bucket, key, int(head["ContentLength"]), head)


def _destination(transfer: Transfer, item: _Object) -> tuple[str, str]:
    bucket, key = split_s3_path(transfer.destination)
    if transfer.recursive:
        _, source_key = split_s3_path(transfer.paths[0])
        source_prefix = source_key if not source_key or source_key.endswith("/") else source_key + "/"
        directory = key if not key or key.endswith("/") else key + "/"
        return bucket, directory + item.key[len(source_prefix) :]
    if not key or key.endswith("/"):
        return bucket, key + item.key.split("/")[-1]
    return bucket, key


def _act(transfer: Transfer, client: Any, item: _Object, report: _Report) -> None:
    verb = _VERBS[transfer.name]
    if transfer.name == "rm":
        where = f"s3://{item.path}"
        target = None
    else:
        target = _destination(transfer, item)
        where = f"s3://{item.path} to s3://{target[0]}/{target[1]}"
        if _skip_glacier(transfer, item, verb, report):
            return
    if transfer.dryrun:
        report.dryrun(f"{verb}: {where}")
        return
    try:
        if target is not None:
            _copy(transfer, client, item, target)
        if transfer.name in ("rm", "mv"):
            client.delete_object(Bucket=item.bucket, Key=item.key, **transfer.payer())
    except (ClientError, BotoCoreError, _Fatal) as exc:
        report.failure(f"{verb} failed: {where} {exc}")
        return
    report.success(f"{verb}: {where}")


def _copy(transfer: Transfer, client: Any, item: _Object, target: tuple[str, str]) -> None:
    if item.size is not None and item.size > COPY_OBJECT_LIMIT:
        raise _Fatal("objects larger than 5 GiB cannot be copied by this console yet")
    client.copy_object(
        CopySource={"Bucket": item.bucket, "Key": item.key},
        Bucket=target[0],
        Key=target[1],
        **dict(transfer.copy_parameters),
    )


def _skip_glacier(transfer: Transfer, item: _Object, verb: str, report: _Report) -> bool:
    archived = item.details.get("StorageClass") in _GLACIER_CLASSES
    restored = 'ongoing-request="false"' in item.details.get("Restore", "")
    if not archived or restored or transfer.force_glacier_transfer:
        return False
    if not transfer.ignore_glacier_warnings:
        report.warning(
            f"warning: Skipping file s3://{item.path}. Object is of storage class GLACIER. Unable to "
            f"perform {verb} operations on GLACIER objects. You must restore the object to be able to "
            f"perform the operation. See aws s3 {verb} help for additional parameter options to "
            "ignore or force these transfers."
        )
    return True


class _Filter:
    """`--exclude`/`--include`: each pattern is joined to the source root and to the
    destination root, and both are tried against the source `bucket/key`."""

    def __init__(self, transfer: Transfer) -> None:
        source = _root(transfer.paths[0], transfer.recursive)
        destination = _root(transfer.destination, transfer.recursive)
        self.rules = [
            (kind == "include", posixpath.join(source, pattern), posixpath.join(destination, pattern))
            for kind, pattern in transfer.filters
        ]

    def __call__(self, path: str) -> bool:
        return kept_by_filters(self.rules, path)


def kept_by_filters(rules: list[tuple[bool, str, str]], path: str) -> bool:
    """The CLI's filter rule: the last pattern that matches decides, none keeps the path."""
    keep = True
    for include, source_pattern, destination_pattern in rules:
        if fnmatch.fnmatchcase(path, source_pattern) or fnmatch.fnmatchcase(path, destination_pattern):
            keep = include
    return keep


def _root(path: str, recursive: bool) -> str:
    bucket, key = split_s3_path(path)
    if not recursive and not key.endswith("/"):
        key = "/".join(key.split("/")[:-1])
    return f"{bucket}/{key}"
