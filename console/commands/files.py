"""The file builtins: `ls`, `cat`, `rm`, `mv`, `cp`, `mkdir`, `df`, `pwd` and `cd`, on the
user's workspace (console/workspace/); `ls` itself is listing.py.

They answer as GNU coreutils and bash answer, because that is what people read and what
scripts test: the same sentences (`ls: cannot access 'x': No such file or directory`),
the same exit codes (`ls` 2 for a name it cannot access, the others 1), `ls` in columns
on a terminal and one name a line otherwise, names sorted bytewise as in the C locale.
Where a workspace is not a disk they say so plainly: `pwd` prints `~/a/b` (there is no
absolute path to print), `ls -l` shows the owner (user or team) and what the user may do,
and `cat` prints text only, up to CONSOLE_CAT_MAX_BYTES, with control characters shown
(a file may come from anyone: an S3 object, a teammate)."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings

from console.commands.browserfiles import run_download, run_upload
from console.commands.context import CommandContext
from console.commands.listing import run_ls
from console.commands.shellwords import UsageProblem, missing, parse_words, quoted, say, workspace_of
from console.errors import ExitCode
from console.interpreter import Builtin
from console.output.controls import show_controls
from console.workspace.errors import IsADirectory, NotFound, QuotaExceeded, WorkspaceError, visible
from console.workspace.files import Entry
from console.workspace.quota import human_size
from console.workspace.service import Location, Workspace, save_cwd


def run_file_builtin(builtin: Builtin, ctx: CommandContext) -> int:
    try:
        return FILE_HANDLERS[builtin.name](builtin.args, ctx)
    except UsageProblem as problem:
        ctx.write("stderr", problem.message)
        return problem.exit_code


# -- cat ------------------------------------------------------------------------------------


def _cat(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("cat", args, "", {})
    if not words.operands or "-" in words.operands:
        say(ctx, "cat", "reading standard input is not supported here; name a file")
        return ExitCode.FAILED
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    for typed in words.operands:
        try:
            ctx.write("stdout", _text_of(ws, typed))
        except WorkspaceError as exc:
            say(ctx, "cat", f"{visible(typed)}: {exc.strerror}")
            code = ExitCode.FAILED
    return code


def _text_of(ws: Workspace, typed: str) -> str:
    limit = settings.CONSOLE_CAT_MAX_BYTES
    where = ws.locate(typed)
    if ws.stat(where).size > limit:
        raise WorkspaceError(
            typed, f"larger than {human_size(limit)}, the most cat shows (CONSOLE_CAT_MAX_BYTES); download it"
        )
    data = ws.read_bytes(where, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkspaceError(typed, "binary file (not UTF-8 text); not shown") from None
    if "\x00" in text:
        raise WorkspaceError(typed, "binary file (it holds NUL bytes); not shown")
    return show_controls(text)


# -- rm, mkdir ------------------------------------------------------------------------------


def _rm(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("rm", args, "rRfv", {"--recursive": "r", "--force": "f", "--verbose": "v"})
    recursive, force = bool(words.flags & {"r", "R"}), "f" in words.flags
    if not words.operands:
        if force:
            return ExitCode.OK
        raise missing("rm")
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    for typed in words.operands:
        if recursive and typed.rstrip("/").rsplit("/", 1)[-1] in (".", ".."):
            say(ctx, "rm", f"refusing to remove '.' or '..' directory: skipping {quoted(typed)}")
            code = ExitCode.FAILED
            continue
        try:
            _remove(ws, ws.locate(typed), recursive, ctx if "v" in words.flags else None)
        except NotFound:
            if not force:
                say(ctx, "rm", f"cannot remove {quoted(typed)}: No such file or directory")
                code = ExitCode.FAILED
        except WorkspaceError as exc:
            say(ctx, "rm", f"cannot remove {quoted(typed)}: {exc.strerror}")
            code = ExitCode.FAILED
    return code


def _remove(ws: Workspace, where: Location, recursive: bool, verbose: CommandContext | None) -> None:
    entry = ws.stat(where)
    report = (lambda below: verbose.write("stdout", f"removed {quoted(below.shown)}\n")) if verbose else None
    if not entry.is_dir:
        ws.remove_file(where)
    elif not recursive:
        raise IsADirectory(where.shown)
    else:
        ws.remove_tree(where, report)
    if report is not None:
        word = "directory " if entry.is_dir else ""
        verbose.write("stdout", f"removed {word}{quoted(where.shown)}\n")  # type: ignore[union-attr]


def _mkdir(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("mkdir", args, "pv", {"--parents": "p", "--verbose": "v"})
    if not words.operands:
        raise missing("mkdir")
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    for typed in words.operands:
        try:
            for where in _to_make(ws, typed, parents="p" in words.flags):
                ws.make_dir(where)
                if "v" in words.flags:
                    ctx.write("stdout", f"mkdir: created directory {quoted(where.shown)}\n")
        except WorkspaceError as exc:
            say(ctx, "mkdir", f"cannot create directory {quoted(typed)}: {exc.strerror}")
            code = ExitCode.FAILED
    return code


def _to_make(ws: Workspace, typed: str, parents: bool) -> list[Location]:
    target = ws.locate(typed)
    if not parents:
        return [target]
    missing_ones = []
    parts = target.parts
    while parts:
        where = ws.location(parts, "/".join(parts))
        entry = ws.exists(where)
        if entry is not None:
            if not entry.is_dir:
                raise WorkspaceError(typed, "Not a directory")
            break
        missing_ones.append(where)
        parts = parts[:-1]
    return list(reversed(missing_ones))


# -- cp, mv ---------------------------------------------------------------------------------


def _cp(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("cp", args, "rRv", {"--recursive": "r", "--verbose": "v"})
    recursive = bool(words.flags & {"r", "R"})
    return _transfer(
        "cp", words.operands, ctx, lambda ws, s, t: _copy(ws, s, t, recursive), "v" in words.flags
    )


def _mv(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("mv", args, "fv", {"--force": "f", "--verbose": "v"})
    return _transfer("mv", words.operands, ctx, _move, "v" in words.flags)


Transfer = Callable[[Workspace, Location, Location], None]


def _transfer(prog: str, operands: list[str], ctx: CommandContext, act: Transfer, verbose: bool) -> int:
    """cp's and mv's shared shape: `SOURCE DEST`, or `SOURCE... FOLDER`."""
    if not operands:
        raise missing(prog, "file operand")
    if len(operands) == 1:
        raise missing(prog, f"destination file operand after {quoted(operands[0])}")
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    *sources, last = operands
    try:
        target = ws.locate(last)
        target_entry = ws.exists(target)
    except WorkspaceError as exc:
        say(ctx, prog, f"target {quoted(last)}: {exc.strerror}")
        return ExitCode.FAILED
    into = target_entry is not None and target_entry.is_dir
    if len(sources) > 1 and not into:
        reason = "Not a directory" if target_entry is not None else "No such file or directory"
        say(ctx, prog, f"target {quoted(last)}: {reason}")
        return ExitCode.FAILED
    for typed in sources:
        if not _transfer_one(prog, ws, typed, target, into, act, ctx, verbose):
            code = ExitCode.FAILED
    return code


def _transfer_one(
    prog: str,
    ws: Workspace,
    typed: str,
    target: Location,
    into: bool,
    act: Transfer,
    ctx: CommandContext,
    verbose: bool,
) -> bool:
    try:
        source = ws.locate(typed)
        ws.stat(source)
    except WorkspaceError as exc:
        say(ctx, prog, f"cannot stat {quoted(typed)}: {exc.strerror}")
        return False
    try:
        destination = ws.child(target, source.basename) if into else target
        act(ws, source, destination)
    except TransferProblem as problem:
        say(ctx, prog, problem.message)
        return False
    except QuotaExceeded as exc:
        say(ctx, prog, f"error writing {quoted(exc.path)}: {exc.strerror} ({exc.detail})")
        return False
    except WorkspaceError as exc:
        if prog == "mv":
            say(ctx, prog, f"cannot move {quoted(typed)} to {quoted(destination.shown)}: {exc.strerror}")
        else:
            say(ctx, prog, f"cannot create regular file {quoted(exc.path)}: {exc.strerror}")
        return False
    if verbose:
        ctx.write("stdout", f"{quoted(typed)} -> {quoted(destination.shown)}\n")
    return True


class TransferProblem(WorkspaceError):
    """A cp/mv refusal with coreutils' whole sentence (`'a' and 'a' are the same file`)."""

    def __init__(self, sentence: str) -> None:
        super().__init__("", sentence)
        self.message = sentence


def _check_pair(prog: str, ws: Workspace, source: Location, target: Location) -> Entry:
    entry = ws.stat(source)
    if source.parts == target.parts:
        raise TransferProblem(f"{quoted(source.shown)} and {quoted(target.shown)} are the same file")
    existing = ws.exists(target)
    if entry.is_dir and target.parts[: len(source.parts)] == source.parts:
        if prog == "cp":
            raise TransferProblem(
                f"cannot copy a directory, {quoted(source.shown)}, into itself, {quoted(target.shown)}"
            )
        raise TransferProblem(
            f"cannot move {quoted(source.shown)} to a subdirectory of itself, {quoted(target.shown)}"
        )
    if entry.is_dir and existing is not None and not existing.is_dir:
        raise TransferProblem(
            f"cannot overwrite non-directory {quoted(target.shown)} with directory {quoted(source.shown)}"
        )
    if not entry.is_dir and existing is not None and existing.is_dir:
        raise TransferProblem(
            f"cannot overwrite directory {quoted(target.shown)} with non-directory {quoted(source.shown)}"
        )
    return entry


def _copy(ws: Workspace, source: Location, target: Location, recursive: bool) -> None:
    entry = ws.stat(source)
    if entry.is_dir and not recursive:
        raise TransferProblem(f"-r not specified; omitting directory {quoted(source.shown)}")
    _check_pair("cp", ws, source, target)
    if entry.is_dir:
        ws.copy_tree(source, target)
    else:
        ws.copy_file(source, target)


def _move(ws: Workspace, source: Location, target: Location) -> None:
    _check_pair("mv", ws, source, target)
    ws.move(source, target)


# -- df, pwd, cd ----------------------------------------------------------------------------


def _df(args: tuple[str, ...], ctx: CommandContext) -> int:
    parse_words("df", args, "h", {"--human-readable": "h"})
    ws = workspace_of(ctx)
    rows: list[tuple[str, ...]] = [("Workspace", "Size", "Used", "Avail", "Use%", "Mounted on")]
    for area in ws.areas():
        use = ws.usage(area)
        used = use.used + use.reserved
        percent = f"{math.ceil(used * 100 / use.quota)}%" if use.quota else "-"
        place = "~" if area.kind == "user" else f"~/team/{area.key}"
        rows.append(
            (area.label, human_size(use.quota), human_size(used), human_size(use.free), percent, place)
        )
    ctx.write("stdout", _table(rows))
    return ExitCode.OK


def _table(rows: list[tuple[str, ...]]) -> str:
    """df's layout: the first column left-aligned, the numbers right-aligned, the last as is."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:-1])]
        lines.append(" ".join([*cells, row[-1]]) + "\n")
    return "".join(lines)


def _pwd(args: tuple[str, ...], ctx: CommandContext) -> int:
    ws = workspace_of(ctx)
    ctx.write("stdout", ("~/" + "/".join(ws.cwd) if ws.cwd else "~") + "\n")
    return ExitCode.OK


def _cd(args: tuple[str, ...], ctx: CommandContext) -> int:
    if not ctx.caller.has_terminal:
        say(ctx, "cd", "only a terminal has a current directory; API runs start at the top of the workspace")
        return ExitCode.FAILED
    if len(args) > 1:
        say(ctx, "cd", "too many arguments")
        return ExitCode.FAILED
    ws = workspace_of(ctx)
    typed = args[0] if args else "~"
    try:
        where = ws.locate(typed)
        if not ws.stat(where).is_dir:
            raise WorkspaceError(typed, "Not a directory")
    except WorkspaceError as exc:
        say(ctx, "cd", f"{visible(typed)}: {exc.strerror}")
        return ExitCode.FAILED
    save_cwd(ctx.user, ctx.caller.terminal_id, where.parts)
    ctx.workspace = ws.with_cwd(where.parts)
    return ExitCode.OK


# By name, as console.interpreter's FILE_BUILTINS parses them.
FILE_HANDLERS: dict[str, Callable[[tuple[str, ...], CommandContext], int]] = {
    "ls": run_ls,
    "cat": _cat,
    "rm": _rm,
    "mv": _mv,
    "cp": _cp,
    "mkdir": _mkdir,
    "df": _df,
    "pwd": _pwd,
    "cd": _cd,
    "upload": run_upload,
    "download": run_download,
}
