"""Files on Django's storage API: the one place that touches the `workspace` storage.

Every read and write goes through the storage object (`storages["workspace"]`). The API
has no rename, no directories of its own and no atomic write, so this module adds them in
the two ways a backend allows:

- A local folder (FileSystemStorage): a write goes to a temporary name under `tmp/`
  through `storage.save`, then `os.replace` puts it in place, so a file is never seen
  half-written and a failed or cancelled write leaves nothing behind (FileSystemStorage
  itself writes straight into the final name and keeps what it wrote on an error). Every
  name is checked once more after Django's own `safe_join`, which follows symbolic links:
  the real path must be the path asked for (no link anywhere on the way) and lie under
  the storage's real root.
- An object store (S3 through django-storages): an object appears only when its upload
  completes and an upload that fails is aborted by boto3, so writing the final name is
  already atomic. Directories exist as their keys' prefixes; an empty one is kept by a
  marker object (`.~ws-folder`, a reserved name users cannot type). Moves are copies.

Listing a folder on S3 is one ListObjectsV2 per 1,000 entries, with sizes and dates.
Opening a file on S3 downloads the whole object first (django-storages' S3File), into a
temporary file past `max_memory_size`, which must be set (0 would keep it in memory).
Uploads run on the caller's thread (`TransferConfig(use_threads=False)`): pulling a write's chunks counts
its quota in the database, which must happen on the thread that holds the write.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import posixpath
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

from .errors import NotADirectory, NotEmpty, NotFound, PathRefused, WorkspaceError
from .paths import RESERVED_PREFIX

MARKER = f"{RESERVED_PREFIX}-folder"
TEMP_DIR = "tmp"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Entry:
    """One file or folder as a listing shows it."""

    name: str
    is_dir: bool
    size: int = 0
    modified: datetime | None = None
    is_link: bool = False


def workspace_storage() -> Storage:
    return storages["workspace"]


class ChunkStream(io.RawIOBase):
    """A readable stream over an iterator of byte chunks, so `storage.save` can pull a
    write whose source (a response body, another file) is never held whole."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = bytes(chunk)
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def chunks_of(file: Any, size: int = CHUNK) -> Iterator[bytes]:
    while data := file.read(size):
        yield data


class Files:
    """The workspace's files on one storage, by storage name (`users/7/notes/a.txt`)."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage if storage is not None else workspace_storage()
        self.local = isinstance(self.storage, FileSystemStorage)
        transfer = getattr(self.storage, "transfer_config", None)
        if transfer is not None and transfer.use_threads:
            # A write's chunks are pulled by whichever thread uploads them, and pulling them
            # counts the quota in the database: boto3's transfer threads would each open a
            # connection of their own (never closed) and wait on locks the caller holds.
            raise ImproperlyConfigured(
                "the workspace storage must upload on the caller's thread: "
                "transfer_config=TransferConfig(use_threads=False)"
            )
        if getattr(self.storage, "max_memory_size", None) == 0:
            # django-storages' S3File downloads the whole object when it is opened, into a
            # SpooledTemporaryFile that, at size 0, never goes to disk: `aws s3 cp` of a
            # 1 GB workspace file would hold it all in the worker's memory.
            raise ImproperlyConfigured(
                "the workspace storage must spool opened files to disk past a size: max_memory_size=8388608"
            )

    # -- reading ----------------------------------------------------------------------------

    def stat(self, name: str, shown: str) -> Entry | None:
        """The entry at `name`, or None. A name that is a folder prefix is a folder."""
        if self.local:
            return self._local_stat(name, shown)
        if self.storage.exists(name):
            return Entry(posixpath.basename(name), False, self.storage.size(name), self._mtime(name))
        dirs, files = self.storage.listdir(name)
        return Entry(posixpath.basename(name), True) if dirs or files else None

    def listdir(self, name: str, shown: str) -> list[Entry]:
        """The entries of folder `name` (markers and the console's own names left out)."""
        if self.local:
            entries = self._local_listdir(name, shown)
        elif hasattr(self.storage, "bucket_name") and hasattr(self.storage, "connection"):
            entries = self._s3_listdir(name)
        else:
            dirs, files = self.storage.listdir(name)
            entries = [Entry(d, True) for d in dirs] + [
                Entry(f, False, self.storage.size(f"{name}/{f}"), self._mtime(f"{name}/{f}")) for f in files
            ]
        return sorted((e for e in entries if not e.name.startswith(RESERVED_PREFIX)), key=lambda e: e.name)

    def open(self, name: str, shown: str) -> File:
        if self.local:
            self._checked_path(name, shown)
        try:
            return self.storage.open(name, "rb")
        except FileNotFoundError:
            raise NotFound(shown) from None

    def tree(self, name: str, shown: str) -> Iterator[tuple[str, Entry]]:
        """Every file and folder below `name`, parents first, as (storage name, entry)."""
        for entry in self.listdir(name, shown):
            child = f"{name}/{entry.name}"
            yield child, entry
            if entry.is_dir:
                yield from self.tree(child, f"{shown}/{entry.name}")

    def tree_size(self, name: str, shown: str) -> int:
        return sum(entry.size for _, entry in self.tree(name, shown) if not entry.is_dir)

    # -- writing ----------------------------------------------------------------------------

    def save(self, name: str, shown: str, chunks: Iterable[bytes], modified: datetime | None = None) -> None:
        """Write `name` from `chunks`, all or nothing: whatever `chunks` raises (over quota,
        Ctrl-C) leaves no file, and the old one, if any, untouched. A local folder gives the
        file the time `modified` (`aws s3 sync` sets a download's time to the object's
        LastModified, as the CLI does); an object store has no settable time and keeps its
        own LastModified, the upload's time."""
        content = File(ChunkStream(chunks), name=posixpath.basename(name))
        if not self.local:
            self.storage.save(name, content)
            return
        target = self._checked_path(name, shown)
        # The caller checked that the folder exists; only an area's top is made on first use.
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        temp = f"{TEMP_DIR}/{uuid.uuid4().hex}"
        try:
            saved = self.storage.save(temp, content)
            if modified is not None:
                os.utime(self.storage.path(saved), (modified.timestamp(), modified.timestamp()))
            os.replace(self.storage.path(saved), target)
        except BaseException:
            self._discard(temp)
            raise

    @contextlib.contextmanager
    def placing(self, name: str, shown: str, modified: datetime | None = None) -> Iterator[io.BufferedRandom]:
        """A local folder only: a new, empty file that may be written anywhere (seek, then
        write: an S3 download's parts arrive in parallel, each at its offset), put in place
        as `name` when the block ends, all or nothing as `save`."""
        assert isinstance(self.storage, FileSystemStorage)
        target = self._checked_path(name, shown)
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        temp = f"{TEMP_DIR}/{uuid.uuid4().hex}"
        path = self.storage.path(temp)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        mode = self.storage.file_permissions_mode or 0o600
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:
            with os.fdopen(descriptor, "r+b") as file:
                yield file
            if modified is not None:
                os.utime(path, (modified.timestamp(), modified.timestamp()))
            os.replace(path, target)
        except BaseException:
            self._discard(temp)
            raise

    def delete(self, name: str, shown: str) -> None:
        if self.local:
            self._checked_path(name, shown)
        self.storage.delete(name)

    def make_dir(self, name: str, shown: str) -> None:
        if self.local:
            os.makedirs(self._checked_path(name, shown), mode=0o700, exist_ok=True)
        else:
            self.storage.save(f"{name}/{MARKER}", File(io.BytesIO(b""), name=MARKER))

    def remove_dir(self, name: str, shown: str) -> None:
        """Remove the empty folder `name` (its marker, and on disk the folder itself)."""
        if self.local:
            path = self._checked_path(name, shown)
            marker = os.path.join(path, MARKER)
            if os.path.lexists(marker):
                os.unlink(marker)
            os.rmdir(path)
        else:
            self.storage.delete(f"{name}/{MARKER}")

    def rename(self, source: str, target: str, shown: str) -> None:
        """Rename in one step; only a local folder can (callers copy on an object store)."""
        try:
            os.replace(self._checked_path(source, shown), self._checked_path(target, shown))
        except OSError as exc:  # a folder onto a folder that is not empty
            if exc.errno == errno.ENOTEMPTY:
                raise NotEmpty(shown) from None
            raise WorkspaceError(shown, exc.strerror) from None

    # -- local folder -----------------------------------------------------------------------

    def _checked_path(self, name: str, shown: str) -> str:
        """The file system path of `name`, refused unless it is exactly that path under the
        storage's root with no symbolic link on the way."""
        storage = self.storage
        assert isinstance(storage, FileSystemStorage)
        try:
            path = storage.path(name)
        except SuspiciousFileOperation:
            raise PathRefused(shown, "that path is outside your workspace") from None
        root = os.path.realpath(storage.location)
        real = os.path.realpath(path)
        if real != os.path.abspath(path) or not real.startswith(root + os.sep):
            raise PathRefused(shown, "symbolic links are not followed in the workspace")
        return path

    def _local_stat(self, name: str, shown: str) -> Entry | None:
        path = self._checked_path(name, shown)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            raise NotADirectory(shown) from None
        is_dir = os.path.isdir(path)
        modified = datetime.fromtimestamp(info.st_mtime, UTC)
        return Entry(posixpath.basename(name), is_dir, 0 if is_dir else info.st_size, modified)

    def _local_listdir(self, name: str, shown: str) -> list[Entry]:
        path = self._checked_path(name, shown)
        entries = []
        try:
            with os.scandir(path) as scan:
                for item in scan:
                    info = item.stat(follow_symlinks=False)
                    is_dir = item.is_dir(follow_symlinks=False)
                    entries.append(
                        Entry(
                            item.name,
                            is_dir,
                            0 if is_dir else info.st_size,
                            datetime.fromtimestamp(info.st_mtime, UTC),
                            item.is_symlink(),
                        )
                    )
        except FileNotFoundError:
            return []
        return entries

    def clean_temporary(self, older_than: float) -> int:
        """Remove temporary files of writes that died (a killed worker) older than
        `older_than` seconds; returns how many. Only a local folder has them."""
        if not self.local:
            return 0
        folder = self.storage.path(TEMP_DIR)
        cutoff = time.time() - older_than
        removed = 0
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as scan:
            for item in scan:
                if item.is_file(follow_symlinks=False) and item.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(item.path)
                    removed += 1
        return removed

    def _discard(self, temp: str) -> None:
        try:
            os.unlink(self.storage.path(temp))
        except FileNotFoundError:
            pass

    # -- object store -----------------------------------------------------------------------

    def _s3_listdir(self, name: str) -> list[Entry]:
        """One paginated ListObjectsV2 with a delimiter: names, sizes and dates at once
        (the storage API's listdir would cost two HEAD requests per file on top)."""
        storage: Any = self.storage
        prefix = storage._normalize_name(name).rstrip("/") + "/"
        paginator = storage.connection.meta.client.get_paginator("list_objects_v2")
        entries: list[Entry] = []
        for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", ()):
                entries.append(Entry(common["Prefix"][len(prefix) :].rstrip("/"), True))
            for item in page.get("Contents", ()):
                key = item["Key"][len(prefix) :]
                if key:
                    entries.append(Entry(key, False, item["Size"], item["LastModified"]))
        return entries

    def _mtime(self, name: str) -> datetime | None:
        try:
            return self.storage.get_modified_time(name)
        except (NotImplementedError, FileNotFoundError):
            return None
