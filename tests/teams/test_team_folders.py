"""Team folders (`~/team/<slug>/`) through the file builtins, with the roles of
tests/teams/conftest.py: Alice owns `platform`, Dana is its admin, Bob a member (they
write), Carol its auditor (she reads; a write is coreutils' "Permission denied"), Charlie
an outsider (the folder does not exist for him: "No such file or directory", the same
answer as for a team that does not exist, so team names do not leak)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.teams import services
from console.teams.models import Team
from console.workspace import access
from console.workspace.files import Files
from console.workspace.service import Workspace
from tests.workspace.support import local_files, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return local_files(tmp_path / "storage")


def _ws(user: Any, files: Files) -> Workspace:
    return Workspace(user, (), files)


def _put(ws: Workspace, name: str, text: str) -> None:
    ws.write(ws.locate(name), [text.encode()])


@pytest.fixture
def shared(team: Team, bob: Any, files: Files) -> Team:
    """Bob, a member, has put a plan in the team's folder with the file builtins."""
    bobs = _ws(bob, files)
    _put(bobs, "plan.txt", "step one\n")
    assert run("mkdir ~/team/platform/plans", bobs).code == 0
    copied = run("cp plan.txt ~/team/platform/plans/plan.txt", bobs)
    assert (copied.code, copied.stderr) == (0, "")
    return team


def test_a_member_writes_in_the_team_folder(shared: Team, bob: Any, files: Files):
    bobs = _ws(bob, files)
    assert run("cat ~/team/platform/plans/plan.txt", bobs).stdout == "step one\n"
    assert run("mv ~/team/platform/plans/plan.txt ~/team/platform/plan.txt", bobs).code == 0
    assert run("ls ~/team/platform", bobs).stdout == "plan.txt\nplans\n"
    assert run("rm ~/team/platform/plan.txt", bobs).code == 0
    assert run("ls ~/team/platform", bobs).stdout == "plans\n"


@pytest.mark.parametrize("who", ["alice", "dana"])
def test_owners_and_admins_write_there_too(shared: Team, who: str, files: Files, request: Any):
    ws = _ws(request.getfixturevalue(who), files)
    assert run("cp ~/team/platform/plans/plan.txt ~/team/platform/copy.txt", ws).code == 0
    assert run("cat ~/team/platform/copy.txt", ws).stdout == "step one\n"


def test_an_auditor_reads_but_cannot_write(shared: Team, carol: Any, files: Files):
    carols = _ws(carol, files)
    _put(carols, "mine.txt", "carol's\n")
    assert run("ls team", carols).stdout == "platform\n"
    assert run("cat ~/team/platform/plans/plan.txt", carols).stdout == "step one\n"
    assert run("cp ~/team/platform/plans/plan.txt here.txt", carols).code == 0  # reading out is fine
    denied = "Permission denied\n"
    refused = {
        "cp mine.txt ~/team/platform/mine.txt": "cp: cannot create regular file '~/team/platform/mine.txt': ",
        "mkdir ~/team/platform/more": "mkdir: cannot create directory '~/team/platform/more': ",
        "rm ~/team/platform/plans/plan.txt": "rm: cannot remove '~/team/platform/plans/plan.txt': ",
    }
    for line, message in refused.items():
        outcome = run(line, carols)
        assert (outcome.code, outcome.stderr) == (1, message + denied), line
    assert run("ls ~/team/platform", carols).stdout == "plans\n"
    assert run("cat ~/team/platform/plans/plan.txt", carols).stdout == "step one\n"


def test_an_outsider_finds_no_such_folder(shared: Team, charlie: Any, files: Files):
    charlies = _ws(charlie, files)
    assert run("ls team", charlies).stdout == ""
    for path in ("~/team/platform/plans/plan.txt", "~/team/nosuchteam/plan.txt"):
        outcome = run(f"cat {path}", charlies)
        assert (outcome.code, outcome.stderr) == (1, f"cat: {path}: No such file or directory\n")
    listed = run("ls ~/team/platform", charlies)
    assert listed.stderr == "ls: cannot access '~/team/platform': No such file or directory\n"


def test_a_superuser_outside_the_team_finds_no_such_folder_either(shared: Team, charlie: Any, files: Files):
    charlie.is_superuser = True
    charlie.save(update_fields=["is_superuser"])
    assert access.team_access(charlie, "platform") is None
    assert run("cat ~/team/platform/plans/plan.txt", _ws(charlie, files)).code == 1


def test_a_removed_member_loses_the_folder(shared: Team, alice: Any, bob: Any, files: Files):
    services.remove_member(alice, services.membership_of(bob, shared))
    assert access.team_access(bob, "platform") is None
    assert access.team_slugs(bob) == []
    assert run("ls ~/team/platform", _ws(bob, files)).code == 2
