"""Who may do what to a team, asked the way every layer asks (`user.has_perm`): each
permission against every role of the cast, plus outsiders and anonymous users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from console.teams import services
from console.teams.models import Grant, Role

pytestmark = pytest.mark.django_db

TEAM_PERMISSIONS = {
    # permission: the cast members who have it (alice owner, dana admin, bob member, carol auditor)
    "teams.view_team": {"alice", "dana", "bob", "carol"},
    "teams.change_team": {"alice", "dana"},
    "teams.delete_team": {"alice"},
    "teams.manage_members": {"alice", "dana"},
    "teams.manage_owners": {"alice"},
    "teams.manage_profiles": {"alice", "dana"},
    "teams.manage_grants": {"alice", "dana"},
    "teams.view_team_runs": {"alice", "dana", "carol"},
    "teams.run_commands": {"alice", "dana", "bob"},
}


@pytest.mark.parametrize("permission", sorted(TEAM_PERMISSIONS))
def test_it_gives_each_team_permission_to_exactly_its_roles(
    permission, team, alice, dana, bob, carol, charlie
):
    cast = {"alice": alice, "dana": dana, "bob": bob, "carol": carol, "charlie": charlie}
    allowed = {name for name, user in cast.items() if user.has_perm(permission, team)}
    assert allowed == TEAM_PERMISSIONS[permission]
    assert not AnonymousUser().has_perm(permission, team)


def test_owners_and_admins_use_every_team_profile_and_others_need_a_grant(
    profiles, alice, dana, bob, carol, charlie
):
    readonly = profiles.readonly
    assert alice.has_perm("teams.use_profile", readonly)
    assert dana.has_perm("teams.use_profile", readonly)
    assert not bob.has_perm("teams.use_profile", readonly)
    assert not carol.has_perm("teams.use_profile", readonly)
    assert not charlie.has_perm("teams.use_profile", readonly)
    assert not AnonymousUser().has_perm("teams.use_profile", readonly)


def test_a_profile_is_seen_by_its_managers_and_by_those_who_may_use_it_only(
    profiles, alice, dana, bob, carol, charlie
):
    services.grant(alice, profiles.readonly, user=bob)
    seers = {"alice": alice, "dana": dana, "bob": bob, "carol": carol, "charlie": charlie}
    assert {n for n, u in seers.items() if u.has_perm("teams.view_profile", profiles.readonly)} == {
        "alice",
        "dana",
        "bob",
    }
    assert {n for n, u in seers.items() if u.has_perm("teams.view_profile", profiles.keys)} == {
        "alice",
        "dana",
    }
    assert not AnonymousUser().has_perm("teams.view_profile", profiles.readonly)


def test_a_grant_to_the_member_lets_them_use_that_profile_only(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    assert bob.has_perm("teams.use_profile", profiles.readonly)
    assert not bob.has_perm("teams.use_profile", profiles.keys)


def test_a_grant_to_the_member_role_covers_every_member(team, profiles, alice, bob, carol):
    services.grant(alice, profiles.readonly, role=Role.MEMBER)
    assert bob.has_perm("teams.use_profile", profiles.readonly)
    assert not carol.has_perm("teams.use_profile", profiles.readonly)


def test_an_expired_grant_gives_nothing(team, profiles, alice, bob):
    made = services.grant(alice, profiles.readonly, user=bob, expires_at=timezone.now() + timedelta(hours=1))
    Grant.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not bob.has_perm("teams.use_profile", profiles.readonly)


def test_an_auditor_never_uses_a_team_profile_even_with_a_grant_row(team, profiles, carol):
    # The services refuse such a grant; a row written by hand still gives nothing.
    Grant.objects.create(team=team, profile=profiles.readonly, user=carol)
    assert not carol.has_perm("teams.use_profile", profiles.readonly)


def test_a_personal_profile_is_its_owners_only(profiles, alice, charlie):
    assert charlie.has_perm("teams.use_profile", profiles.personal)
    assert not alice.has_perm("teams.use_profile", profiles.personal)


def test_anyone_signed_in_may_start_a_team(charlie):
    assert charlie.has_perm("teams.add_team")
    assert not AnonymousUser().has_perm("teams.add_team")
