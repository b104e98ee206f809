"""The file builtins: `ls`, `cat`, `rm`, `mv`, `cp`, `mkdir`, `df`, `pwd` and `cd`, on the
user's workspace (console/workspace/).

They answer as GNU coreutils and bash answer, because that is what people read and what
scripts test: the same sentences (`ls: cannot access 'x': No such file or directory`),
the same exit codes (`ls` 2 for a name it cannot access, the others 1), `ls` in columns
on a terminal and one name a line otherwise, names sorted bytewise as in the C locale.
Where a workspace is not a disk they say so plainly: `pwd` prints `~/a/b` (there is no
absolute path to print), `ls -l` shows the owner (user or team) and what the user may do,
and `cat` prints text only, up to CONSOLE_CAT_MAX_BYTES, with control characters shown
(a file may come from anyone: an S3 object, a teammate)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

from django.conf import settings

from console.commands.context import CommandContext
from console.commands.shellwords import UsageProblem, missing, parse_words
from console.errors import ExitCode
from console.interpreter import Builtin
from console.output.controls import show_controls
from console.workspace.errors import IsADirectory, NotFound, QuotaExceeded, WorkspaceError, visible
from console.workspace.files import Entry
from console.workspace.quota import human_size
from console.workspace.service import Location, Workspace, save_cwd

LS_TROUBLE = int(ExitCode.TROUBLE)


def run_file_builtin(builtin: Builtin, ctx: CommandContext) -> int:
    try:
        return FILE_HANDLERS[builtin.name](builtin.args, ctx)
    except UsageProblem as problem:
        ctx.write("stderr", problem.message)
        return problem.exit_code


def _workspace(ctx: CommandContext) -> Workspace:
    assert isinstance(ctx.workspace, Workspace), "the run's context carries the user's workspace"
    return ctx.workspace


def _say(ctx: CommandContext, prog: str, text: str) -> None:
    ctx.write("stderr", f"{prog}: {text}\n")


def _q(path: str) -> str:
    return f"'{visible(path)}'"


# -- ls -------------------------------------------------------------------------------------


def _ls(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("ls", args, "la1", {"--all": "a"}, usage_code=LS_TROUBLE)
    ws, code = _workspace(ctx), int(ExitCode.OK)
    files: list[tuple[Location, Entry]] = []
    folders: list[Location] = []
    for typed in sorted(words.operands or ["."], key=_c_order):
        try:
            where = ws.locate(typed)
            entry = ws.stat(where)
        except WorkspaceError as exc:
            _say(ctx, "ls", f"cannot access {_q(typed)}: {exc.strerror}")
            code = LS_TROUBLE
            continue
        if entry.is_dir:
            folders.append(where)
        else:
            files.append((where, Entry(typed, False, entry.size, entry.modified)))
    blocks = []
    if files:
        blocks.append(_layout([entry for _, entry in files], words.flags, ctx, owner=_owner(ws, files[0][0])))
    headed = len(files) + len(folders) > 1
    for where in folders:
        try:
            text = _listing(ws, where, words.flags, ctx)
        except WorkspaceError as exc:
            _say(ctx, "ls", f"cannot open directory {_q(where.shown)}: {exc.strerror}")
            code = LS_TROUBLE
            continue
        blocks.append((f"{visible(where.shown)}:\n" if headed else "") + text)
    ctx.write("stdout", "\n".join(blocks))
    return code


def _listing(ws: Workspace, where: Location, flags: set[str], ctx: CommandContext) -> str:
    entries = ws.listdir(where)
    if "a" in flags:
        entries = [Entry(".", True), Entry("..", True), *entries]
    else:
        entries = [e for e in entries if not e.name.startswith(".")]
    entries.sort(key=lambda e: _c_order(e.name))
    text = _layout(entries, flags, ctx, owner=_owner(ws, where), access=where.access)
    if "l" in flags:
        blocks = sum(math.ceil(e.size / 1024) for e in entries if not e.is_dir)
        return f"total {blocks}\n{text}"
    return text


def _layout(
    entries: list[Entry], flags: set[str], ctx: CommandContext, owner: str, access: str = "write"
) -> str:
    names = [visible(e.name) for e in entries]
    if not names:
        return ""
    if "l" in flags:
        return _long(entries, names, owner, access)
    if "1" in flags or not ctx.target.tty:
        return "".join(f"{name}\n" for name in names)
    return columns(names, ctx.target.width)


def _long(entries: list[Entry], names: list[str], owner: str, access: str) -> str:
    width = max(len(str(e.size)) for e in entries)
    now = datetime.datetime.now(datetime.UTC)
    lines = []
    for entry, name in zip(entries, names, strict=True):
        kind = "d" if entry.is_dir else "l" if entry.is_link else "-"
        mode = kind + "r" + ("w" if access == "write" else "-") + ("x" if entry.is_dir else "-") + "------"
        lines.append(f"{mode} 1 {owner} {owner} {entry.size:>{width}} {_date(entry.modified, now)} {name}\n")
    return "".join(lines)


def _date(when: datetime.datetime | None, now: datetime.datetime) -> str:
    """ls's date: `Mar  4 12:34` within six months, `Mar  4  2023` otherwise (UTC)."""
    if when is None:
        return " " * 12
    when = when.astimezone(datetime.UTC)
    recent = abs((now - when).days) < 182
    return f"{when:%b} {when.day:>2} " + (f"{when:%H:%M}" if recent else f" {when.year}")


def _owner(ws: Workspace, where: Location) -> str:
    if where.area is not None and where.area.kind == "team":
        return where.area.key
    return str(ws.user.get_username())


def columns(names: list[str], width: int) -> str:
    """GNU ls's vertical columns (`ls -C`): the most columns that fit in `width`, filled
    top to bottom, padded with tabs every 8 columns and spaces, as coreutils pads."""
    count = len(names)
    for cols in range(max(1, min(count, width // 3)), 0, -1):
        rows = math.ceil(count / cols)
        widths = [
            max(len(n) for n in names[c * rows : (c + 1) * rows]) for c in range(math.ceil(count / rows))
        ]
        if sum(w + 2 for w in widths[:-1]) + widths[-1] < width or len(widths) == 1:
            break
    lines = []
    for row in range(rows):
        line, pos = [], 0
        for col, start in enumerate(range(row, count, rows)):
            name = names[start]
            line.append(name)
            if start + rows >= count:
                break
            line.append(_indent(pos + len(name), pos + widths[col] + 2))
            pos += widths[col] + 2
        lines.append("".join(line) + "\n")
    return "".join(lines)


def _indent(start: int, end: int) -> str:
    out = []
    while start < end:
        if end // 8 > (start + 1) // 8:
            out.append("\t")
            start += 8 - start % 8
        else:
            out.append(" ")
            start += 1
    return "".join(out)


def _c_order(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


# -- cat ------------------------------------------------------------------------------------


def _cat(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("cat", args, "", {})
    if not words.operands or "-" in words.operands:
        _say(ctx, "cat", "reading standard input is not supported here; name a file")
        return ExitCode.FAILED
    ws, code = _workspace(ctx), int(ExitCode.OK)
    for typed in words.operands:
        try:
            ctx.write("stdout", _text_of(ws, typed))
        except WorkspaceError as exc:
            _say(ctx, "cat", f"{visible(typed)}: {exc.strerror}")
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
    ws, code = _workspace(ctx), int(ExitCode.OK)
    for typed in words.operands:
        if recursive and typed.rstrip("/").rsplit("/", 1)[-1] in (".", ".."):
            _say(ctx, "rm", f"refusing to remove '.' or '..' directory: skipping {_q(typed)}")
            code = ExitCode.FAILED
            continue
        try:
            _remove(ws, ws.locate(typed), recursive, ctx if "v" in words.flags else None)
        except NotFound:
            if not force:
                _say(ctx, "rm", f"cannot remove {_q(typed)}: No such file or directory")
                code = ExitCode.FAILED
        except WorkspaceError as exc:
            _say(ctx, "rm", f"cannot remove {_q(typed)}: {exc.strerror}")
            code = ExitCode.FAILED
    return code


def _remove(ws: Workspace, where: Location, recursive: bool, verbose: CommandContext | None) -> None:
    entry = ws.stat(where)
    report = (lambda below: verbose.write("stdout", f"removed {_q(below.shown)}\n")) if verbose else None
    if not entry.is_dir:
        ws.remove_file(where)
    elif not recursive:
        raise IsADirectory(where.shown)
    else:
        ws.remove_tree(where, report)
    if report is not None:
        word = "directory " if entry.is_dir else ""
        verbose.write("stdout", f"removed {word}{_q(where.shown)}\n")  # type: ignore[union-attr]


def _mkdir(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("mkdir", args, "pv", {"--parents": "p", "--verbose": "v"})
    if not words.operands:
        raise missing("mkdir")
    ws, code = _workspace(ctx), int(ExitCode.OK)
    for typed in words.operands:
        try:
            for where in _to_make(ws, typed, parents="p" in words.flags):
                ws.make_dir(where)
                if "v" in words.flags:
                    ctx.write("stdout", f"mkdir: created directory {_q(where.shown)}\n")
        except WorkspaceError as exc:
            _say(ctx, "mkdir", f"cannot create directory {_q(typed)}: {exc.strerror}")
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
        raise missing(prog, f"destination file operand after {_q(operands[0])}")
    ws, code = _workspace(ctx), int(ExitCode.OK)
    *sources, last = operands
    try:
        target = ws.locate(last)
        target_entry = ws.exists(target)
    except WorkspaceError as exc:
        _say(ctx, prog, f"target {_q(last)}: {exc.strerror}")
        return ExitCode.FAILED
    into = target_entry is not None and target_entry.is_dir
    if len(sources) > 1 and not into:
        reason = "Not a directory" if target_entry is not None else "No such file or directory"
        _say(ctx, prog, f"target {_q(last)}: {reason}")
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
        _say(ctx, prog, f"cannot stat {_q(typed)}: {exc.strerror}")
        return False
    try:
        destination = ws.child(target, source.basename) if into else target
        act(ws, source, destination)
    except TransferProblem as problem:
        _say(ctx, prog, problem.message)
        return False
    except QuotaExceeded as exc:
        _say(ctx, prog, f"error writing {_q(exc.path)}: {exc.strerror} ({exc.detail})")
        return False
    except WorkspaceError as exc:
        if prog == "mv":
            _say(ctx, prog, f"cannot move {_q(typed)} to {_q(destination.shown)}: {exc.strerror}")
        else:
            _say(ctx, prog, f"cannot create regular file {_q(exc.path)}: {exc.strerror}")
        return False
    if verbose:
        ctx.write("stdout", f"{_q(typed)} -> {_q(destination.shown)}\n")
    return True


class TransferProblem(WorkspaceError):
    """A cp/mv refusal with coreutils' whole sentence (`'a' and 'a' are the same file`)."""

    def __init__(self, sentence: str) -> None:
        super().__init__("", sentence)
        self.message = sentence


def _check_pair(prog: str, ws: Workspace, source: Location, target: Location) -> Entry:
    entry = ws.stat(source)
    if source.parts == target.parts:
        raise TransferProblem(f"{_q(source.shown)} and {_q(target.shown)} are the same file")
    existing = ws.exists(target)
    if entry.is_dir and target.parts[: len(source.parts)] == source.parts:
        if prog == "cp":
            raise TransferProblem(
                f"cannot copy a directory, {_q(source.shown)}, into itself, {_q(target.shown)}"
            )
        raise TransferProblem(
            f"cannot move {_q(source.shown)} to a subdirectory of itself, {_q(target.shown)}"
        )
    if entry.is_dir and existing is not None and not existing.is_dir:
        raise TransferProblem(
            f"cannot overwrite non-directory {_q(target.shown)} with directory {_q(source.shown)}"
        )
    if not entry.is_dir and existing is not None and existing.is_dir:
        raise TransferProblem(
            f"cannot overwrite directory {_q(target.shown)} with non-directory {_q(source.shown)}"
        )
    return entry


def _copy(ws: Workspace, source: Location, target: Location, recursive: bool) -> None:
    entry = ws.stat(source)
    if entry.is_dir and not recursive:
        raise TransferProblem(f"-r not specified; omitting directory {_q(source.shown)}")
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
    ws = _workspace(ctx)
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
    ws = _workspace(ctx)
    ctx.write("stdout", ("~/" + "/".join(ws.cwd) if ws.cwd else "~") + "\n")
    return ExitCode.OK


def _cd(args: tuple[str, ...], ctx: CommandContext) -> int:
    if not ctx.caller.has_terminal:
        _say(ctx, "cd", "only a terminal has a current directory; API runs start at the top of the workspace")
        return ExitCode.FAILED
    if len(args) > 1:
        _say(ctx, "cd", "too many arguments")
        return ExitCode.FAILED
    ws = _workspace(ctx)
    typed = args[0] if args else "~"
    try:
        where = ws.locate(typed)
        if not ws.stat(where).is_dir:
            raise WorkspaceError(typed, "Not a directory")
    except WorkspaceError as exc:
        _say(ctx, "cd", f"{visible(typed)}: {exc.strerror}")
        return ExitCode.FAILED
    save_cwd(ctx.user, ctx.caller.terminal_id, where.parts)
    ctx.workspace = ws.with_cwd(where.parts)
    return ExitCode.OK


# By name, as console.interpreter's FILE_BUILTINS parses them.
FILE_HANDLERS: dict[str, Callable[[tuple[str, ...], CommandContext], int]] = {
    "ls": _ls,
    "cat": _cat,
    "rm": _rm,
    "mv": _mv,
    "cp": _cp,
    "mkdir": _mkdir,
    "df": _df,
    "pwd": _pwd,
    "cd": _cd,
}
