"""`upload [folder]` and `download <path>`: files between the workspace and the browser.

The bytes never travel over the websocket: the command checks the path as every file
command does, then asks the browser terminal to act (`CommandContext.ask_browser`, a
`files` frame, docs/protocol.md). For `upload` the browser opens its file picker and
sends the chosen files through the files panel's chunked uploads; for `download` it
fetches the download endpoint (console/terminal/files.py), which checks the path again.
Over the API, or on a run page, there is no browser terminal to ask, and they say so."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from console.commands.context import CommandContext
from console.commands.shellwords import missing, parse_words, quoted, say, workspace_of
from console.errors import ExitCode
from console.workspace.errors import NotADirectory, WorkspaceError

NEEDS_BROWSER = (
    "needs the browser terminal (it uses the browser's files); over the API, "
    "use the files endpoints under /files/ (docs/workspace.md)"
)


def run_upload(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("upload", args, "", {})
    if len(words.operands) > 1:
        say(ctx, "upload", f"extra operand {quoted(words.operands[1])}; name one folder")
        return ExitCode.FAILED
    if not ctx.in_browser:
        say(ctx, "upload", NEEDS_BROWSER)
        return ExitCode.FAILED
    typed = words.operands[0] if words.operands else "."
    ws = workspace_of(ctx)
    try:
        where = ws.locate(typed)
        if not ws.stat(where).is_dir:
            raise NotADirectory(typed)
        if where.area is None or where.access != "write":
            raise WorkspaceError(typed, "Permission denied")
    except WorkspaceError as exc:
        say(ctx, "upload", f"cannot upload to {quoted(typed)}: {exc.strerror}")
        return ExitCode.FAILED
    ctx.ask_browser({"action": "upload", "folder": "/".join(where.parts), "shown": typed.rstrip("/") or "."})
    ctx.write("stdout", f"upload: choose the files to upload to {_place(where.parts)} in your browser\n")
    return ExitCode.OK


def run_download(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("download", args, "", {})
    if not words.operands:
        raise missing("download")
    if not ctx.in_browser:
        say(ctx, "download", NEEDS_BROWSER)
        return ExitCode.FAILED
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    for typed in words.operands:
        try:
            where = ws.locate(typed)
            entry = ws.stat(where)
        except WorkspaceError as exc:
            say(ctx, "download", f"cannot download {quoted(typed)}: {exc.strerror}")
            code = ExitCode.FAILED
            continue
        name = f"{where.basename if where.parts else 'workspace'}.zip" if entry.is_dir else where.basename
        url = reverse("files:download") + "?" + urlencode({"path": "/".join(where.parts)})
        ctx.ask_browser({"action": "download", "url": url, "name": name})
        what = "as a zip" if entry.is_dir else f"({cli_size(entry.size)})"
        ctx.write("stdout", f"download: {quoted(typed)} {what} to your browser's downloads as {name}\n")
    return code


def cli_size(size: int) -> str:
    """A size as the AWS CLI's transfers print it (`143 Bytes`, `1.2 KiB`), as the panel does."""
    if size < 1024:
        return f"{size} Bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def _place(parts: tuple[str, ...]) -> str:
    return "~/" + "/".join(parts) if parts else "~"
