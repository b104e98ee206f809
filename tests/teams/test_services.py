"""The team services: each change checked, audited without secrets, and refused with a
message a person can act on; cached sessions end when access ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from console.runs.models import AuditEvent
from console.teams import services
from console.teams.errors import TeamError
from console.teams.models import Grant, Membership, Role, Team
from credentials import cache
from credentials.models import CachedSession, ConfigSection, SsoSecret
from credentials.types import AwsCredentials

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _cache_row(user, label):
    creds = AwsCredentials(
        "ASIAEXAMPLE", "secret", "token", timezone.now() + timedelta(hours=1), "assume-role"
    )
    cache.store(user.pk, cache.cache_key(label), label, creds)


# --- teams ---


def test_it_makes_the_creator_the_first_owner(alice):
    team = services.create_team(alice, "platform", "Platform")
    assert Membership.objects.get(team=team).role == Role.OWNER
    (event,) = _events("team:team:created")
    assert event.actor_name == "alice" and event.data["team"] == "platform"


@pytest.mark.parametrize("slug", ["", "Platform", "a/b", "-x", "x" * 65, "with space"])
def test_it_refuses_a_slug_that_cannot_be_part_of_an_address(alice, slug):
    with pytest.raises(TeamError, match="short name"):
        services.create_team(alice, slug, "Name")


def test_it_refuses_a_taken_slug(team, bob):
    with pytest.raises(TeamError, match="already"):
        services.create_team(bob, "platform", "Again")


def test_an_admin_renames_and_only_an_owner_deletes(team, dana):
    services.rename_team(dana, team, "Platform engineering")
    assert Team.objects.get(pk=team.pk).name == "Platform engineering"
    with pytest.raises(PermissionDenied):
        services.delete_team(dana, team)
    denied = _events("console:access:denied")[-1]
    assert denied.data == {"permission": "teams.delete_team", "object": "Team", "id": str(team.pk)}


def test_an_owner_deletes_the_team_and_its_profiles(team, profiles, alice):
    services.delete_team(alice, team)
    assert not Team.objects.exists() and not ConfigSection.objects.filter(team__isnull=False).exists()
    assert _events("team:team:deleted")


# --- members ---


def test_it_names_an_unknown_user(team, alice):
    with pytest.raises(TeamError) as caught:
        services.add_member(alice, team, "nobody", Role.MEMBER)
    assert caught.value.message == "no user named 'nobody'"


def test_it_refuses_a_member_twice(team, alice):
    with pytest.raises(TeamError, match="member of platform already"):
        services.add_member(alice, team, "bob", Role.AUDITOR)


def test_an_admin_cannot_make_an_owner(team, dana, charlie):
    with pytest.raises(PermissionDenied):
        services.add_member(dana, team, "charlie", Role.OWNER)
    assert not Membership.objects.filter(user=charlie).exists()


def test_a_member_cannot_add_anyone(team, bob):
    with pytest.raises(PermissionDenied):
        services.add_member(bob, team, "charlie", Role.MEMBER)


def test_the_last_owner_can_neither_step_down_nor_leave(team, alice):
    owner = services.membership_of(alice, team)
    with pytest.raises(TeamError, match="last owner"):
        services.change_role(alice, owner, Role.ADMIN)
    with pytest.raises(TeamError, match="last owner"):
        services.remove_member(alice, owner)


def test_ownership_is_handed_on_by_an_owner(team, alice, dana):
    services.change_role(alice, services.membership_of(dana, team), Role.OWNER)
    services.change_role(dana, services.membership_of(alice, team), Role.MEMBER)
    assert services.membership_of(alice, team).role == Role.MEMBER
    (event,) = _events("team:member:role_changed")[-1:]
    assert event.data["old_role"] == Role.OWNER and event.data["user"] == "alice"


def test_an_admin_cannot_remove_an_owner(team, alice, dana):
    with pytest.raises(PermissionDenied):
        services.remove_member(dana, services.membership_of(alice, team))


def test_a_member_may_leave(team, bob):
    services.remove_member(bob, services.membership_of(bob, team))
    assert services.membership_of(bob, team) is None


def test_removing_a_member_ends_their_team_sessions_and_grants(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    _cache_row(bob, "platform/readonly <- platform/keys")
    _cache_row(bob, "mine <- platform/readonly")
    _cache_row(bob, "personal")
    _cache_row(alice, "platform/readonly <- platform/keys")
    SsoSecret.objects.create(user=bob, kind="token", key="k", label="platform/corp", sealed="x")
    services.remove_member(alice, services.membership_of(bob, team))
    assert list(CachedSession.objects.filter(user=bob).values_list("label", flat=True)) == ["personal"]
    assert CachedSession.objects.filter(user=alice).count() == 1
    assert not Grant.objects.exists() and not SsoSecret.objects.filter(user=bob).exists()
    assert _events("team:member:removed")[-1].data["user"] == "bob"


# --- profiles ---


def test_secrets_are_write_only_and_never_audited(team, profiles, alice):
    assert profiles.keys.settings == {}
    assert profiles.keys.open_secrets()["aws_secret_access_key"] == "s3cr3t-canary"
    edited = services.save_team_profile(
        alice, team, "keys", {"aws_access_key_id": "", "aws_secret_access_key": "", "region": "eu-west-1"}
    )
    assert edited.open_secrets()["aws_secret_access_key"] == "s3cr3t-canary"
    event = _events("team:profile:updated")[-1]
    assert event.data["keys"] == ["region"]
    assert all(
        "canary" not in str(e.data) and "AKIAEXAMPLE" not in str(e.data) for e in AuditEvent.objects.all()
    )


def test_a_secret_left_out_of_an_edit_is_removed(team, profiles, alice):
    edited = services.save_team_profile(alice, team, "keys", {"region": "eu-west-1"})
    assert edited.open_secrets() == {}
    assert _events("team:profile:updated")[-1].data["keys"] == [
        "aws_access_key_id",
        "aws_secret_access_key",
        "region",
    ]


def test_it_reports_every_bad_key_at_once(team, alice):
    with pytest.raises(TeamError) as caught:
        services.save_team_profile(
            alice,
            team,
            "bad",
            {
                "role_session_name": "shared",
                "region": "Europe",
                "credential_process": "/bin/sh",
                "source_profile": "other/keys",
            },
        )
    lines = caught.value.message.splitlines()
    assert len(lines) == 4
    assert any("role_session_name cannot be set on a team profile" in line for line in lines)
    assert not ConfigSection.objects.filter(name="bad").exists()


@pytest.mark.parametrize("name", ["a/b", "", "[x]"])
def test_it_refuses_a_profile_name_that_cannot_be_addressed(team, alice, name):
    with pytest.raises(TeamError):
        services.save_team_profile(alice, team, name, {"region": "us-east-1"})


def test_a_member_cannot_change_profiles(team, bob):
    with pytest.raises(PermissionDenied):
        services.save_team_profile(bob, team, "x", {"region": "us-east-1"})


def test_a_pasted_section_merges_into_the_teams_sections(team, profiles, alice):
    text = (
        "[profile readonly]\nregion = eu-central-1\n\n"
        "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    saved = services.import_team_section(alice, team, text)
    assert [(s.kind, s.name) for s in saved] == [("profile", "readonly"), ("sso-session", "corp")]
    readonly = ConfigSection.objects.get(pk=profiles.readonly.pk)
    assert readonly.settings["region"] == "eu-central-1" and readonly.settings["source_profile"] == "keys"


def test_a_paste_with_nothing_usable_says_so(team, alice):
    with pytest.raises(TeamError, match="No \\[profile"):
        services.import_team_section(alice, team, "# nothing\n")
    with pytest.raises(TeamError, match="could not be read"):
        services.import_team_section(alice, team, "region = x\n")


def test_deleting_a_profile_ends_its_sessions_for_everyone(team, profiles, alice, bob):
    _cache_row(bob, "platform/readonly <- platform/keys")
    _cache_row(alice, "platform/readonly")
    services.delete_team_profile(alice, profiles.readonly)
    assert not CachedSession.objects.exists()
    assert _events("team:profile:deleted")[-1].data["profile"] == "readonly"


def test_changing_a_source_ends_the_sessions_built_on_it(team, profiles, alice, bob):
    _cache_row(bob, "platform/readonly <- platform/keys")
    _cache_row(bob, "platform/readonly2")
    services.save_team_profile(alice, team, "keys", {"aws_access_key_id": "", "aws_secret_access_key": ""})
    assert list(CachedSession.objects.values_list("label", flat=True)) == ["platform/readonly2"]


# --- grants ---


def test_it_grants_and_revokes_with_audit_events(team, profiles, alice, bob):
    made = services.grant(alice, profiles.readonly, user="bob", expires_at=timezone.now() + timedelta(days=1))
    assert made.user == bob
    _cache_row(bob, "platform/readonly <- platform/keys")
    _cache_row(bob, "platform/other")
    services.revoke_grant(alice, made)
    assert list(CachedSession.objects.values_list("label", flat=True)) == ["platform/other"]
    created, revoked = _events("team:grant:created")[-1], _events("team:grant:revoked")[-1]
    assert created.data["user"] == revoked.data["user"] == "bob"
    assert created.data["profile"] == "readonly"


def test_revoking_a_role_grant_ends_the_sessions_of_that_roles_members(team, profiles, alice, bob, dana):
    made = services.grant(alice, profiles.readonly, role=Role.MEMBER)
    _cache_row(bob, "platform/readonly <- platform/keys")
    _cache_row(dana, "platform/readonly <- platform/keys")
    services.revoke_grant(alice, made)
    assert list(CachedSession.objects.values_list("user__username", flat=True)) == ["dana"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user": "carol"}, "auditors never run commands"),
        ({"user": "charlie"}, "not a member of platform"),
        ({"user": "nobody"}, "no user named 'nobody'"),
        ({"role": Role.ADMIN}, "may use every team profile already"),
        ({"role": Role.AUDITOR}, "only members run commands"),
        ({}, "give a user or a role"),
    ],
)
def test_it_refuses_grants_that_cannot_mean_anything(team, profiles, alice, kwargs, message):
    with pytest.raises(TeamError, match=message):
        services.grant(alice, profiles.readonly, **kwargs)


def test_it_refuses_a_grant_that_ends_in_the_past_or_twice(team, profiles, alice, bob):
    with pytest.raises(TeamError, match="future"):
        services.grant(alice, profiles.readonly, user=bob, expires_at=timezone.now() - timedelta(seconds=1))
    services.grant(alice, profiles.readonly, user=bob)
    with pytest.raises(TeamError, match="already"):
        services.grant(alice, profiles.readonly, user=bob)


def test_a_member_cannot_grant(team, profiles, bob):
    with pytest.raises(PermissionDenied):
        services.grant(bob, profiles.readonly, user=bob)


def test_a_personal_profile_is_never_granted(team, profiles, alice):
    with pytest.raises(TeamError, match="personal profile"):
        services.grant(alice, profiles.personal, user="bob")


@pytest.mark.django_db(transaction=True)  # the reaper's round closes the thread's connection
def test_an_expired_grant_ends_with_its_sessions_on_the_reapers_round(team, profiles, alice, bob):
    from console.runs import tasks

    made = services.grant(alice, profiles.readonly, user=bob, expires_at=timezone.now() + timedelta(hours=1))
    kept = services.grant(alice, profiles.keys, user=bob, expires_at=timezone.now() + timedelta(hours=1))
    Grant.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _cache_row(bob, "platform/readonly <- platform/keys")
    tasks.reap_once()  # every worker's reaper thread runs the teams' chore
    assert list(Grant.objects.all()) == [kept]
    assert not CachedSession.objects.filter(user=bob).exists()
    event = _events("team:grant:expired")[-1]
    assert (event.actor_name, event.data["profile"], event.data["user"]) == ("system", "readonly", "bob")
    assert services.end_expired_grants() == 0


# --- queries and sign-in ---


def test_it_lists_a_users_teams(team, alice, charlie):
    other = services.create_team(charlie, "data", "Data")
    assert list(services.teams_of(alice)) == [team]
    assert list(services.teams_of(charlie)) == [other]


@pytest.mark.parametrize(
    ("rule", "needs"),
    [
        ("off", set()),
        ("managers", {"alice", "dana"}),
        ("everyone", {"alice", "dana", "bob", "carol", "charlie"}),
    ],
)
def test_it_says_who_needs_a_second_factor(settings, team, alice, dana, bob, carol, charlie, rule, needs):
    settings.CONSOLE_REQUIRE_SECOND_FACTOR = rule
    cast = [alice, dana, bob, carol, charlie]
    assert {u.username for u in cast if services.requires_second_factor(u)} == needs
