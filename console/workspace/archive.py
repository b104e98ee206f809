"""A folder as a zip, streamed: never held whole, in memory or on disk.

Design decision: the standard library's `zipfile`, not a zip-streaming package.
`zipfile` already writes to a stream that cannot seek (it then puts each member's sizes
and CRC in a data descriptor after its bytes, which every unzip reads), so a
`ZipFile` over a writable object whose bytes are taken out after each write is a
generator of the archive. zipstream-ng and stream-zip (both maintained) do the same with
a dependency more; nothing here needs what they add.

Members are stored as they are (ZIP_STORED): what people keep in a workspace (zips,
images, JSON they will open once) gains little from deflate, and storing costs no CPU
on the web process. ZIP64 is forced, since a member's size is only known after it is
read. A file removed while the archive is being made (by a teammate, a `rm` in the
terminal) is left out, and the archive is still a valid zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from .errors import WorkspaceError
from .files import Entry, chunks_of
from .service import Location, Workspace


class _Drain(io.RawIOBase):
    """A write-only, unseekable stream whose written bytes are taken out by `take`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        # zipfile asks where it is to record each member's offset; it never seeks.
        return self._written

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def zip_folder(ws: Workspace, folder: Location) -> Iterator[bytes]:
    """The archive of `folder`'s files (paths inside it relative to the folder's name)."""
    drain = _Drain()
    top = folder.basename if folder.parts else "workspace"
    with zipfile.ZipFile(drain, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for info, where in _files_below(ws, folder, top):
            yield from _add(ws, archive, drain, info, where)
    yield drain.take()


def _files_below(ws: Workspace, folder: Location, prefix: str) -> Iterator[tuple[zipfile.ZipInfo, Location]]:
    try:
        entries = ws.listdir(folder)
    except WorkspaceError:  # removed while it was being read
        return
    for entry in entries:
        if entry.is_link:
            continue  # never followed (files.py refuses them anyway)
        below = ws.child(folder, entry.name)
        if entry.is_dir:
            yield from _files_below(ws, below, f"{prefix}/{entry.name}")
        else:
            yield _info(f"{prefix}/{entry.name}", entry), below


def _info(name: str, entry: Entry) -> zipfile.ZipInfo:
    when = (
        entry.modified.timetuple()[:6]
        if entry.modified and entry.modified.year >= 1980
        else (1980, 1, 1, 0, 0, 0)
    )
    info = zipfile.ZipInfo(name, date_time=when)
    info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped (0 would unzip as ---------)
    return info


def _add(
    ws: Workspace, archive: zipfile.ZipFile, drain: _Drain, info: zipfile.ZipInfo, where: Location
) -> Iterator[bytes]:
    try:
        source = ws.open(where)
    except WorkspaceError:
        return  # gone since the folder was listed
    with source, archive.open(info, "w", force_zip64=True) as member:
        for chunk in chunks_of(source):
            member.write(chunk)
            yield drain.take()
    yield drain.take()
