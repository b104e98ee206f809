"""Runs made with a team's profile are seen by the team's owners, admins and auditors as
well as by the person who ran them (console/audit/access.py); a member sees only their
own, and nobody outside the team sees either. The list (SQL) and the loaded-run check
(the `teams.view_team_runs` predicate) must give the same answer, and a re-run's
"another profile" choices are the profiles the person may use now, team ones included.
The cast is tests/teams/conftest.py's (through tests/audit/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from console.audit import access
from console.audit.forms import RerunForm
from console.teams import services
from console.teams.models import Membership, Role
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_team_run(team: Any, bob: Any) -> Any:
    return make_run(bob, profile="platform/readonly", team=team)


@pytest.fixture
def bobs_own_run(bob: Any) -> Any:
    return make_run(bob, profile="default")


@pytest.mark.parametrize(
    ("who", "sees_it"),
    [("alice", True), ("dana", True), ("bob", True), ("carol", True), ("charlie", False)],
)
def test_it_shows_a_team_run_to_its_user_and_the_team_s_viewers(request, bobs_team_run, who, sees_it):
    user = request.getfixturevalue(who)
    assert access.can_view_run(user, bobs_team_run) is sees_it
    assert (access.visible_run(user, bobs_team_run.pk) is not None) is sees_it
    assert (bobs_team_run in access.visible_runs(user)) is sees_it


@pytest.mark.parametrize("who", ["alice", "dana", "carol", "charlie"])
def test_it_keeps_a_run_of_one_s_own_profile_private(request, bobs_own_run, who):
    user = request.getfixturevalue(who)
    assert not access.can_view_run(user, bobs_own_run)
    assert access.visible_run(user, bobs_own_run.pk) is None


def test_a_member_does_not_see_another_member_s_team_run(team, alice, bob, charlie, bobs_team_run):
    services.add_member(alice, team, "charlie", Role.MEMBER)
    assert not access.can_view_run(charlie, bobs_team_run)
    assert access.visible_run(charlie, bobs_team_run.pk) is None
    assert access.visible_run(bob, bobs_team_run.pk) == bobs_team_run


def test_an_auditor_who_leaves_the_team_stops_seeing_its_runs(team, carol, bobs_team_run):
    assert access.still_visible(carol.pk, bobs_team_run.pk)
    services.remove_member(carol, Membership.objects.get(team=team, user=carol))
    assert not access.still_visible(carol.pk, bobs_team_run.pk)
    assert not access.can_view_run(carol, bobs_team_run)


def test_it_lists_each_team_run_once(team, carol, bob, bobs_team_run, bobs_own_run):
    assert list(access.visible_runs(carol)) == [bobs_team_run]
    assert sorted(r.pk for r in access.visible_runs(bob)) == sorted([bobs_team_run.pk, bobs_own_run.pk])


def test_a_rerun_may_choose_the_team_profiles_one_may_use(profiles, alice, bob, carol):
    services.grant(alice, profiles.readonly, user=bob)
    assert "platform/readonly" in choices(bob)
    assert "platform/keys" not in choices(bob)  # not granted to him: not offered
    assert {"platform/keys", "platform/readonly"} <= set(choices(alice))
    assert not [name for name in choices(carol) if name.startswith("platform/")]  # auditors run nothing


def choices(user: Any) -> list[str]:
    return [name for name, _ in RerunForm(user).fields["profile"].choices if name]


def test_a_running_team_run_shows_to_the_team_s_viewers_from_its_first_heartbeat(team, bob, carol):
    from console.runs import lifecycle
    from console.runs.models import RunStatus

    run = make_run(bob, status=RunStatus.RUNNING, exit_code=None, finished_at=None)
    lifecycle.heartbeat(run.pk)  # the command has not resolved its profile yet
    assert access.visible_run(carol, run.pk) is None
    lifecycle.heartbeat(run.pk, profile="platform/readonly", team_id=team.pk)
    assert access.visible_run(carol, run.pk) == run
    assert access.visible_run(carol, run.pk).profile == "platform/readonly"
