"""A guardrail policy's vocabulary (console/engine/policies.py): the presets, what each
decides per access level, and every way a policy sent by a person or a client is refused."""

from __future__ import annotations

import pytest

from console.engine.access_levels import AccessLevel
from console.engine.policies import PRESETS, Decision, PolicyError, checked, decide, describe, preset_of

L = AccessLevel


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (
            "read-only",
            {L.LIST: "allow", L.READ: "allow", L.TAGGING: "deny", L.WRITE: "deny", L.PERMISSIONS: "deny"},
        ),
        (
            "careful",
            {
                L.LIST: "allow",
                L.READ: "allow",
                L.TAGGING: "confirm",
                L.WRITE: "confirm",
                L.PERMISSIONS: "confirm",
            },
        ),
        ("open", {level: "allow" for level in L}),
    ],
)
def test_each_preset_decides_each_level(preset, expected):
    assert {level: decide(PRESETS[preset], level) for level in L} == expected


def test_no_policy_allows_everything():
    assert {decide({}, level) for level in L} == {Decision.ALLOW}
    assert describe({}) == "none set (allow)"


def test_a_level_the_stored_policy_does_not_name_is_denied():
    assert decide({"List": "allow"}, L.WRITE) == Decision.DENY
    assert decide({**PRESETS["open"], "Write": "sometimes"}, L.WRITE) == Decision.DENY


def test_production_reads_freely_confirms_tagging_and_sends_writes_for_approval():
    production = checked("production")
    assert [decide(production, level) for level in (L.LIST, L.READ, L.TAGGING, L.WRITE, L.PERMISSIONS)] == [
        Decision.ALLOW,
        Decision.ALLOW,
        Decision.CONFIRM,
        Decision.APPROVE,
        Decision.APPROVE,
    ]
    assert checked({**PRESETS["open"], "Write": "approve"})["Write"] == "approve"


def test_a_preset_name_or_a_full_object_is_accepted():
    assert checked("careful") == PRESETS["careful"]
    custom = {**PRESETS["open"], "Permissions management": "deny"}
    assert checked(custom) == custom
    assert checked({}) == {}
    assert preset_of(custom) is None and preset_of(PRESETS["read-only"]) == "read-only"
    assert describe(custom) == (
        "List allow, Read allow, Tagging allow, Write allow, Permissions management deny"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("prod", "'prod' is not a preset; the presets are read-only, careful, production, open."),
        (["allow"], "a policy is a preset's name or an object of access level -> decision."),
        ({"List": "allow"}, "'Read' needs a decision"),
        ({**PRESETS["open"], "Delete": "deny"}, "'Delete' is not an access level"),
        (
            {**PRESETS["open"], "Write": "ask"},
            "'Write': 'ask' is not one of allow, confirm, approve, deny",
        ),
    ],
)
def test_a_bad_policy_says_what_to_send(data, message):
    with pytest.raises(PolicyError) as caught:
        checked(data)
    assert message in caught.value.message


def test_a_read_only_grant_tightens_every_decision_of_the_profile_it_meets():
    from console.engine.policies import at_least

    # A read-only member on a production profile: what production sends for approval, and
    # what it asks to confirm, the read-only floor denies; reading stays free.
    tightened = at_least(PRESETS["production"], PRESETS["read-only"])
    assert tightened == {
        "List": "allow",
        "Read": "allow",
        "Tagging": "deny",
        "Write": "deny",
        "Permissions management": "deny",
    }
    assert at_least(PRESETS["open"], PRESETS["read-only"]) == PRESETS["read-only"]
