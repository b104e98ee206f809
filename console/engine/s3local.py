"""`aws s3 cp|mv|sync` between the user's workspace and S3, and `sync` between S3 locations.

The CLI's pipeline, kept: each path is formatted as its FileFormat does (a local path made
absolute, a folder or a name ending in `/` takes the source's names), the source is
listed (a local folder depth-first with names sorted as S3 sorts keys, so both sides come
in one order), `--exclude/--include` are fnmatch patterns joined to both roots with the
last match winning, `sync` compares each source file with the destination's by size and
time (syncstrategy/: an upload when the local file is newer, a download when the times
differ; `--exact-timestamps`, `--size-only`, `--delete`), and the lines are the
ResultPrinter's (`upload: ./a to s3://b/a`, local paths relative to the current folder).

The workspace is reached only through `LocalFiles`, which the commands layer implements
on console.workspace: paths there are the workspace's own, absolute from its top (`/` is
`~`), so the CLI's os.path arithmetic is posixpath arithmetic here and nothing names a
file of the server. Everything is listed before the first transfer (the progress totals
are final from the start); files are transferred one after another in listing order
(stable output), each with concurrent parts (s3transfer.py).
"""

from __future__ import annotations

import io
import mimetypes
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.errors import ConsoleError, ExitCode
from console.interpreter import S3Command
from console.interpreter.s3commands import split_s3_path
from console.output.controls import VisibleWriter

from . import CALL_FAILURES, Cancelled, Sink, report_failure
from .localfiles import Local, LocalFiles
from .s3objects import kept_by_filters, paginate
from .s3printer import TransferPrinter
from .s3transfers import Transfers, transfer_config

_GLACIER_CLASSES = ("GLACIER", "DEEP_ARCHIVE")


@dataclass(frozen=True)
class _File:
    src: str  # `bucket/key` or an absolute workspace path
    dest: str
    compare_key: str
    size: int | None
    modified: datetime | None
    details: dict[str, Any] = field(default_factory=dict)


class _Fatal(Exception):
    pass


@dataclass
class _Job:
    command: S3Command
    client: Any
    local: Local
    printer: TransferPrinter
    transfers: Transfers

    @property
    def files(self) -> LocalFiles:
        assert self.local.files is not None
        return self.local.files

    @property
    def kind(self) -> str:
        return self.command.paths_type

    def shown(self, path: str, is_s3: bool) -> str:
        """A path in a line: `s3://b/k`, or local relative to the current folder (`./a`)."""
        if is_s3:
            return "s3://" + path
        directory, name = posixpath.split(path)
        return posixpath.join(posixpath.relpath(directory or "/", self.files.cwd), name)


def run_local_transfer(command: S3Command, client: Any, raw: Sink, local: Local) -> int:
    """`aws s3 cp|mv|sync` with a workspace side (or sync between S3 locations). Lines
    carry AWS data and file names, so they show control characters; the progress line
    (numbers and its `\r`) goes to `raw`."""
    sink = VisibleWriter(raw)
    try:
        return _run_local_transfer(command, client, sink, raw, local)
    except CALL_FAILURES as exc:
        return report_failure(sink, exc)


def _run_local_transfer(command: S3Command, client: Any, sink: Sink, raw: Sink, local: Local) -> int:
    if command.paths_type != "s3s3" and local.files is None and not command.is_stream:
        sink.write("stderr", "\nThis command has no workspace to read or write files in.\n")
        return 255
    progress = local.tty and not command.no_progress and not command.is_stream
    printer = TransferPrinter(
        sink, raw, command.quiet, command.only_show_errors or command.is_stream, progress
    )
    try:
        config = transfer_config(
            local.s3_settings.get("s3") if isinstance(local.s3_settings.get("s3"), dict) else None
        )
    except ValueError as exc:
        sink.write("stderr", f"\n{exc}\n")
        return 255
    transfers = Transfers(client, config, sink, printer)
    job = _Job(command, client, local, printer, transfers)
    try:
        if command.is_stream:
            _stream(job, sink)
        else:
            _run(job)
    except Cancelled:
        raise
    except _Fatal as exc:
        printer.fatal(exc)
    except (ClientError, BotoCoreError, OSError) as exc:
        printer.fatal(exc)
    finally:
        printer.finish()
        transfers.close()
    return printer.exit_code()


def _run(job: _Job) -> None:
    command = job.command
    source, destination = command.paths[0], command.paths[1]
    if job.kind == "locals3":
        path = job.files.resolve(source)
        if job.files.stat(path) is None:  # the CLI's RuntimeError, through its general handler
            raise ConsoleError(
                f"The user-provided path {source} does not exist.", ExitCode.OTHER, leading_newline=True
            )
    elif job.kind == "s3local" and command.recursive:
        target = job.files.resolve(destination)
        if job.files.stat(target) is None and not command.dryrun:
            job.files.make_dirs(target)
    src_root, _ = _format(job, source, command.recursive)
    dest_root, use_src_name = _format(job, destination, command.recursive)
    included = _Filter(job, source, destination)
    planned = [
        item
        for item in _listed(job, source, src_root, dest_root, use_src_name)
        if included(item.src, _is_s3(source))
    ]
    if command.name == "sync":
        actions = _sync_actions(job, planned, destination, dest_root, included)
    else:
        actions = [(command.name, item) for item in planned]
    job.printer.expected_files = len(actions)
    job.printer.expected_bytes = sum(item.size or 0 for name, item in actions if name != "delete")
    for name, item in actions:
        _act(job, name, item)


# -- paths --------------------------------------------------------------------------------


def _is_s3(path: str) -> bool:
    return path.startswith("s3://")


def _format(job: _Job, typed: str, dir_op: bool) -> tuple[str, bool]:
    """FileFormat: the path as the generator uses it, and whether names come from the source."""
    if _is_s3(typed):
        path = typed[len("s3://") :]
        if dir_op and not path.endswith("/"):
            return path + "/", True
        return path, dir_op or path.endswith("/")
    full = job.files.resolve(typed)
    entry = job.files.stat(full)
    if (entry is not None and entry.is_dir) or dir_op or typed.endswith("/"):
        return full.rstrip("/") + "/", True
    return full, False


def _destination(
    src_path: str, src_root: str, dest_root: str, use_src_name: bool, dir_op: bool
) -> tuple[str, str]:
    """find_dest_path_comp_key: the destination of one source file, and its compare key."""
    relative = src_path[len(src_root) :] if dir_op else src_path.split("/")[-1]
    return (dest_root + relative if use_src_name else dest_root), relative


def _listed(job: _Job, typed: str, src_root: str, dest_root: str, use_src_name: bool) -> Iterator[_File]:
    dir_op = job.command.recursive
    found = _s3_files(job, typed, src_root) if _is_s3(typed) else _local_files(job, src_root, dir_op)
    for path, size, modified, details in found:
        dest, key = _destination(path, src_root, dest_root, use_src_name, dir_op)
        yield _File(path, dest, key, size, modified, details)


Found = Iterator[tuple[str, int | None, datetime | None, dict[str, Any]]]


def _local_files(job: _Job, root: str, dir_op: bool) -> Found:
    if not dir_op:
        entry = job.files.stat(root)
        if entry is None:
            job.printer.warning(f"warning: Skipping file {root}. File does not exist.")
            return
        yield root, entry.size, entry.modified, {}
        return
    yield from _walk(job.files, root.rstrip("/") or "/")


def _walk(files: LocalFiles, folder: str) -> Found:
    """Depth first, names sorted with a folder's name ending in `/`: S3's key order."""
    entries = sorted(files.listdir(folder), key=lambda e: e.name + ("/" if e.is_dir else ""))
    for entry in entries:
        path = posixpath.join(folder, entry.name)
        if entry.is_dir:
            yield from _walk(files, path)
        else:
            yield path, entry.size, entry.modified, {}


def _s3_files(job: _Job, typed: str, root: str) -> Found:
    bucket, key = split_s3_path(typed)
    payer = _payer(job.command)
    if not job.command.recursive and key and not key.endswith("/"):
        yield _head(job, bucket, key)
        return
    prefix = root.partition("/")[2]
    parameters = {"Bucket": bucket, "Prefix": prefix, **payer}
    for page in paginate(
        job.client, "list_objects_v2", job.transfers.sink, job.command.page_size, **parameters
    ):
        for item in page.get("Contents", []):
            if item.get("Size") == 0 and str(item["Key"]).endswith("/"):
                continue  # "folder" markers are never copied
            if not job.command.recursive and f"{bucket}/{item['Key']}" != f"{bucket}/{key}":
                continue
            yield f"{bucket}/{item['Key']}", int(item["Size"]), item["LastModified"], item


def _head(job: _Job, bucket: str, key: str) -> tuple[str, int | None, datetime | None, dict[str, Any]]:
    try:
        head = job.client.head_object(Bucket=bucket, Key=key, **_payer(job.command))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "404":
            raise
        raise _Fatal(
            f'An error occurred (404) when calling the HeadObject operation: Key "{key}" does not exist'
        ) from None
    return f"{bucket}/{key}", int(head["ContentLength"]), head.get("LastModified"), head


def _payer(command: S3Command) -> dict[str, str]:
    return {"RequestPayer": command.request_payer} if command.request_payer else {}


class _Filter:
    """`--exclude`/`--include` joined to the source's and the destination's roots; both
    are tried against a file's own path, the last match wins."""

    def __init__(self, job: _Job, source: str, destination: str) -> None:
        roots = [self._root(job, path) for path in (source, destination)]
        self.rules = [
            (kind == "include", posixpath.join(roots[0], pattern), posixpath.join(roots[1], pattern))
            for kind, pattern in job.command.filters
        ]

    @staticmethod
    def _root(job: _Job, path: str) -> str:
        dir_op = job.command.recursive
        if _is_s3(path):
            bucket, key = split_s3_path(path)
            if not dir_op and not key.endswith("/"):
                key = "/".join(key.split("/")[:-1])
            return f"{bucket}/{key}"
        full = job.files.resolve(path)
        return full if dir_op else posixpath.dirname(full)

    def __call__(self, path: str, is_s3: bool) -> bool:
        return kept_by_filters(self.rules, path)


# -- sync ---------------------------------------------------------------------------------


def _sync_actions(
    job: _Job, planned: list[_File], destination: str, dest_root: str, included: _Filter
) -> list[tuple[str, _File]]:
    """The Comparator: both sides merged by compare key; what to transfer or delete."""
    existing = {item.compare_key: item for item in _destination_files(job, destination, dest_root, included)}
    by_key = {item.compare_key: item for item in planned}
    verb = {"locals3": "upload", "s3local": "download", "s3s3": "copy"}[job.kind]
    actions: list[tuple[str, _File]] = []
    for key in sorted(by_key.keys() | (existing.keys() if job.command.delete else set())):
        source, there = by_key.get(key), existing.get(key)
        if source is None:
            assert there is not None
            actions.append(("delete", there))
        elif there is None or _should_sync(job.command, verb, source, there):
            actions.append(("sync", source))
    return actions


def _destination_files(job: _Job, destination: str, dest_root: str, included: _Filter) -> Iterator[_File]:
    is_s3 = _is_s3(destination)
    if is_s3:
        found: Found = _s3_files(job, "s3://" + dest_root, dest_root)
    else:
        found = (
            _walk(job.files, dest_root.rstrip("/") or "/")
            if job.files.stat(dest_root.rstrip("/") or "/")
            else iter(())
        )
    for path, size, modified, details in found:
        if included(path, is_s3):
            yield _File(path, path, path[len(dest_root) :], size, modified, details)


def _should_sync(command: S3Command, verb: str, source: _File, there: _File) -> bool:
    same_size = source.size == there.size
    if command.size_only:
        return not same_size
    return not same_size or not _same_time(command, verb, source, there)


def _same_time(command: S3Command, verb: str, source: _File, there: _File) -> bool:
    if source.modified is None or there.modified is None:
        return False
    delta = (there.modified - source.modified).total_seconds()
    if verb == "download":
        return delta == 0 if command.exact_timestamps else delta <= 0
    return delta >= 0


# -- acting -------------------------------------------------------------------------------


_VERBS = {
    ("cp", "locals3"): "upload",
    ("cp", "s3local"): "download",
    ("cp", "s3s3"): "copy",
    ("mv", "locals3"): "move",
    ("mv", "s3local"): "move",
    ("mv", "s3s3"): "move",
    ("sync", "locals3"): "upload",
    ("sync", "s3local"): "download",
    ("sync", "s3s3"): "copy",
}


def _act(job: _Job, action: str, item: _File) -> None:
    if action == "delete":
        _delete(job, item)
        return
    name = job.command.name if action != "sync" else "sync"
    verb = _VERBS[(name, job.kind)]
    src_s3, dest_s3 = job.kind.startswith("s3"), job.kind.endswith("s3")
    where = f"{job.shown(item.src, src_s3)} to {job.shown(item.dest, dest_s3)}"
    if src_s3 and _skip_glacier(job, item, verb):
        return
    if job.command.dryrun:
        job.printer.dryrun(verb, where)
        return
    try:
        _transfer(job, item)
        if name == "mv":
            _remove_source(job, item)
    except Cancelled:
        raise
    except (ClientError, BotoCoreError, OSError) as exc:
        job.printer.failure(verb, where, exc)
        return
    job.printer.success(verb, where)


def _transfer(job: _Job, item: _File) -> None:
    extra = dict(job.command.copy_parameters)
    if job.kind == "locals3":
        bucket, key = item.dest.split("/", 1)
        if job.command.guess_mime_type and "ContentType" not in extra:
            guessed = mimetypes.guess_type(item.src)[0]
            if guessed:
                extra["ContentType"] = guessed
        with job.files.open(item.src) as file:
            job.transfers.upload(file, bucket, key, item.size, extra)
    elif job.kind == "s3local":
        bucket, key = item.src.split("/", 1)
        modified = item.modified
        placing = job.files.placing(item.dest, item.size, modified) if item.size is not None else None
        if placing is not None:
            with placing as file:
                job.transfers.download_into(file, bucket, key, item.size, _payer(job.command))
            return
        job.transfers.download(
            bucket,
            key,
            item.size,
            _payer(job.command),
            lambda chunks: job.files.write(item.dest, chunks, modified),
        )
    else:
        bucket, key = item.dest.split("/", 1)
        source_bucket, source_key = item.src.split("/", 1)
        job.client.copy_object(
            CopySource={"Bucket": source_bucket, "Key": source_key}, Bucket=bucket, Key=key, **extra
        )
        job.printer.add_bytes(item.size or 0)


def _remove_source(job: _Job, item: _File) -> None:
    if job.kind == "locals3":
        job.files.remove(item.src)
    else:
        bucket, key = item.src.split("/", 1)
        job.client.delete_object(Bucket=bucket, Key=key, **_payer(job.command))


def _delete(job: _Job, item: _File) -> None:
    is_s3 = job.kind.endswith("s3")
    where = job.shown(item.src, is_s3)
    if job.command.dryrun:
        job.printer.dryrun("delete", where)
        return
    try:
        if is_s3:
            bucket, key = item.src.split("/", 1)
            job.client.delete_object(Bucket=bucket, Key=key, **_payer(job.command))
        else:
            job.files.remove(item.src)
    except (ClientError, BotoCoreError, OSError) as exc:
        job.printer.failure("delete", where, exc)
        return
    job.printer.success("delete", where)


def _skip_glacier(job: _Job, item: _File, verb: str) -> bool:
    archived = item.details.get("StorageClass") in _GLACIER_CLASSES
    restored = 'ongoing-request="false"' in item.details.get("Restore", "")
    if not archived or restored or job.command.force_glacier_transfer:
        return False
    if not job.command.ignore_glacier_warnings:
        job.printer.warning(
            f"warning: Skipping file s3://{item.src}. Object is of storage class GLACIER. Unable to "
            f"perform {verb} operations on GLACIER objects. You must restore the object to be able to "
            f"perform the operation. See aws s3 {verb} help for additional parameter options to "
            "ignore or force these transfers."
        )
    return True


# -- streams ------------------------------------------------------------------------------


def _stream(job: _Job, sink: Sink) -> None:
    """`cp - s3://b/k` from the run's stdin, `cp s3://b/k -` to stdout (no lines printed,
    as the CLI: a stream is only_show_errors)."""
    source, destination = job.command.paths[0], job.command.paths[1]
    extra = dict(job.command.copy_parameters)
    if source == "-":
        data = job.local.stdin() if job.local.stdin is not None else None
        if data is None:
            raise _Fatal('this run has no stdin to read: send one with the API\'s "stdin" field')
        bucket, key = split_s3_path(destination)
        try:
            job.transfers.upload(io.BytesIO(data), bucket, key, len(data), extra)
        except (ClientError, BotoCoreError) as exc:
            job.printer.failure("upload", f"- to {destination}", exc)
        return
    bucket, key = split_s3_path(source)
    _, size, _, _ = _head(job, bucket, key)
    try:
        for chunk in job.transfers.stream_to(bucket, key, size, _payer(job.command)):
            sink.write("stdout", chunk.decode("utf-8", errors="replace"))
    except (ClientError, BotoCoreError) as exc:
        job.printer.failure("download", f"{source} to -", exc)
