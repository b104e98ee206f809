"""The workspace as the Django-free layers see it: the interpreter's `file://` reader,
the engine's `OperationFiles` (outfiles, streaming bodies) and the `LocalFiles` of `aws s3
cp|mv|sync`. Paths typed by the user are relative to the terminal's current directory;
`aws s3` works with absolute workspace paths (`/notes/a.txt`, `/` being `~`), which this class turns back into
locations, so every check of console.workspace (areas, team access, links, quota) holds.
Failures are OSErrors with the text a file system gives, which is what the AWS CLI
prints for a file it cannot read or write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import IO, cast

from console.engine.localfiles import LocalEntry
from console.workspace.errors import NotADirectory, WorkspaceError
from console.workspace.service import Location, Workspace


class WorkspaceFiles:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def read(self, path: str) -> bytes:
        """A `file://` or `fileb://` value's bytes (console.interpreter's `Reader`)."""
        try:
            return self.workspace.read_param_file(path)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def write(self, path: str, chunks: Iterable[bytes], modified: datetime | None = None) -> None:
        """An operation's streamed output (console.engine's `OperationFiles`), or a download
        of `aws s3` to an absolute workspace path, whose missing folders are made first."""
        try:
            if path.startswith("/"):
                self.make_dirs(path.rsplit("/", 1)[0] or "/")
                self.workspace.write(self._at(path), chunks, modified)
            else:
                self.workspace.write(self.workspace.locate(path), chunks)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def open_body(self, path: str) -> IO[bytes]:
        """A streaming blob's file (console.engine's `OperationFiles`), from the current
        folder, through the same checks as `fileb://`; Django's File knows its length
        (`len()`) and seeks, which botocore needs to sign and to retry."""
        try:
            return cast(IO[bytes], self.workspace.open(self.workspace.locate(path)))
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    # -- console.engine.s3local.LocalFiles ---------------------------------------------------

    @property
    def cwd(self) -> str:
        return "/" + "/".join(self.workspace.cwd)

    def resolve(self, typed: str) -> str:
        try:
            return "/" + "/".join(self.workspace.locate(typed).parts)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def stat(self, path: str) -> LocalEntry | None:
        try:
            entry = self.workspace.exists(self._at(path))
        except NotADirectory:
            return None
        except WorkspaceError as exc:
            raise OSError(exc.message) from None
        if entry is None:
            return None
        return LocalEntry(entry.name, entry.is_dir, entry.size, entry.modified)

    def listdir(self, path: str) -> list[LocalEntry]:
        try:
            entries = self.workspace.listdir(self._at(path))
        except WorkspaceError as exc:
            raise OSError(exc.message) from None
        # Links are never followed in the workspace; the `team` folder is not a file tree of its own.
        return [LocalEntry(e.name, e.is_dir, e.size, e.modified) for e in entries if not e.is_link]

    def open(self, path: str) -> IO[bytes]:
        try:
            return cast(IO[bytes], self.workspace.open(self._at(path)))
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def placing(
        self, path: str, size: int, modified: datetime | None
    ) -> AbstractContextManager[IO[bytes]] | None:
        """A download of `aws s3` written at offsets (Workspace.placing), to an absolute
        workspace path whose missing folders are made first; None where the storage
        cannot (an object store: `write` it in order instead)."""
        if not self.workspace.writes_in_place:
            return None
        return self._placing(path, size, modified)

    @contextmanager
    def _placing(self, path: str, size: int, modified: datetime | None) -> Iterator[IO[bytes]]:
        try:
            self.make_dirs(path.rsplit("/", 1)[0] or "/")
            with self.workspace.placing(self._at(path), size, modified) as file:
                yield file
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def remove(self, path: str) -> None:
        try:
            self.workspace.remove_file(self._at(path))
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def make_dirs(self, path: str) -> None:
        """`mkdir -p`: every missing folder on the way to `path`."""
        parts = self._parts(path)
        try:
            for depth in range(1, len(parts) + 1):
                where = self.workspace.location(parts[:depth], "/".join(parts[:depth]))
                entry = self.workspace.exists(where)
                if entry is None:
                    self.workspace.make_dir(where)
                elif not entry.is_dir:
                    raise NotADirectory(where.shown)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def _at(self, path: str) -> Location:
        parts = self._parts(path)
        return self.workspace.location(parts, "/".join(parts) or "~")

    @staticmethod
    def _parts(path: str) -> tuple[str, ...]:
        return tuple(part for part in path.split("/") if part)
