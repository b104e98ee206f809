"""Typed paths: read as a shell reads them, never out of the workspace."""

from __future__ import annotations

import pytest

from console.workspace.errors import NotFound, PathRefused
from console.workspace.paths import resolve, shown

CASES = [
    ((), "a", ("a",)),
    ((), "a/b/", ("a", "b")),
    ((), "./a//b/.", ("a", "b")),
    (("x", "y"), "..", ("x",)),
    (("x", "y"), "../z", ("x", "z")),
    (("x",), "~", ()),
    (("x",), "~/q", ("q",)),
    (("x",), ".", ("x",)),
    ((), "team/ops/f", ("team", "ops", "f")),
    ((), "résumé 日本.txt", ("résumé 日本.txt",)),
]


@pytest.mark.parametrize(("cwd", "typed", "parts"), CASES)
def test_it_reads_a_path_as_a_shell_does(cwd, typed, parts):
    assert resolve(cwd, typed) == parts


REFUSED = [
    ((), "/etc/passwd", "absolute paths are not allowed"),
    ((), "..", "'..' would leave your workspace"),
    (("a",), "../..", "'..' would leave your workspace"),
    (("a",), "b/../../../x", "'..' would leave your workspace"),
    ((), "bad\x1b[2Jname", "names with control characters are not allowed"),
    ((), "nul\x00", "names with control characters are not allowed"),
    ((), "line\nbreak", "names with control characters are not allowed"),
    ((), "evil\u202etxt.exe", "names with control characters are not allowed"),
    ((), "x" * 256, "File name too long"),
    ((), ".~ws-folder", "names starting with .~ws are kept for the console"),
]


@pytest.mark.parametrize(("cwd", "typed", "reason"), REFUSED)
def test_it_refuses_a_path_out_of_the_workspace_or_with_a_bad_name(cwd, typed, reason):
    with pytest.raises(PathRefused) as refused:
        resolve(cwd, typed)
    assert refused.value.strerror.startswith(reason)
    assert "\x1b" not in refused.value.message and "\x00" not in refused.value.message


def test_it_finds_nothing_at_an_empty_path():
    with pytest.raises(NotFound):
        resolve((), "")


def test_it_shows_the_current_directory_from_the_top():
    assert shown(()) == "~" and shown(("a", "b")) == "~/a/b"
