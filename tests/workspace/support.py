"""What the workspace tests share: a workspace on a fresh folder, a command run against it
through the real registry, and GNU coreutils run on the same files as the oracle for
messages and exit codes."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

from console.commands import Caller, CommandContext, dispatch
from console.engine import Target
from console.interpreter import parse_command
from console.workspace.files import Files
from console.workspace.service import Workspace


class Recorder:
    """A command's I/O, kept (in-process: no run, no DB chunks, to test the builtins alone)."""

    def __init__(self) -> None:
        self.out: list[tuple[str, str]] = []

    def write(self, stream: str, text: str) -> None:
        self.out.append((stream, text))

    def ask(self, prompt: str, *, secret: bool) -> str | None:
        return None

    def cancelled(self) -> bool:
        return False

    def text(self, stream: str) -> str:
        return "".join(text for s, text in self.out if s == stream)


class NoEnvironment:
    def load(self) -> dict[str, str]:
        return {}

    def export(self, assignments: Any) -> dict[str, str]:
        raise AssertionError("not exported here")

    def unset(self, names: Any) -> dict[str, str]:
        raise AssertionError("not unset here")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def local_files(root: Path) -> Files:
    return Files(FileSystemStorage(location=root, allow_overwrite=True))


def run(line: str, ws: Workspace, *, tty: bool = False, width: int = 80, terminal: str = "") -> Outcome:
    """`line` through parse_command and dispatch, as the worker runs it."""
    io = Recorder()
    ctx = CommandContext(
        Caller(ws.user, terminal_id=terminal), io, NoEnvironment(), workspace=ws, target=Target(width, tty)
    )
    from console.commands.workspacefiles import WorkspaceFiles

    code = dispatch(parse_command(line, files=WorkspaceFiles(ws).read), ctx)
    return Outcome(int(code), io.text("stdout"), io.text("stderr"))


def coreutils(argv: list[str], cwd: Path) -> Outcome:
    """The real command in a folder holding the same files (C locale: bytewise order)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return Outcome(done.returncode, done.stdout, done.stderr)


def lay_out(ws: Workspace, where: Path, tree: dict[str, str | None]) -> None:
    """The same files in the workspace (through the console) and in `where` (on disk);
    a None value is a folder."""
    for name, content in tree.items():
        if content is None:
            ws.make_dir(ws.locate(name))
            (where / name).mkdir()
        else:
            ws.write(ws.locate(name), [content.encode()])
            (where / name).write_text(content)
