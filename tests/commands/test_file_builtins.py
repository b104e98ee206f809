"""The file builtins answer as GNU coreutils answers: each line runs in the workspace and,
as the oracle, the real command runs in a folder holding the same files (C locale)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from django.test import override_settings

from console.workspace.service import Workspace, load_cwd
from tests.workspace.support import coreutils, lay_out, run

pytestmark = pytest.mark.django_db

TREE: dict[str, str | None] = {
    "a.txt": "alpha\n",
    "b.txt": "beta\n",
    ".hidden": "h\n",
    "d": None,
    "d/inner.txt": "inner\n",
    "d/sub": None,
    "empty": None,
}

SAME_AS_COREUTILS = [
    "ls",
    "ls -a",
    "ls d",
    "ls a.txt d empty",
    "ls nosuch",
    "ls a.txt nosuch",
    "ls a.txt/x",
    "ls -z",
    "ls --bogus",
    "cat a.txt b.txt",
    "cat nosuch",
    "cat d",
    "cat a.txt nosuch b.txt",
    "rm nosuch",
    "rm d",
    "rm -f nosuch",
    "rm",
    "rm .",
    "rm -r .",
    "rm -r d/..",
    "rm -q a.txt",
    "mkdir a.txt",
    "mkdir x/y",
    "mkdir",
    "cp",
    "cp a.txt",
    "cp nosuch x",
    "cp d e",
    "cp a.txt a.txt",
    "cp -r d d/x",
    "cp a.txt nodir/x",
    "cp -r d a.txt",
    "cp a.txt b.txt empty/nothere",
    "mv a.txt a.txt",
    "mv d d/x",
    "mv d a.txt",
    "mv a.txt",
    "mv nosuch x",
    "mv a.txt b.txt c.txt",
]


@pytest.mark.parametrize("line", SAME_AS_COREUTILS)
def test_it_answers_as_coreutils(line: str, ws: Workspace, oracle_dir: Path):
    lay_out(ws, oracle_dir, TREE)
    got = run(line, ws)
    want = coreutils(shlex.split(line), oracle_dir)
    assert (got.code, got.stdout, got.stderr) == (want.code, want.stdout, want.stderr)


# Lines that change files: the resulting trees must match too.
CHANGING = [
    "rm a.txt",
    "rm -r d",
    "rm -rf d nosuch",
    "mkdir -p x/y/z",
    "mkdir new",
    "mkdir -p d/sub",
    "cp a.txt c.txt",
    "cp a.txt d",
    "cp -r d copy",
    "cp -r d empty",
    "cp a.txt b.txt empty",
    "mv a.txt c.txt",
    "mv a.txt d",
    "mv d moved",
    "mv d empty",
    "mv a.txt b.txt empty",
    "mv d/sub .",
]


@pytest.mark.parametrize("line", CHANGING)
def test_it_changes_files_as_coreutils_does(line: str, ws: Workspace, oracle_dir: Path):
    lay_out(ws, oracle_dir, TREE)
    got = run(line, ws)
    want = coreutils(shlex.split(line), oracle_dir)
    assert (got.code, got.stdout, got.stderr) == (want.code, want.stdout, want.stderr)
    assert _tree(ws) == _disk_tree(oracle_dir)


def test_it_refuses_to_move_a_folder_onto_one_that_is_not_empty(ws: Workspace, oracle_dir: Path):
    lay_out(ws, oracle_dir, {"a": None, "a/x": "1", "b": None, "b/a": None, "b/a/y": "2"})
    got, want = run("mv a b", ws), coreutils(["mv", "a", "b"], oracle_dir)
    assert (
        (got.code, got.stderr)
        == (want.code, want.stderr)
        == (1, "mv: cannot move 'a' to 'b/a': Directory not empty\n")
    )
    assert _tree(ws) == _disk_tree(oracle_dir)


def _tree(ws: Workspace, typed: str = ".") -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for entry in ws.listdir(ws.locate(typed)):
        name = entry.name if typed == "." else f"{typed}/{entry.name}"
        if entry.is_dir:
            found[name] = None
            found.update(_tree(ws, name))
        else:
            with ws.open(ws.locate(name)) as file:
                found[name] = file.read().decode()
    return found


def _disk_tree(root: Path) -> dict[str, str | None]:
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_text()
        for path in sorted(root.rglob("*"))
    }


def test_it_lists_in_columns_on_a_terminal_as_ls_does(ws: Workspace, oracle_dir: Path):
    names = {f"{stem}{'x' * (n % 11)}.log": f"{n}\n" for n, stem in enumerate("abcdefghijklmnopqrstuvw")}
    lay_out(ws, oracle_dir, names)
    for width in (80, 40, 132, 20):
        got = run("ls", ws, tty=True, width=width)
        want = coreutils(["ls", "-C", f"--width={width}"], oracle_dir)
        assert got.stdout == want.stdout, width


def test_it_lists_long_with_sizes_and_owner(ws: Workspace):
    ws.write(ws.locate("a.txt"), [b"12345"])
    ws.make_dir(ws.locate("d"))
    got = run("ls -l", ws)
    lines = got.stdout.splitlines()
    assert lines[0] == "total 1"
    assert lines[1].startswith("-rw------- 1 alice alice 5 ") and lines[1].endswith(" a.txt")
    assert lines[2].startswith("drwx------ 1 alice alice 0 ") and lines[2].endswith(" d")


def test_it_shows_control_characters_in_a_file_instead_of_obeying_them(ws: Workspace):
    ws.write(ws.locate("evil.txt"), [b"hi\x1b]8;;http://x\x07there\r\n"])
    assert run("cat evil.txt", ws).stdout == "hi\\x1b]8;;http://x\\x07there\\x0d\n"


@override_settings(CONSOLE_CAT_MAX_BYTES=10)
def test_it_refuses_to_cat_a_large_or_binary_file(ws: Workspace):
    ws.write(ws.locate("big.txt"), [b"x" * 11])
    ws.write(ws.locate("bin"), [b"\xff\xfe"])
    big, binary = run("cat big.txt", ws), run("cat bin", ws)
    assert big.code == binary.code == 1
    assert (
        big.stderr
        == "cat: big.txt: larger than 10, the most cat shows (CONSOLE_CAT_MAX_BYTES); download it\n"
    )
    assert binary.stderr == "cat: bin: binary file (not UTF-8 text); not shown\n"


def test_it_refuses_paths_out_of_the_workspace_with_a_reason(ws: Workspace):
    assert run("ls /etc", ws).stderr == (
        "ls: cannot access '/etc': absolute paths are not allowed; paths are relative to your "
        "workspace (~ is its top)\n"
    )
    assert run("cat ../x", ws).stderr == "cat: ../x: '..' would leave your workspace\n"
    refused = run("mkdir 'a\x1bb'", ws)
    assert refused.stderr == (
        "mkdir: cannot create directory 'a?b': names with control characters are not allowed\n"
    )


@override_settings(CONSOLE_WORKSPACE_QUOTA=1024**3)
def test_it_shows_use_and_quota_with_df(ws: Workspace):
    ws.write(ws.locate("a"), [b"x" * 3 * 1024 * 1024])
    assert run("df", ws).stdout == (
        "Workspace      Size Used Avail Use% Mounted on\nyour workspace 1.0G 3.0M 1021M   1% ~\n"
    )


@override_settings(CONSOLE_WORKSPACE_QUOTA=100)
def test_it_says_why_a_copy_over_quota_failed(ws: Workspace):
    ws.write(ws.locate("a"), [b"x" * 60])
    got = run("cp a b", ws)
    assert got.code == 1
    assert got.stderr == (
        "cp: error writing 'b': Disk quota exceeded (your workspace would go over its quota of 100; "
        "60 is in use)\n"
    )
    assert ws.exists(ws.locate("b")) is None


def test_it_keeps_the_current_directory_per_terminal(ws: Workspace):
    ws.make_dir(ws.locate("d"))
    assert run("cd d", ws, terminal="t1").code == 0
    assert load_cwd(ws.user, "t1") == ("d",) and load_cwd(ws.user, "t2") == ()
    here = ws.with_cwd(load_cwd(ws.user, "t1"))
    assert run("pwd", here, terminal="t1").stdout == "~/d\n"
    assert run("cd ..", here, terminal="t1").code == 0 and load_cwd(ws.user, "t1") == ()
    assert run("cd nosuch", ws, terminal="t1").stderr == "cd: nosuch: No such file or directory\n"
    assert run("cd d", ws).stderr.startswith("cd: only a terminal has a current directory")


def test_it_completes_workspace_paths_for_file_builtins_and_file_values(ws: Workspace):
    from console.interpreter import complete

    for name in ("notes.txt", "nova.json", ".secret", "d/deep.txt"):
        if name.startswith("d/"):
            ws.make_dir(ws.locate("d"))
        ws.write(ws.locate(name), [b"x"])

    def done(line: str) -> list[str]:
        return complete(line, len(line), paths=ws.completions)

    assert done("cat no") == ["notes.txt", "nova.json"]
    assert done("ls ") == ["d/", "notes.txt", "nova.json"]
    assert done("ls .s") == [".secret"]
    assert done("cd ") == ["d/"]
    assert done("cat d/") == ["d/deep.txt"]
    assert done("aws iam create-policy --policy-document file://no") == [
        "file://notes.txt",
        "file://nova.json",
    ]
    assert done("aws kms encrypt --plaintext fileb://d/") == ["fileb://d/deep.txt"]
    assert done("cat /et") == [] and done("cat ../") == []
    assert done("rm --rec") == []  # options are not paths
