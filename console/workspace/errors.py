"""The workspace's errors: what went wrong with which path, worded as the system would.

People know these words from a shell (`No such file or directory`, `Is a directory`), and
the AWS CLI prints Python's `OSError` text for a file it cannot read (`[Errno 2] No such
file or directory: 'policy.json'`). So each error carries the strerror and the errno a
real file system would give, and the path as the user typed it; the builtins put them in
coreutils' sentences, the parameter files in the CLI's. Refusals that only this console
makes (a path out of the workspace, a control character) carry a plain sentence instead."""

from __future__ import annotations

import errno as errnos
import re

from console.errors import ConsoleError, ExitCode

# C0, DEL and C1 controls, and the bidirectional overrides that make a name read as another.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` safe to print: control characters shown as `?`, as `ls` shows them on a terminal."""
    return CONTROL.sub("?", text)


class WorkspaceError(ConsoleError):
    """A file operation that failed; `strerror` is the reason, `path` as typed."""

    exit_code = ExitCode.FAILED
    errno: int | None = None
    strerror = "Input/output error"

    def __init__(self, path: str, strerror: str | None = None) -> None:
        self.path = path
        if strerror is not None:
            self.strerror = strerror
        prefix = f"[Errno {self.errno}] " if self.errno is not None else ""
        super().__init__(f"{prefix}{self.strerror}: '{visible(path)}'")


class NotFound(WorkspaceError):
    errno = errnos.ENOENT
    strerror = "No such file or directory"


class NotADirectory(WorkspaceError):
    errno = errnos.ENOTDIR
    strerror = "Not a directory"


class IsADirectory(WorkspaceError):
    errno = errnos.EISDIR
    strerror = "Is a directory"


class AlreadyExists(WorkspaceError):
    errno = errnos.EEXIST
    strerror = "File exists"


class NotEmpty(WorkspaceError):
    errno = errnos.ENOTEMPTY
    strerror = "Directory not empty"


class PermissionDenied(WorkspaceError):
    errno = errnos.EACCES
    strerror = "Permission denied"


class PathRefused(WorkspaceError):
    """A path this console will not follow: out of the workspace, absolute, a link, a name
    with control characters. The strerror says which and what to do instead."""


class QuotaExceeded(WorkspaceError):
    """A write that would take a workspace over its quota; nothing of it was kept."""

    errno = errnos.EDQUOT
    strerror = "Disk quota exceeded"

    def __init__(self, path: str, detail: str) -> None:
        self.detail = detail
        super().__init__(path)
        self.message = f"{self.message} ({detail})"
