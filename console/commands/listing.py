"""`ls`, as GNU ls answers: files first, then each folder (headed when there are several),
columns on a terminal in `ls -C`'s layout (padded with tabs every 8 columns, as coreutils
pads), one name a line otherwise, names in bytewise (C locale) order, exit code 2 for a
name it cannot access. `-l` shows what a workspace has: what the user may do (`rw`/`r-`),
the owner (the user, or the team), the size and the date (UTC)."""

from __future__ import annotations

import datetime
import math

from console.commands.context import CommandContext
from console.commands.shellwords import parse_words, quoted, say, workspace_of
from console.errors import ExitCode
from console.workspace.errors import WorkspaceError, visible
from console.workspace.files import Entry
from console.workspace.service import Location, Workspace

LS_TROUBLE = int(ExitCode.TROUBLE)


def run_ls(args: tuple[str, ...], ctx: CommandContext) -> int:
    words = parse_words("ls", args, "la1", {"--all": "a"}, usage_code=LS_TROUBLE)
    ws, code = workspace_of(ctx), int(ExitCode.OK)
    files: list[tuple[Location, Entry]] = []
    folders: list[Location] = []
    for typed in sorted(words.operands or ["."], key=_c_order):
        try:
            where = ws.locate(typed)
            entry = ws.stat(where)
        except WorkspaceError as exc:
            say(ctx, "ls", f"cannot access {quoted(typed)}: {exc.strerror}")
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
            say(ctx, "ls", f"cannot open directory {quoted(where.shown)}: {exc.strerror}")
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
