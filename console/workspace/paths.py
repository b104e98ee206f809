"""Workspace paths: what a typed path means, and which typed paths are refused.

A user sees one tree: their own files at the top, and each team folder they may reach
under `team/<slug>/`. A typed path is read relative to the terminal's current directory,
as a shell reads it (`.`, `..`, repeated `/`), with `~` meaning the top of the tree; the
result is a tuple of names that never leaves the tree. Refused, with a sentence saying
why: absolute paths (there is no server file system to name), `..` above the top, names
with control characters (they are terminal escapes when listed), names longer than a file
system allows, and the console's own reserved names. This is checked here, before any
storage is asked, and is the first of two guards: the storage layer checks the resolved
name again (console/workspace/files.py), so neither alone decides what is reachable.

Pure functions of strings: no Django, no storage."""

from __future__ import annotations

import re

from .errors import CONTROL, NotFound, PathRefused, visible

TEAM_DIR = "team"  # the top-level folder that holds the team folders
RESERVED_PREFIX = ".~ws"  # names the console keeps for itself (folder markers on S3)
MAX_NAME_BYTES = 255  # NAME_MAX of common file systems
MAX_PATH_BYTES = 1024  # S3's key limit, less room for the workspace's own prefix
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

Parts = tuple[str, ...]
__all__ = ["Parts", "resolve", "shown", "visible"]


def resolve(cwd: Parts, typed: str) -> Parts:
    """The names `typed` designates from the directory `cwd`; raises PathRefused or NotFound."""
    if typed == "":
        raise NotFound(typed)
    if CONTROL.search(typed):
        raise PathRefused(typed, "names with control characters are not allowed")
    if typed.startswith("/"):
        raise PathRefused(
            typed, "absolute paths are not allowed; paths are relative to your workspace (~ is its top)"
        )
    parts: list[str] = []
    names = typed.split("/")
    if names[0] == "~":
        names = names[1:]
    else:
        parts = list(cwd)
    for name in names:
        if name in ("", "."):
            continue
        if name == "..":
            if not parts:
                raise PathRefused(typed, "'..' would leave your workspace")
            parts.pop()
            continue
        check_name(typed, name)
        parts.append(name)
    if len("/".join(parts).encode()) > MAX_PATH_BYTES:
        raise PathRefused(typed, "File name too long")
    return tuple(parts)


def check_name(typed: str, name: str) -> None:
    if len(name.encode()) > MAX_NAME_BYTES:
        raise PathRefused(typed, "File name too long")
    if name.startswith(RESERVED_PREFIX):
        raise PathRefused(typed, f"names starting with {RESERVED_PREFIX} are kept for the console")


def shown(parts: Parts) -> str:
    """The path as `pwd` prints it: `~` for the top, `~/a/b` below it."""
    return "~/" + "/".join(parts) if parts else "~"


def parse_stored(text: str) -> Parts:
    """A stored current directory back into names (it was resolved when stored)."""
    try:
        return resolve((), text) if text else ()
    except (PathRefused, NotFound):
        return ()
