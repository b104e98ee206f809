"""The user's workspace as `aws s3 cp|mv|sync` reaches it, and what else the commands
layer hands the engine for a transfer. The engine is Django-free: it never imports
console.workspace; console/commands/workspacefiles.py implements `LocalFiles` on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Protocol


@dataclass(frozen=True)
class LocalEntry:
    name: str
    is_dir: bool
    size: int = 0
    modified: datetime | None = None


class LocalFiles(Protocol):
    """The user's workspace as `aws s3` sees it. Paths are absolute in the workspace
    (`/notes/a.txt`); failures are OSErrors with the text a file system gives."""

    @property
    def cwd(self) -> str:
        """The terminal's current folder (`/` for the top)."""

    def resolve(self, typed: str) -> str:
        """`typed` from the current folder as an absolute path; OSError if refused."""

    def stat(self, path: str) -> LocalEntry | None: ...

    def listdir(self, path: str) -> list[LocalEntry]: ...

    def open(self, path: str) -> IO[bytes]: ...

    def write(self, path: str, chunks: Iterable[bytes], modified: datetime | None) -> None:
        """Store `chunks` at `path`, making missing folders, all or nothing; `modified`
        becomes the file's time where the storage can keep one."""

    def placing(
        self, path: str, size: int, modified: datetime | None
    ) -> AbstractContextManager[IO[bytes]] | None:
        """`write` for bytes that arrive out of order: a seekable file of `size` bytes
        (room for them is reserved first) put at `path` when the block ends, all or nothing;
        None where the storage cannot give one (then `write` the bytes in order)."""

    def remove(self, path: str) -> None: ...

    def make_dirs(self, path: str) -> None: ...


@dataclass(frozen=True)
class Local:
    """What the commands layer hands down: the workspace, the run's stdin, the profile's
    `s3` settings and whether the output is a terminal (for the progress line)."""

    files: LocalFiles | None
    stdin: Callable[[], bytes | None] | None = None
    s3_settings: dict[str, Any] = field(default_factory=dict)
    tty: bool = False
