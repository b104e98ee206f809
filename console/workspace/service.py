"""One user's view of the workspace: typed paths in, file operations out.

`Workspace(user, cwd)` is what commands hold (`CommandContext.workspace`). It turns a
typed path into a `Location` (which area, which name in it, what the user may do there),
checks it as a file system would (the parent exists, a folder is not a file, a team
folder the user only reads is not written), and does the operation through `Files` with
the quota counted by `quota`. Writes are streams of byte chunks, all or nothing: whatever
the chunks raise (Ctrl-C, a failed download) or the quota refuses leaves no file.

Access: a user's own area is theirs to write; `team/<slug>/` is whatever
`access.team_access` answers, and a team folder they cannot reach does not exist for
them ("No such file or directory", never "Permission denied", so names do not leak)."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files import File

from . import access, paths, quota
from .errors import (
    AlreadyExists,
    IsADirectory,
    NotADirectory,
    NotEmpty,
    NotFound,
    PathRefused,
    PermissionDenied,
    WorkspaceError,
)
from .files import Entry, Files, chunks_of
from .models import WorkingDirectory
from .paths import TEAM_DIR, Parts
from .quota import Area, Usage


@dataclass(frozen=True)
class Location:
    """A resolved path: `parts` in the user's tree, `shown` as typed (for messages), the
    `area` holding it (None for the `team` folder that lists the teams) and `key`, the
    name inside that area ("" for its top)."""

    parts: Parts
    shown: str
    area: Area | None
    key: str
    access: str  # "write" or "read"

    @property
    def name(self) -> str:
        """The storage name (`users/7/notes/a.txt`)."""
        assert self.area is not None
        return f"{self.area.prefix}/{self.key}" if self.key else self.area.prefix

    @property
    def is_top(self) -> bool:
        """The top of an area, or the `team` folder: always there, never removed."""
        return self.area is None or self.key == ""

    @property
    def basename(self) -> str:
        return self.parts[-1] if self.parts else "~"

    @property
    def parent_parts(self) -> Parts:
        return self.parts[:-1]


class Workspace:
    def __init__(self, user: Any, cwd: Parts | Callable[[], Parts] = (), files: Files | None = None) -> None:
        self.user = user
        self._cwd = cwd  # or how to read it: most commands never look (one query saved)
        self._files = files

    @property
    def cwd(self) -> Parts:
        if callable(self._cwd):
            self._cwd = self._cwd()
        return self._cwd

    @property
    def files(self) -> Files:
        if self._files is None:
            self._files = Files()
        return self._files

    # -- paths ------------------------------------------------------------------------------

    def locate(self, typed: str) -> Location:
        """Where `typed` points from the current directory; raises PathRefused, NotFound."""
        return self.location(paths.resolve(self.cwd, typed), typed)

    def location(self, parts: Parts, shown: str) -> Location:
        if parts and parts[0] == TEAM_DIR:
            if len(parts) == 1:
                return Location(parts, shown, None, "", "read")
            slug = parts[1]
            level = access.team_access(self.user, slug) if paths.SLUG.match(slug) else None
            if level is None:
                raise NotFound(shown)
            return Location(parts, shown, Area("team", slug), "/".join(parts[2:]), level)
        return Location(parts, shown, Area("user", str(self.user.pk)), "/".join(parts), "write")

    def child(self, folder: Location, name: str) -> Location:
        shown = name if folder.shown in ("", ".") else f"{folder.shown.rstrip('/')}/{name}"
        paths.check_name(shown, name)
        return self.location((*folder.parts, name), shown)

    # -- reading ----------------------------------------------------------------------------

    def stat(self, where: Location) -> Entry:
        """The file or folder at `where`; raises NotFound (or PathRefused for a link)."""
        if where.is_top:
            return Entry(where.basename, True)
        entry = self.files.stat(where.name, where.shown)
        if entry is None:
            raise NotFound(where.shown)
        return entry

    def exists(self, where: Location) -> Entry | None:
        try:
            return self.stat(where)
        except NotFound:
            return None

    def listdir(self, where: Location) -> list[Entry]:
        if not self.stat(where).is_dir:
            raise NotADirectory(where.shown)
        if where.area is None:
            return [Entry(slug, True) for slug in sorted(access.team_slugs(self.user))]
        entries = self.files.listdir(where.name, where.shown)
        if not where.parts and access.team_slugs(self.user):
            entries = sorted([*entries, Entry(TEAM_DIR, True)], key=lambda e: e.name)
        return entries

    def open(self, where: Location) -> File:
        """The file at `where`, opened for binary reading (read it in chunks)."""
        if self.stat(where).is_dir:
            raise IsADirectory(where.shown)
        return self.files.open(where.name, where.shown)

    def read_bytes(self, where: Location, limit: int) -> bytes:
        entry = self.stat(where)
        if entry.is_dir:
            raise IsADirectory(where.shown)
        if entry.size > limit:
            raise WorkspaceError(where.shown, f"File too large (more than {quota.human_size(limit)})")
        with self.files.open(where.name, where.shown) as file:
            data = bytes(file.read(limit + 1))
        if len(data) > limit:  # it grew since it was looked at
            raise WorkspaceError(where.shown, f"File too large (more than {quota.human_size(limit)})")
        return data

    def read_param_file(self, typed: str) -> bytes:
        """A `file://` or `fileb://` value's bytes (the interpreter's reader)."""
        return self.read_bytes(self.locate(typed), settings.CONSOLE_PARAM_FILE_MAX_BYTES)

    # -- writing ----------------------------------------------------------------------------

    def check_write(self, where: Location) -> int:
        """Raise what `write(where, ...)` would raise before a byte is read (not writable,
        no parent folder, a folder in the way); returns the size of the file it would
        replace (0 for a new one)."""
        self._check_writable(where)
        self._check_parent(where)
        existing = self.exists(where)
        if existing is not None and existing.is_dir:
            raise IsADirectory(where.shown)
        return existing.size if existing is not None else 0

    def write(self, where: Location, chunks: Iterable[bytes], modified: datetime | None = None) -> int:
        """Store the file at `where` from `chunks`; returns its size. All or nothing: an
        exception from `chunks`, or QuotaExceeded, leaves no file (and the old one intact).
        `modified` is the file's time, where the storage keeps one (`Files.save`)."""
        replaced = self.check_write(where)
        assert where.area is not None
        with quota.reserving(where.area, self.files, where.shown, replaced) as held:
            written = 0

            def counted() -> Iterator[bytes]:
                nonlocal written
                for chunk in chunks:
                    written += len(chunk)
                    held.need(written)
                    yield chunk

            self.files.save(where.name, where.shown, counted(), modified)
            held.settle(written)
        return written

    @property
    def writes_in_place(self) -> bool:
        """Whether `placing` is possible: the storage is a local folder."""
        return self.files.local

    @contextmanager
    def placing(self, where: Location, size: int, modified: datetime | None = None) -> Iterator[IO[bytes]]:
        """`write` for a file whose size is known before its bytes arrive and whose bytes come
        out of order (an S3 download in parallel parts, each written at its offset): a file
        to seek in and write, put in place when the block ends; all or nothing as `write`.
        The quota for `size` is reserved first, so a file that cannot fit fails before a
        byte is fetched; what the file holds at the end is counted (an object that grew
        since it was listed needs room for what it grew by). Only where `writes_in_place`."""
        replaced = self.check_write(where)
        assert where.area is not None
        with quota.reserving(where.area, self.files, where.shown, replaced) as held:
            held.need(size)
            with self.files.placing(where.name, where.shown, modified) as file:
                yield file
                written = file.seek(0, os.SEEK_END)
                held.need(written)
            held.settle(written)

    def make_dir(self, where: Location) -> None:
        if self.exists(where) is not None:
            raise AlreadyExists(where.shown)
        self._check_writable(where)
        self._check_parent(where)
        self.files.make_dir(where.name, where.shown)

    def remove_file(self, where: Location) -> None:
        entry = self.stat(where)
        if entry.is_dir:
            raise IsADirectory(where.shown)
        self._check_writable(where)
        self.files.delete(where.name, where.shown)
        quota.charge(self._area(where), -entry.size)

    def remove_dir(self, where: Location) -> None:
        """Remove an empty folder (`rmdir`); raises NotEmpty otherwise."""
        if not self.stat(where).is_dir:
            raise NotADirectory(where.shown)
        self._check_writable(where)
        if where.is_top:
            raise PermissionDenied(where.shown)
        if self.files.listdir(where.name, where.shown):
            raise NotEmpty(where.shown)
        self.files.remove_dir(where.name, where.shown)

    def remove_tree(self, where: Location, report: Callable[[Location], None] | None = None) -> None:
        """Remove a folder and everything below it, deepest first."""
        self._check_writable(where)
        if where.is_top:
            raise PermissionDenied(where.shown)
        for entry in self.files.listdir(where.name, where.shown):
            below = self.child(where, entry.name)
            if entry.is_dir:
                self.remove_tree(below, report)
            else:
                self.remove_file(below)
            if report is not None:
                report(below)
        self.files.remove_dir(where.name, where.shown)

    def copy_file(self, source: Location, target: Location) -> int:
        with self.open(source) as file:
            return self.write(target, chunks_of(file))

    def move(self, source: Location, target: Location) -> None:
        """Rename a file or folder; one step within an area on disk, else copy and remove."""
        entry = self.stat(source)
        self._check_writable(source)
        self._check_writable(target)
        self._check_parent(target)
        if source.is_top:
            raise PermissionDenied(source.shown)
        if self.files.local and source.area == target.area:
            replaced = self.exists(target)
            self.files.rename(source.name, target.name, source.shown)
            if replaced is not None and not replaced.is_dir:
                quota.charge(self._area(target), -replaced.size)
            return
        if entry.is_dir:
            self.copy_tree(source, target)
            self.remove_tree(source)
        else:
            self.copy_file(source, target)
            self.remove_file(source)

    def copy_tree(self, source: Location, target: Location) -> None:
        if self.exists(target) is None:
            self.make_dir(target)
        for entry in self.listdir(source):
            below, there = self.child(source, entry.name), self.child(target, entry.name)
            if entry.is_dir:
                self.copy_tree(below, there)
            else:
                self.copy_file(below, there)

    # -- quota, current directory, completion ----------------------------------------------

    def usage(self, area: Area) -> Usage:
        return quota.usage(area, self.files)

    def areas(self) -> list[Area]:
        return [Area("user", str(self.user.pk))] + [
            Area("team", slug) for slug in sorted(access.team_slugs(self.user))
        ]

    def completions(self, word: str, folders_only: bool = False) -> list[str]:
        """Paths that complete `word` (folders end in `/`); hidden names only after a `.`."""
        folder_text, slash, prefix = word.rpartition("/")
        try:
            entries = self.listdir(self.locate((folder_text or "/") if slash else "."))
        except WorkspaceError:
            return []
        head = word[: len(word) - len(prefix)]
        return [
            head + entry.name + ("/" if entry.is_dir else "")
            for entry in entries
            if entry.name.startswith(prefix)
            and (prefix.startswith(".") or not entry.name.startswith("."))
            and (entry.is_dir or not folders_only)
            and not entry.is_link
        ]

    def with_cwd(self, cwd: Parts) -> Workspace:
        return Workspace(self.user, cwd, self.files)

    # -- checks -----------------------------------------------------------------------------

    def _check_writable(self, where: Location) -> None:
        if where.area is None or where.access != "write":
            raise PermissionDenied(where.shown)

    def _check_parent(self, where: Location) -> None:
        if where.is_top:
            raise PermissionDenied(where.shown)
        parent = replace(where, parts=where.parent_parts, key=posixpath.dirname(where.key))
        try:
            entry = self.stat(parent)
        except NotFound:
            raise NotFound(where.shown) from None
        if not entry.is_dir:
            raise NotADirectory(where.shown)

    def _area(self, where: Location) -> Area:
        assert where.area is not None
        return where.area


def load_cwd(user: Any, terminal_id: str) -> Parts:
    """The terminal's current directory (the top for API runs, which have no terminal)."""
    if not terminal_id:
        return ()
    row = WorkingDirectory.objects.filter(user=user, terminal_id=terminal_id).first()
    return paths.parse_stored(row.path) if row is not None else ()


def save_cwd(user: Any, terminal_id: str, parts: Parts) -> None:
    WorkingDirectory.objects.update_or_create(
        user=user, terminal_id=terminal_id, defaults={"path": "/".join(parts)}
    )


def for_terminal(user: Any, terminal_id: str, files: Files | None = None) -> Workspace:
    """The user's workspace from the terminal's current directory (read when first needed)."""
    return Workspace(user, lambda: load_cwd(user, terminal_id), files)


__all__ = ["Location", "PathRefused", "Workspace", "for_terminal", "load_cwd", "save_cwd"]
