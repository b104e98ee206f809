"""A team profile's guardrail policy on its page: owners and admins set a preset or a
decision per level and the production tag (each change one audit event); a member with a
grant sees the policy but may not change it (403); an auditor or a member without a grant
finds no such profile (404)."""

from __future__ import annotations

import pytest

from console.engine.policies import PRESETS
from console.runs.models import AuditEvent
from console.teams import services
from credentials.models import ConfigSection
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db

CUSTOM = {
    "preset": "custom",
    "level_list": "allow",
    "level_read": "allow",
    "level_tagging": "confirm",
    "level_write": "confirm",
    "level_permissions_management": "deny",
}


def _page(profiles):
    return f"/teams/platform/profiles/{profiles.readonly.pk}/"


def _stored(profiles):
    section = ConfigSection.objects.get(pk=profiles.readonly.pk)
    return section.policy, section.production


@pytest.mark.parametrize("who", ["alice", "dana"])
def test_an_owner_or_admin_sets_a_preset_and_the_production_tag(team, profiles, request, who):
    user = request.getfixturevalue(who)
    answer = signed_in(user).post(_page(profiles) + "policy", {"preset": "read-only", "production": "on"})
    assert (answer.status_code, answer["Location"]) == (302, _page(profiles))
    assert _stored(profiles) == (PRESETS["read-only"], True)
    event = AuditEvent.objects.filter(action="team:policy:changed").get()
    assert event.actor == user
    assert event.data["profile"] == "readonly" and event.data["preset"] == "read-only"
    assert event.data["before"] == {"policy": {}, "production": False}
    page = signed_in(user).get(_page(profiles)).content.decode()
    assert "Now: <strong>read-only</strong>" in page and "production</span>" in page


def test_an_admin_sets_a_decision_per_level(team, profiles, dana):
    assert signed_in(dana).post(_page(profiles) + "policy", CUSTOM).status_code == 302
    assert _stored(profiles)[0] == {
        "List": "allow",
        "Read": "allow",
        "Tagging": "confirm",
        "Write": "confirm",
        "Permissions management": "deny",
    }


def test_none_clears_the_policy(team, profiles, alice):
    services.set_team_policy(alice, profiles.readonly, "careful", production=False)
    assert signed_in(alice).post(_page(profiles) + "policy", {"preset": "none"}).status_code == 302
    assert _stored(profiles) == ({}, False)


def test_a_custom_policy_with_a_level_left_out_is_shown_and_not_stored(team, profiles, alice):
    answer = signed_in(alice).post(_page(profiles) + "policy", {**CUSTOM, "level_write": ""})
    assert answer.status_code == 200
    assert "Choose what a Write command does." in answer.content.decode()
    assert _stored(profiles) == ({}, False)


def test_a_member_with_a_grant_sees_the_policy_but_may_not_change_it(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    services.set_team_policy(alice, profiles.readonly, "careful", production=False)
    page = signed_in(bob).get(_page(profiles)).content.decode()
    assert "Now: <strong>careful</strong>" in page and "Save the policy" not in page
    answer = signed_in(bob).post(_page(profiles) + "policy", {"preset": "open"})
    assert answer.status_code == 403
    assert _stored(profiles)[0] == PRESETS["careful"]
    denied = AuditEvent.objects.filter(action="console:access:denied").last()
    assert denied.data["permission"] == "teams.manage_profiles"


@pytest.mark.parametrize("who", ["bob", "carol", "charlie"])
def test_anyone_who_cannot_see_the_profile_finds_none(team, profiles, request, who):
    user = request.getfixturevalue(who)
    answer = signed_in(user).post(_page(profiles) + "policy", {"preset": "open"})
    assert answer.status_code == 404
    assert _stored(profiles) == ({}, False)
    assert not AuditEvent.objects.filter(action="team:policy:changed").exists()
