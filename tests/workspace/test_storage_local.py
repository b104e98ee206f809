"""The local folder backend: writes are all or nothing, nothing outside the root is ever
touched, and links are not followed, whatever Django's own path check would allow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.workspace.errors import NotFound, PathRefused
from console.workspace.files import Files
from console.workspace.service import Workspace

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _failing(after: int) -> object:
    yield b"x" * after
    raise Boom()


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_it_leaves_no_file_when_a_write_fails_halfway(ws: Workspace, files: Files):
    with pytest.raises(Boom):
        ws.write(ws.locate("half.bin"), _failing(100_000))
    assert ws.exists(ws.locate("half.bin")) is None
    assert _all_files(Path(files.storage.location)) == []  # no temporary file either


def test_it_keeps_the_old_file_when_its_replacement_fails(ws: Workspace):
    ws.write(ws.locate("a.txt"), [b"old"])
    with pytest.raises(Boom):
        ws.write(ws.locate("a.txt"), _failing(10))
    with ws.open(ws.locate("a.txt")) as file:
        assert file.read() == b"old"


def test_it_streams_a_write_in_chunks_and_reads_it_back(ws: Workspace):
    size = ws.write(ws.locate("big.bin"), (bytes([n]) * 65536 for n in range(40)))
    assert size == 40 * 65536 == ws.stat(ws.locate("big.bin")).size
    with ws.open(ws.locate("big.bin")) as file:
        assert file.read(65536) == b"\x00" * 65536


def test_it_refuses_a_link_inside_the_workspace_that_points_outside(
    ws: Workspace, files: Files, tmp_path: Path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("server file")
    ws.write(ws.locate("keep.txt"), [b"k"])
    home = Path(files.storage.path(f"users/{ws.user.pk}"))
    os.symlink(secret, home / "link.txt")
    os.symlink(tmp_path, home / "linkdir")
    for typed in ("link.txt", "linkdir/secret.txt"):
        with pytest.raises(PathRefused) as refused:
            ws.open(ws.locate(typed))
        assert "symbolic links are not followed" in refused.value.message
    with pytest.raises(PathRefused):
        ws.write(ws.locate("linkdir/new.txt"), [b"x"])
    assert not (tmp_path / "new.txt").exists()
    assert secret.read_text() == "server file"


def test_it_refuses_storage_names_outside_the_root_even_past_the_path_check(files: Files):
    with pytest.raises(PathRefused):
        files.open("users/1/../../../../etc/passwd", "x")


def test_it_never_shows_one_users_files_to_another(alice, bob, files: Files):
    Workspace(alice, (), files).write(Workspace(alice, (), files).locate("mine.txt"), [b"alice's"])
    bobs = Workspace(bob, (), files)
    with pytest.raises(NotFound):
        bobs.open(bobs.locate("mine.txt"))
    assert [e.name for e in bobs.listdir(bobs.locate("."))] == []
    with pytest.raises(PathRefused):
        bobs.locate(f"../{alice.pk}/mine.txt")


def test_it_reaches_no_team_folder_without_a_membership(alice, files: Files):
    ws = Workspace(alice, (), files)
    with pytest.raises(NotFound):
        ws.locate("team/ops/plan.txt")
    assert ws.listdir(ws.locate("team")) == []
