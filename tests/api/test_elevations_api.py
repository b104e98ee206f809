"""Just-in-time elevation through the API (docs/api.md, "Elevations"): asking, listing with
and without a status, one elevation, deciding, ending with POST or DELETE, and bad input
answered with what to send. Who may is the authorization matrix's (tests/portal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from console.teams import services
from console.teams.models import Elevation
from tests.api.test_teams_api import as_  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ASK = {"profile": "platform/readonly", "duration": "1h30m", "reason": "the release"}


@pytest.fixture
def granted(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    return profiles.readonly


def test_it_asks_decides_lists_and_ends(granted, as_, bob, dana):  # noqa: F811
    asked = as_(bob)("post", "elevations", ASK)
    assert asked.status_code == 201
    made = asked.json()
    assert {k: made[k] for k in ("profile", "requester", "minutes", "reason", "status", "active")} == {
        "profile": "platform/readonly",
        "requester": "bob",
        "minutes": 90,
        "reason": "the release",
        "status": "pending",
        "active": False,
    }
    path = f"elevations/{made['id']}"
    assert [row["id"] for row in as_(dana)("get", "elevations?status=pending").json()["elevations"]] == [
        made["id"]
    ]
    approved = as_(dana)("post", path, {"decision": "approve", "reason": "go"}).json()
    assert (approved["status"], approved["active"], approved["decided_by"], approved["decision_reason"]) == (
        "approved",
        True,
        "dana",
        "go",
    )
    assert [row["id"] for row in as_(bob)("get", "elevations?status=active").json()["elevations"]] == [
        made["id"]
    ]
    assert as_(bob)("get", path).json()["ends_at"] == approved["ends_at"]
    ended = as_(bob)("delete", path)
    assert ended.status_code == 200
    assert (ended.json()["status"], ended.json()["active"], ended.json()["ended_by"]) == (
        "ended",
        False,
        "bob",
    )
    assert as_(bob)("get", "elevations?status=active").json() == {"elevations": []}


def test_an_approver_ends_one_with_a_post(granted, as_, bob, alice):  # noqa: F811
    made = as_(bob)("post", "elevations", ASK).json()
    as_(alice)("post", f"elevations/{made['id']}", {"decision": "approve"})
    ended = as_(alice)("post", f"elevations/{made['id']}", {"decision": "end"})
    assert (ended.status_code, ended.json()["ended_by"]) == (200, "alice")


def test_an_active_one_whose_time_is_up_is_not_listed_as_active(granted, as_, bob, dana):  # noqa: F811
    made = as_(bob)("post", "elevations", ASK).json()
    as_(dana)("post", f"elevations/{made['id']}", {"decision": "approve"})
    Elevation.objects.filter(pk=made["id"]).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert as_(bob)("get", "elevations?status=active").json() == {"elevations": []}
    assert as_(bob)("get", f"elevations/{made['id']}").json()["active"] is False


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({**ASK, "duration": "5h"}, 400, "an elevation lasts at most 4 h (240 minutes); ask for less."),
        (
            {**ASK, "duration": []},
            400,
            'duration is minutes (a number) or text such as "45m", "2h", "1h30m".',
        ),
        ({**ASK, "reason": " "}, 400, "say why you need Write: the approver reads the reason."),
        ({**ASK, "profile": "readonly"}, 400, '"profile" is a team profile\'s address, <team>/<profile>'),
        ({**ASK, "profile": "platform/nosuch"}, 404, "no such profile"),
        ({**ASK, "profile": "platform/keys"}, 404, "no such profile"),  # not granted to bob
        ({"profile": "platform/readonly"}, 400, '"duration" is required; "reason" is required'),
        ({**ASK, "until": "tomorrow"}, 400, 'unknown field "until"'),
    ],
)
def test_bad_requests_say_what_to_send(granted, as_, bob, body, status, message):  # noqa: F811
    answer = as_(bob)("post", "elevations", body)
    assert (answer.status_code, answer.json()["error"]) == (status, message)
    assert not Elevation.objects.exists()


def test_bad_decisions_say_what_to_send(granted, as_, bob, dana):  # noqa: F811
    path = f"elevations/{as_(bob)('post', 'elevations', ASK).json()['id']}"
    assert as_(dana)("post", path, {"decision": "maybe"}).json()["error"] == "decision is approve or deny."
    assert as_(dana)("post", path, {"decision": "deny"}).json()["error"] == (
        "say why you deny it: the requester reads the reason."
    )
    assert as_(bob)("post", path, {"decision": "approve"}).json()["error"] == (
        "nobody approves their own elevation; another owner or admin of the team must."
    )
    assert as_(dana)("get", "elevations?status=soon").json()["error"] == (
        '"status" is one of pending, approved, denied, expired, ended, active'
    )
    assert as_(dana)("get", "elevations/999999").status_code == 404
