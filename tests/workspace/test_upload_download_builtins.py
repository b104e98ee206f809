"""`upload [folder]` and `download <path>` in the terminal: each checks its path as the
file commands do, then asks the browser through an "action" chunk (a `files` frame); the
bytes never go over the websocket. Over the API they say they need the browser terminal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.commands import Caller, CommandContext, dispatch
from console.engine import Target
from console.interpreter import parse_command
from console.workspace.service import Workspace
from tests.workspace.support import NoEnvironment, Recorder

pytestmark = pytest.mark.django_db


def run(line: str, ws: Workspace, source: str = "terminal", terminal: str = "t1") -> tuple[int, Recorder]:
    io = Recorder()
    ctx = CommandContext(
        Caller(ws.user, "run-1", terminal, source), io, NoEnvironment(), workspace=ws, target=Target()
    )
    return int(dispatch(parse_command(line), ctx)), io


def actions(io: Recorder) -> list[dict[str, Any]]:
    return [json.loads(text) for stream, text in io.out if stream == "action"]


def test_upload_asks_the_browser_to_pick_files_for_a_folder(ws: Workspace):
    ws.make_dir(ws.locate("docs"))
    code, io = run("upload docs", ws)
    assert code == 0
    assert actions(io) == [{"action": "upload", "folder": "docs", "shown": "docs"}]
    assert io.text("stdout") == "upload: choose the files to upload to ~/docs in your browser\n"
    code, io = run("upload", ws.with_cwd(("docs",)))
    assert actions(io) == [{"action": "upload", "folder": "docs", "shown": "."}]


def test_download_asks_the_browser_to_fetch_the_download_endpoint(ws: Workspace):
    ws.make_dir(ws.locate("site"))
    ws.write(ws.locate("site/policy.json"), [b"x" * 1300])
    code, io = run("download site/policy.json site", ws)
    assert code == 0
    assert actions(io) == [
        {"action": "download", "url": "/files/download?path=site%2Fpolicy.json", "name": "policy.json"},
        {"action": "download", "url": "/files/download?path=site", "name": "site.zip"},
    ]
    assert io.text("stdout") == (
        "download: 'site/policy.json' (1.3 KiB) to your browser's downloads as policy.json\n"
        "download: 'site' as a zip to your browser's downloads as site.zip\n"
    )
    assert b"x" * 100 not in json.dumps(io.out).encode()  # never the bytes themselves


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("download missing.txt", "download: cannot download 'missing.txt': No such file or directory\n"),
        (
            "download ../../etc/passwd",
            "download: cannot download '../../etc/passwd': '..' would leave your workspace\n",
        ),
        ("upload notes.txt", "upload: cannot upload to 'notes.txt': Not a directory\n"),
        ("upload nowhere", "upload: cannot upload to 'nowhere': No such file or directory\n"),
        ("upload a b", "upload: extra operand 'b'; name one folder\n"),
        ("download", "download: missing operand\nTry 'download --help' for more information.\n"),
    ],
)
def test_bad_paths_are_refused_with_nothing_asked_of_the_browser(ws: Workspace, line: str, message: str):
    ws.write(ws.locate("notes.txt"), [b"n"])
    code, io = run(line, ws)
    assert code == 1
    assert io.text("stderr") == message
    assert actions(io) == []


@pytest.mark.parametrize("source", ["api", "run_page"])
@pytest.mark.parametrize("line", ["upload", "download notes.txt"])
def test_without_the_browser_terminal_they_say_they_need_it(ws: Workspace, source: str, line: str):
    ws.write(ws.locate("notes.txt"), [b"n"])
    code, io = run(line, ws, source=source, terminal="" if source == "api" else "t1")
    assert code == 1
    assert "needs the browser terminal" in io.text("stderr")
    assert actions(io) == []
