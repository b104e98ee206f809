"""Browser uploads: chunked, resumable, all or nothing (docs/workspace.md, "Uploads").

Design decision: a small protocol of our own rather than tus. The one Django tus server on
PyPI (django-tus 0.5.0) was last released in 2020 and writes to a local folder of its own,
outside Django's storage API, the quotas and the path checks; the protocol this needs is
four requests: start (the target and the size, quota reserved upfront), ask the offset,
send a chunk at that offset, cancel.

Chunks are kept as parts in storage under `uploads/<id>/`, a name no user path reaches
(user paths start at `users/<id>/` or `teams/<slug>/`), each written all or nothing by
`Files.save`. The offset is the upload's row, moved in the transaction that accepts a
chunk, so a chunk sent twice (a retry after a lost answer) is refused with the offset the
server has, and the client goes on from there. When the last chunk arrives the parts are
read in order into one `Workspace.write` (quota counted, all or nothing), then removed:
the file appears complete or not at all."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import paths, quota
from .errors import NotFound, WorkspaceError
from .files import Entry, chunks_of
from .models import WorkspaceUpload
from .service import Location, Workspace

PARTS = "uploads"


class UploadTooLarge(WorkspaceError):
    """A file larger than CONSOLE_UPLOAD_MAX_BYTES, or a chunk larger than a chunk may be."""

    strerror = "File too large"


class OffsetMismatch(WorkspaceError):
    """A chunk that does not start where the server's bytes end (sent twice, or out of
    order); `offset` is where the next chunk must start."""

    strerror = "Chunk out of order"

    def __init__(self, path: str, offset: int) -> None:
        self.offset = offset
        super().__init__(path, f"the next chunk starts at byte {offset}")


class IncompleteChunk(WorkspaceError):
    strerror = "The chunk was cut off; send it again from the upload's offset"


@dataclass(frozen=True)
class Progress:
    """Where an upload stands; `entry` is the file once it is complete."""

    id: str
    path: str  # below the user's top, as typed into the panel
    size: int
    offset: int
    entry: Entry | None = None

    @property
    def done(self) -> bool:
        return self.entry is not None


def start(ws: Workspace, typed: str, size: int) -> Progress:
    """Begin an upload of `size` bytes to the path `typed` (relative to the workspace's
    current directory); refused now, before any byte, if it could never be written."""
    limit = int(settings.CONSOLE_UPLOAD_MAX_BYTES)
    if size < 0:
        raise WorkspaceError(typed, "the size must be a number of bytes")
    if size > limit:
        raise UploadTooLarge(
            typed, f"File too large (the most one upload takes is {quota.human_size(limit)})"
        )
    where = ws.locate(typed)
    replaced = ws.check_write(where)
    _expire_stale(ws)
    assert where.area is not None
    reservation = quota.hold(where.area, ws.files, where.shown, size, replaced)
    upload = WorkspaceUpload.objects.create(
        user=ws.user, path="/".join(where.parts), size=size, reservation_id=reservation
    )
    if size == 0:
        return _finish(ws, upload)
    return _progress(upload)


def status(ws: Workspace, upload_id: str) -> Progress:
    return _progress(_own(ws, upload_id))


def append(ws: Workspace, upload_id: str, start_at: int, length: int, chunks: Iterable[bytes]) -> Progress:
    """Store `length` bytes that start at byte `start_at`; completes the upload with its
    last chunk. A chunk that does not start at the server's offset is refused (nothing
    kept) with OffsetMismatch; one that arrives short is refused with IncompleteChunk."""
    upload = _own(ws, upload_id)
    shown = upload.path
    ws.check_write(_target(ws, upload))  # rights asked again at every chunk
    if length > int(settings.CONSOLE_UPLOAD_CHUNK_BYTES):
        raise UploadTooLarge(shown, f"a chunk may hold at most {settings.CONSOLE_UPLOAD_CHUNK_BYTES} bytes")
    if start_at + length > upload.size or length <= 0:
        raise WorkspaceError(shown, f"the chunk does not fit in a file of {upload.size} bytes")
    with transaction.atomic():
        upload = WorkspaceUpload.objects.select_for_update().get(pk=upload.pk)
        if start_at != upload.offset:
            raise OffsetMismatch(shown, upload.offset)
        received = _store_part(ws, upload, start_at, length, chunks)
        upload.offset += received
        upload.save(update_fields=["offset", "updated_at"])
    quota.keep_alive(upload.reservation_id or 0)
    if upload.offset == upload.size:
        return _finish(ws, upload)
    return _progress(upload)


def cancel(ws: Workspace, upload_id: str) -> None:
    _discard(ws, _own(ws, upload_id))


# -- the parts --------------------------------------------------------------------------------


def _part_name(upload: WorkspaceUpload, start_at: int) -> str:
    return f"{PARTS}/{upload.pk}/{start_at:016d}"  # zero-padded: listed in byte order


def _store_part(
    ws: Workspace, upload: WorkspaceUpload, start_at: int, length: int, chunks: Iterable[bytes]
) -> int:
    received = 0

    def counted() -> Iterator[bytes]:
        nonlocal received
        for chunk in chunks:
            received += len(chunk)
            if received > length:
                raise WorkspaceError(upload.path, f"the chunk holds more than the {length} bytes announced")
            yield chunk
        if received != length:
            raise IncompleteChunk(upload.path)

    ws.files.save(_part_name(upload, start_at), upload.path, counted())
    return received


def _parts(ws: Workspace, upload: WorkspaceUpload) -> list[str]:
    folder = f"{PARTS}/{upload.pk}"
    return [f"{folder}/{entry.name}" for entry in ws.files.listdir(folder, upload.path) if not entry.is_dir]


def _read_parts(ws: Workspace, upload: WorkspaceUpload) -> Iterator[bytes]:
    for name in _parts(ws, upload):
        with ws.files.open(name, upload.path) as part:
            yield from chunks_of(part)


def _finish(ws: Workspace, upload: WorkspaceUpload) -> Progress:
    """The parts become the file, in one write (which counts the quota again, now that
    the reservation held for it is let go); the upload is gone either way."""
    where = _target(ws, upload)
    quota.drop(upload.reservation_id)
    try:
        ws.write(where, _read_parts(ws, upload))
    finally:
        _discard(ws, upload)
    return Progress(str(upload.pk), upload.path, upload.size, upload.size, ws.stat(where))


def _discard(ws: Workspace, upload: WorkspaceUpload) -> None:
    for name in _parts(ws, upload):
        ws.files.delete(name, upload.path)
    folder = f"{PARTS}/{upload.pk}"
    if ws.files.local and ws.files.stat(folder, upload.path) is not None:
        ws.files.remove_dir(folder, upload.path)  # an object store keeps no empty folders
    quota.drop(upload.reservation_id)
    upload.delete()


def _expire_stale(ws: Workspace) -> None:
    """Unfinished uploads older than CONSOLE_UPLOAD_EXPIRY_SECONDS are given up (their
    parts removed): checked whenever the user starts another."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.CONSOLE_UPLOAD_EXPIRY_SECONDS)
    for upload in WorkspaceUpload.objects.filter(user=ws.user, updated_at__lt=cutoff):
        _discard(ws, upload)


# -- lookups ----------------------------------------------------------------------------------


def _own(ws: Workspace, upload_id: str) -> WorkspaceUpload:
    """The user's own upload; anyone else's (or a malformed id) does not exist."""
    try:
        return WorkspaceUpload.objects.get(pk=upload_id, user=ws.user)
    except (WorkspaceUpload.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("upload") from None


def _target(ws: Workspace, upload: WorkspaceUpload) -> Location:
    """Where the upload goes, located again: rights are asked at every step (a member
    removed from a team mid-upload cannot finish it)."""
    return ws.location(paths.parse_stored(upload.path), upload.path)


def _progress(upload: WorkspaceUpload) -> Progress:
    return Progress(str(upload.pk), upload.path, upload.size, upload.offset)
