"""The broker's SQL (console/teams/access.py) and the predicate `teams.use_profile` are
two writings of one rule: over every role and every kind of grant they agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from console.teams import services
from console.teams.access import TeamAccess
from console.teams.models import Grant, Role
from console.teams.rules import uses_read_only
from credentials.models import ConfigSection

pytestmark = pytest.mark.django_db


def _usable_by_sql(user):
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(TeamAccess().usable_sections_sql(), {"user": user.pk, "now": now})
        return {str(row[0]).replace("-", "") for row in cursor.fetchall()}


def _usable_by_predicate(user):
    return {
        section.pk.hex
        for section in ConfigSection.objects.filter(team__isnull=False)
        if user.has_perm("teams.use_profile", section)
    }


def test_the_sql_and_the_predicate_agree_for_every_role_and_grant(
    team, profiles, alice, dana, bob, carol, charlie
):
    other = services.save_team_profile(
        alice, team, "admin", {"role_arn": "arn:aws:iam::123456789012:role/Admin"}
    )
    services.save_team_profile(
        alice, team, "corp", {"sso_start_url": "https://x.awsapps.com/start"}, kind="sso-session"
    )
    services.grant(alice, profiles.readonly, user=bob)
    expired = services.grant(alice, other, user=bob, expires_at=timezone.now() + timedelta(minutes=5))
    Grant.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    Grant.objects.create(team=team, profile=other, user=carol)  # an auditor's, by hand
    for user in (alice, dana, bob, carol, charlie):
        assert _usable_by_sql(user) == _usable_by_predicate(user), user.username
    assert _usable_by_sql(bob) == {profiles.readonly.pk.hex}
    assert _usable_by_sql(charlie) == set()


def test_a_role_grant_agrees_too(team, profiles, alice, bob, carol):
    services.grant(alice, profiles.readonly, role=Role.MEMBER)
    for user in (bob, carol):
        assert _usable_by_sql(user) == _usable_by_predicate(user)
    assert _usable_by_sql(bob) == {profiles.readonly.pk.hex}


def test_usable_team_profiles_lists_what_the_rule_allows(team, profiles, alice, bob, carol):
    services.grant(alice, profiles.readonly, user=bob)
    assert services.usable_team_profiles(bob) == [(team, profiles.readonly)]
    assert services.usable_team_profiles(carol) == []
    assert [s.name for _, s in services.usable_team_profiles(alice)] == ["keys", "readonly"]


def _read_only_by_sql(user):
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(TeamAccess().usable_sections_sql(), {"user": user.pk, "now": now})
        return {str(row[0]).replace("-", "") for row in cursor.fetchall() if row[1]}


def _read_only_by_predicate(user):
    return {
        section.pk.hex
        for section in ConfigSection.objects.filter(team__isnull=False)
        if user.has_perm("teams.use_profile", section) and uses_read_only(user, section)
    }


def test_the_sql_and_the_predicate_agree_on_read_only_uses(team, profiles, alice, dana, bob, carol, charlie):
    admin = services.save_team_profile(
        alice, team, "admin", {"role_arn": "arn:aws:iam::123456789012:role/Admin"}
    )
    services.grant(alice, profiles.readonly, user=bob, read_only=True)
    # A read-only grant to bob beside a full one to every member: bob uses it fully.
    services.grant(alice, admin, user=bob, read_only=True)
    services.grant(alice, admin, role=Role.MEMBER)
    # A read-only grant to every member, and bob has no grant of his own: read-only.
    services.grant(alice, profiles.keys, role=Role.MEMBER, read_only=True)
    for user in (alice, dana, bob, carol, charlie):
        assert _read_only_by_sql(user) == _read_only_by_predicate(user), user.username
    assert _read_only_by_sql(bob) == {profiles.readonly.pk.hex, profiles.keys.pk.hex}
    assert _read_only_by_sql(alice) == set()  # owners use every profile fully
