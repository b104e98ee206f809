"""Granting a team profile to a member or to every member, optionally until a time, and
revoking it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from console.teams import services
from console.teams.models import Grant
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def _post(client, profiles, grantee, expires=""):
    return client.post(
        "/teams/platform/grants",
        {"profile": str(profiles.readonly.pk), "grantee": grantee, "expires_at": expires},
    )


def test_an_admin_grants_a_profile_to_a_member_until_a_time(team, profiles, dana, bob):
    until = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    answer = _post(signed_in(dana), profiles, "user:bob", until.strftime("%Y-%m-%dT%H:%M"))
    assert answer.status_code == 302
    made = Grant.objects.get(profile=profiles.readonly, user=bob)
    assert made.expires_at == until
    assert bob.has_perm("teams.use_profile", profiles.readonly)
    page = signed_in(bob).get("/teams/platform/").content.decode()
    assert "platform/readonly" in page and "/?profile=platform%2Freadonly" in page


def test_it_grants_to_every_member(team, profiles, alice, bob):
    assert _post(signed_in(alice), profiles, "role:member").status_code == 302
    assert Grant.objects.get(profile=profiles.readonly).role == "member"
    assert bob.has_perm("teams.use_profile", profiles.readonly)


def test_a_grant_that_ends_in_the_past_is_refused_on_the_page(team, profiles, alice):
    answer = _post(signed_in(alice), profiles, "user:bob", "2001-01-01T00:00")
    assert answer.status_code == 200
    assert "That time has passed: a grant must end in the future." in answer.content.decode()
    assert not Grant.objects.exists()


def test_a_second_grant_to_the_same_member_says_why_not(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    answer = _post(signed_in(alice), profiles, "user:bob")
    assert answer.status_code == 200
    assert "bob may use platform/readonly already." in answer.content.decode()


def test_an_auditor_is_not_offered_and_cannot_be_granted(team, profiles, alice):
    page = signed_in(alice).get("/teams/platform/").content.decode()
    assert 'value="user:carol"' not in page
    answer = _post(signed_in(alice), profiles, "user:carol")
    assert answer.status_code == 200 and "Select a valid choice." in answer.content.decode()


def test_a_member_cannot_grant(team, profiles, bob):
    assert _post(signed_in(bob), profiles, "user:bob").status_code == 403
    assert not Grant.objects.exists()


def test_an_admin_revokes_a_grant(team, profiles, alice, dana, bob):
    made = services.grant(alice, profiles.readonly, user=bob)
    answer = signed_in(dana).post(f"/teams/platform/grants/{made.pk}/revoke")
    assert answer.status_code == 302
    assert not Grant.objects.filter(pk=made.pk).exists()
    assert not bob.has_perm("teams.use_profile", profiles.readonly)


def test_a_member_cannot_revoke(team, profiles, alice, bob):
    made = services.grant(alice, profiles.readonly, user=bob)
    assert signed_in(bob).post(f"/teams/platform/grants/{made.pk}/revoke").status_code == 403
    assert Grant.objects.filter(pk=made.pk).exists()


def test_an_ended_grant_is_marked(team, profiles, alice, bob):
    made = services.grant(alice, profiles.readonly, user=bob, expires_at=timezone.now() + timedelta(hours=1))
    Grant.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = signed_in(alice).get("/teams/platform/").content.decode()
    assert '<span class="badge badge-expired">ended</span>' in page


def test_an_admin_makes_a_read_only_grant_and_the_list_says_so(team, profiles, dana, bob):
    answer = signed_in(dana).post(
        "/teams/platform/grants",
        {"profile": str(profiles.readonly.pk), "grantee": "user:bob", "expires_at": "", "read_only": "on"},
    )
    assert answer.status_code == 302
    assert Grant.objects.get(profile=profiles.readonly, user=bob).read_only
    page = signed_in(dana).get("/teams/platform/").content.decode()
    assert '<span class="badge badge-read-only">read-only</span>' in page


def test_without_the_box_a_grant_is_full(team, profiles, alice, bob):
    assert _post(signed_in(alice), profiles, "user:bob").status_code == 302
    assert not Grant.objects.get(profile=profiles.readonly, user=bob).read_only


def test_a_member_cannot_make_a_read_only_grant(team, profiles, bob):
    answer = signed_in(bob).post(
        "/teams/platform/grants",
        {"profile": str(profiles.readonly.pk), "grantee": "user:bob", "expires_at": "", "read_only": "on"},
    )
    assert answer.status_code == 403
    assert not Grant.objects.exists()


def test_a_member_sees_their_read_only_grant_on_the_team_page(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob, read_only=True)
    page = signed_in(bob).get("/teams/platform/").content.decode()
    assert 'title="Your grant is read-only">read-only</span>' in page
    services.grant(alice, profiles.readonly, role="member")  # a full grant beside it
    page = signed_in(bob).get("/teams/platform/").content.decode()
    assert 'title="Your grant is read-only"' not in page
