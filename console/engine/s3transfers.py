"""Uploads and downloads through s3transfer, the library the AWS CLI transfers with.

s3transfer brings the CLI's behaviour for free: a file of `multipart_threshold` bytes or
more goes multipart in `multipart_chunksize` parts, `max_concurrent_requests` of them at
once; a download of a large object is ranged GETs in parallel; a cancelled or failed
multipart upload is aborted (its failure cleanup calls AbortMultipartUpload). The
settings are the profile's `s3` block, read as the CLI's RuntimeConfig reads it (`16MB`,
`8MiB` or bytes).

A download goes where the CLI's goes, a seekable file: on the local workspace storage the
workspace gives a new file (LocalFiles.placing: the quota for the object's size reserved
first, the file put in place all or nothing) and s3transfer writes each part at its offset
as it arrives, `max_concurrent_requests` parts at once, holding only its IO queue
(PIPE_DEPTH chunks of 256 KiB) in memory. Where the workspace has no such file (the S3
storage) and for `cp s3://b/k -`, s3transfer writes the object, in order, into a `_Pipe` (a
non-seekable target), and the command's own thread pulls the chunks from it into the
workspace's all-or-nothing write (which counts the quota on that thread); s3transfer then
holds the parts that arrive ahead of their turn, PARTS_IN_MEMORY at most.

An upload reads the workspace file on s3transfer's threads (reading touches no database).
A file object makes s3transfer read each part whole into memory before sending it (it
cannot share one file position between threads), where the CLI, given a file name, opens
the file once per part and reads it as the request is sent. A file of the local workspace
storage is an open descriptor, so it goes to s3transfer by name as `/proc/self/fd/<n>`:
each part opens that very file (already checked: the workspace's path rules and link
checks were made when it was opened; no name is looked up again, so a link put in its
place since cannot redirect the read) and streams it. Other files (the S3 storage's, a
stream from stdin) go as file objects.

Ctrl-C: the command's thread waits in short steps and, once the run is cancelled, shuts
the manager down with cancel=True, which aborts an unfinished multipart upload, and
raises Cancelled; a download's chunks stop and its write leaves no file.
"""

from __future__ import annotations

import io
import os
import queue
import stat
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing
from typing import IO, Any

from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.subscribers import BaseSubscriber

from . import Cancelled, Sink
from .s3printer import TransferPrinter

MiB = 1024**2
DEFAULTS = {"multipart_threshold": 8 * MiB, "multipart_chunksize": 8 * MiB, "max_concurrent_requests": 10}
PIPE_DEPTH = 16
# Where s3transfer must hold parts in memory (an upload from a file object: a stream, the
# S3 storage's files; a download into the pipe, which holds the parts that arrived out of
# order), four parts each way (32 MiB at the default chunk size) instead of its ten keep a
# worker under its memory budget (bench/transfer.py: +109 MiB of RSS for a 100 MB upload
# from a file object with ten). Uploads by name and downloads in place hold no parts.
PARTS_IN_MEMORY = 4
WAIT_STEP = 0.2
_UNITS = {
    "kb": 1024,
    "mb": MiB,
    "gb": 1024**3,
    "tb": 1024**4,
    "kib": 1024,
    "mib": MiB,
    "gib": 1024**3,
    "tib": 1024**4,
}


class InvalidConfigError(ValueError):
    """A profile `s3` setting the CLI would refuse (its message is the CLI's)."""


def human_readable_to_bytes(value: str) -> int:
    """awscli's human_readable_to_bytes: `1024`, `10MB`, `8MiB` (base 2 either way)."""
    text = value.strip().lower()
    if text.isdigit():
        return int(text)
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(suffix) and text[: -len(suffix)].strip().isdigit():
            return int(text[: -len(suffix)]) * _UNITS[suffix]
    raise InvalidConfigError(f"Invalid size value: {value}")


def transfer_config(s3_settings: Mapping[str, Any] | None) -> TransferConfig:
    """The CLI's RuntimeConfig from a profile's `s3` block, as s3transfer's TransferConfig."""
    values: dict[str, int] = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = (s3_settings or {}).get(name)
        if raw is None:
            continue
        number = human_readable_to_bytes(str(raw)) if name != "max_concurrent_requests" else _integer(raw)
        if number <= 0:
            raise InvalidConfigError(f"Value for {name} must be a positive integer: {number}")
        values[name] = number
    return TransferConfig(
        multipart_threshold=values["multipart_threshold"],
        multipart_chunksize=values["multipart_chunksize"],
        max_request_concurrency=values["max_concurrent_requests"],
        max_io_queue_size=PIPE_DEPTH,
        max_in_memory_upload_chunks=PARTS_IN_MEMORY,
        max_in_memory_download_chunks=PARTS_IN_MEMORY,
    )


def _integer(raw: Any) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise InvalidConfigError(
            f"Value for max_concurrent_requests must be a positive integer: {raw}"
        ) from None


class _Watch(BaseSubscriber):  # type: ignore[misc]  # s3transfer ships no type hints
    """Gives s3transfer the size the listing knew (no extra HeadObject), counts bytes for
    the progress line, and says when the transfer is done."""

    def __init__(self, size: int | None, printer: TransferPrinter) -> None:
        self.size = size
        self.printer = printer
        self.done = threading.Event()
        self.on_done_hook: Callable[[], None] | None = None

    def on_queued(self, future: Any, **kwargs: Any) -> None:
        if self.size is not None:
            future.meta.provide_transfer_size(self.size)

    def on_progress(self, future: Any, bytes_transferred: int, **kwargs: Any) -> None:
        self.printer.add_bytes(bytes_transferred)

    def on_done(self, future: Any, **kwargs: Any) -> None:
        self.done.set()
        if self.on_done_hook is not None:
            self.on_done_hook()


class _Pipe:
    """A write-only, non-seekable file for s3transfer, read as chunks by another thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=PIPE_DEPTH)
        self.abandoned = threading.Event()

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes) -> int:
        while not self.abandoned.is_set():
            try:
                self._queue.put(bytes(data), timeout=WAIT_STEP)
                return len(data)
            except queue.Full:
                continue
        raise OSError("the download was stopped")

    def end(self) -> None:
        while not self.abandoned.is_set():
            try:
                self._queue.put(None, timeout=WAIT_STEP)
                return
            except queue.Full:
                continue

    def chunks(self, tick: Callable[[], None]) -> Iterator[bytes]:
        """The object's bytes in order; `tick` before each chunk and between waits (it
        raises Cancelled)."""
        try:
            while True:
                try:
                    chunk = self._queue.get(timeout=WAIT_STEP)
                except queue.Empty:
                    tick()
                    continue
                if chunk is None:
                    return
                tick()
                yield chunk
        finally:
            self.abandoned.set()


def _by_name(fileobj: IO[bytes]) -> IO[bytes] | str:
    """`/proc/self/fd/<n>` for a regular file open on this host, else the file object."""
    try:
        descriptor = fileobj.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return fileobj
    name = f"/proc/self/fd/{descriptor}"
    if not stat.S_ISREG(os.fstat(descriptor).st_mode) or not os.path.exists(name):
        return fileobj
    return name


class Transfers:
    """One command's transfers: a TransferManager and the printer its progress feeds."""

    def __init__(self, client: Any, config: TransferConfig, sink: Sink, printer: TransferPrinter) -> None:
        self.manager = TransferManager(client, config)
        self.sink = sink
        self.printer = printer

    def close(self) -> None:
        self.manager.shutdown()

    def upload(
        self, fileobj: IO[bytes], bucket: str, key: str, size: int | None, extra: dict[str, Any]
    ) -> None:
        watch = _Watch(size, self.printer)
        source = _by_name(fileobj)
        future = self.manager.upload(source, bucket, key, extra_args=extra, subscribers=[watch])
        self._wait(watch)
        future.result()

    def download_into(
        self, file: IO[bytes], bucket: str, key: str, size: int | None, extra: dict[str, Any]
    ) -> None:
        """Download into a seekable file: s3transfer writes each part at its offset as it
        arrives, as the CLI's download to a file name does (no part waits in memory)."""
        watch = _Watch(size, self.printer)
        future = self.manager.download(bucket, key, file, extra_args=extra, subscribers=[watch])
        self._wait(watch)
        future.result()

    def download(
        self,
        bucket: str,
        key: str,
        size: int | None,
        extra: dict[str, Any],
        write: Callable[[Iterator[bytes]], None],
    ) -> None:
        """Download into `write`, which consumes the chunks on this thread; raises what the
        download raised, or what `write` raised (the download is then cancelled: closing the
        stream early abandons it)."""
        with closing(self.stream_to(bucket, key, size, extra)) as chunks:
            write(chunks)

    def stream_to(self, bucket: str, key: str, size: int | None, extra: dict[str, Any]) -> Generator[bytes]:
        """The object's bytes in order, for `cp s3://b/k -`."""
        pipe = _Pipe()
        watch = _Watch(size, self.printer)
        watch.on_done_hook = pipe.end
        future = self.manager.download(bucket, key, pipe, extra_args=extra, subscribers=[watch])
        try:
            yield from pipe.chunks(lambda: self._tick(watch, pipe))
        except BaseException:
            pipe.abandoned.set()
            future.cancel()
            raise
        self._wait(watch)
        future.result()

    def _wait(self, watch: _Watch) -> None:
        while not watch.done.wait(WAIT_STEP):
            self._tick(watch)

    def _tick(self, watch: _Watch, pipe: _Pipe | None = None) -> None:
        if self.sink.cancelled():
            if pipe is not None:  # s3transfer's writer must not wait on a reader that left
                pipe.abandoned.set()
            # Cancels every transfer and runs their failure cleanups (AbortMultipartUpload).
            # s3transfer 0.19.3's public shutdown(cancel=True) passes its arguments to
            # _shutdown in the wrong order (the message lands where the exception type
            # goes, a TypeError); its own __exit__ calls _shutdown as done here.
            self.manager._shutdown(True, "cancelled: ctrl-c received")
            raise Cancelled()
        if not watch.done.is_set():
            self.printer.tick()
