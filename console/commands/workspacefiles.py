"""The workspace as the Django-free layers see it: the interpreter's `file://` reader and
the engine's `OutputFiles`. Paths are as the user typed them, relative to the terminal's
current directory; failures are OSErrors with the text a file system gives, which is
what the AWS CLI prints for a file it cannot read or write."""

from __future__ import annotations

from collections.abc import Iterable

from console.workspace.errors import WorkspaceError
from console.workspace.service import Workspace


class WorkspaceFiles:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def read(self, path: str) -> bytes:
        """A `file://` or `fileb://` value's bytes (console.interpreter's `Reader`)."""
        try:
            return self.workspace.read_param_file(path)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None

    def write(self, path: str, chunks: Iterable[bytes]) -> None:
        """An operation's streamed output (console.engine's `OutputFiles`)."""
        try:
            self.workspace.write(self.workspace.locate(path), chunks)
        except WorkspaceError as exc:
            raise OSError(exc.message) from None
