"""Streaming request bodies (`s3api put-object --body PATH`, `upload-part`, `glacier
upload-archive`, ...): the workspace file is opened just before the request and handed to
botocore as the open file, as the CLI hands it the file it opened, so the body is streamed
(botocore reads it in chunks, and seeks back to sign, checksum and retry), never read whole.
The parser leaves a `StreamingFile` (the path as typed) where the CLI would have the file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import IO, Any, Protocol

from console.errors import ConsoleError, ExitCode
from console.interpreter.paramfiles import StreamingFile


class BodyFiles(Protocol):
    def open_body(self, path: str) -> IO[bytes]: ...


@contextmanager
def opened_bodies(parameters: Mapping[str, Any], files: BodyFiles | None) -> Iterator[dict[str, Any]]:
    """`parameters` with each `StreamingFile` replaced by the open file, closed after."""
    with ExitStack() as stack:
        opened = {
            name: stack.enter_context(_open(value, files)) if isinstance(value, StreamingFile) else value
            for name, value in parameters.items()
        }
        yield opened


def _open(value: StreamingFile, files: BodyFiles | None) -> IO[bytes]:
    if files is None:
        raise ConsoleError("this command has no workspace to read its body from", ExitCode.OTHER)
    try:
        return files.open_body(value.path)
    except OSError:
        # The CLI's check (os.path.isfile) and its words, whatever the reason.
        raise ConsoleError(
            f"Error parsing parameter '{value.cli_name}': Blob values must be a path to a file.",
            ExitCode.USAGE,
            leading_newline=True,
        ) from None
