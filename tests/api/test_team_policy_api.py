"""A team profile's guardrail policy through the API (docs/api.md): read with the profile,
PUT as a preset's name or a decision per level, with the production tag; bad policies say
what to send; only owners and admins may change it, and each change is audited."""

from __future__ import annotations

import pytest

from console.engine.policies import PRESETS
from console.runs.models import AuditEvent
from console.teams import services
from credentials.models import ConfigSection
from tests.api.test_teams_api import as_  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PATH = "teams/platform/profiles/readonly"


def test_a_profile_shows_its_policy(team, profiles, as_, alice, bob):  # noqa: F811
    unset = as_(alice)("get", PATH).json()
    assert (unset["policy"], unset["preset"], unset["production"]) == ({}, None, False)
    services.grant(alice, profiles.readonly, user=bob)
    services.set_team_policy(alice, profiles.readonly, "careful", production=True)
    seen = as_(bob)("get", PATH).json()
    assert (seen["policy"], seen["preset"], seen["production"]) == (PRESETS["careful"], "careful", True)


def test_an_admin_puts_a_preset_then_a_custom_policy(team, profiles, as_, dana):  # noqa: F811
    answer = as_(dana)("put", PATH, {"policy": "read-only", "production": True})
    assert answer.status_code == 200
    assert (answer.json()["preset"], answer.json()["production"]) == ("read-only", True)
    custom = {**PRESETS["open"], "Permissions management": "deny"}
    answer = as_(dana)("put", PATH, {"policy": custom})
    assert (answer.json()["policy"], answer.json()["preset"], answer.json()["production"]) == (
        custom,
        None,
        True,
    )
    section = ConfigSection.objects.get(pk=profiles.readonly.pk)
    assert (section.policy, section.production) == (custom, True)
    assert section.settings == profiles.readonly.settings  # the settings are left alone
    changes = AuditEvent.objects.filter(action="team:policy:changed").order_by("id")
    assert [(e.actor, e.data["preset"]) for e in changes] == [(dana, "read-only"), (dana, None)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"policy": "prod"}, "'prod' is not a preset"),
        ({"policy": {"List": "allow"}}, "'Read' needs a decision"),
        (
            {"policy": {**PRESETS["open"], "Write": "ask"}},
            "'Write': 'ask' is not one of allow, confirm, approve, deny",
        ),
        ({"production": "yes"}, "production is true or false."),
        ({}, 'send "values", "policy" or "production"'),
        ({"policy": "open", "rules": []}, 'unknown field "rules"'),
    ],
)
def test_a_bad_policy_says_what_to_send(team, profiles, as_, alice, body, message):  # noqa: F811
    answer = as_(alice)("put", PATH, body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert ConfigSection.objects.get(pk=profiles.readonly.pk).policy == {}


def test_only_managers_change_a_policy(team, profiles, as_, alice, bob, carol):  # noqa: F811
    services.grant(alice, profiles.readonly, user=bob)
    assert as_(bob)("put", PATH, {"policy": "open"}).status_code == 403
    assert as_(carol)("put", PATH, {"policy": "open"}).status_code == 404
    assert ConfigSection.objects.get(pk=profiles.readonly.pk).policy == {}
    assert not AuditEvent.objects.filter(action="team:policy:changed").exists()
