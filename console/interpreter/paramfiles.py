"""`file://` and `fileb://` values, read as the AWS CLI reads them (awscli/paramfile.py).

A parameter whose value starts with `file://` is replaced by the file's text (UTF-8,
newlines made `\\n` as Python's text mode makes them), one starting with `fileb://` by its
bytes, before the value is parsed; so is a `--cli-input-json|yaml` value and a shorthand
`key@=file://...` value. The CLI's errors are kept word for word: `Unable to load
paramfile file://x: [Errno 2] No such file or directory: 'x'`, and its advice to use
`fileb://` for a file that is not text.

Django-free: the interpreter never opens a file. The caller hands `parse_command` a
reader (`Reader`: a path as typed -> the file's bytes, raising OSError with the system's
text), which the commands layer builds from the user's workspace; without one, file
values are refused, and the server's own files are never read.

A streaming blob (`s3api put-object --body PATH`) is a path, not a `file://` value: the CLI
opens the file and hands botocore the open file. Here the value is a `StreamingFile`, which
the engine opens through the workspace just before the request (engine.bodies), so the
body is streamed from the workspace and a parse (in the web process too) holds no file open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import CommandError, general_error, param_error

FILE_PREFIXES = ("file://", "fileb://")
Reader = Callable[[str], bytes]


@dataclass(frozen=True)
class StreamingFile:
    """A streaming blob's value: the path as typed (from the terminal's current folder),
    and the option it was given to, for the CLI's error if it names no file."""

    path: str
    cli_name: str


def is_file_value(text: str) -> bool:
    return text.startswith(FILE_PREFIXES)


def load(text: str, reader: Reader | None, cli_name: str | None, position: int | None) -> str | bytes:
    """The content `text` (a `file://` or `fileb://` value) names: str or bytes. Errors
    name the parameter (`cli_name`), except inside shorthand (None), where the CLI's
    loader error reaches its general handler unwrapped."""
    if reader is None:
        raise refusal(cli_name or "shorthand", position)
    binary = text.startswith("fileb://")
    path = text[len("fileb://") :] if binary else text[len("file://") :]
    try:
        data = reader(path)
    except OSError as error:
        raise _failure(f"Unable to load paramfile {text}: {error}", cli_name, position) from None
    return data if binary else _decoded(data, path, cli_name, position)


def load_text(text: str, reader: Reader | None, cli_name: str, position: int | None) -> str:
    """As `load`, for places that parse text (input documents): bytes are read as UTF-8."""
    loaded = load(text, reader, cli_name, position)
    if isinstance(loaded, bytes):
        return _decoded(loaded, text.removeprefix("fileb://"), cli_name, position)
    return loaded


def _decoded(data: bytes, path: str, cli_name: str | None, position: int | None) -> str:
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _failure(
            f"Unable to load paramfile ({path}), text contents could not be decoded.  If this is a "
            "binary file, please use the fileb:// prefix instead of the file:// prefix.",
            cli_name,
            position,
        ) from None
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def _failure(detail: str, cli_name: str | None, position: int | None) -> CommandError:
    return general_error(detail, position) if cli_name is None else param_error(cli_name, detail, position)


def refusal(cli_name: str, position: int | None) -> CommandError:
    return param_error(
        cli_name,
        "file:// and fileb:// values are read from your workspace, and this command has none",
        position,
    )
