"""A guardrail policy: for each IAM access level, what the console does with a command of
that level on one profile — run it (allow), ask the person to type the profile's name
first (confirm), wait for another team member's approval (approve: the run waits in
`awaiting_approval` without a worker, console/runs/approvals.py), or refuse it before
anything is sent (deny).

A policy is stored as plain JSON on the profile's row (credentials.ConfigSection.policy,
`{"List": "allow", ...}`), so the broker's one query for the profiles brings it along and
the worker decides without another read. An empty policy is "none set": everything is
allowed, as before policies existed. A level the stored policy does not name (a level
added later, a hand-edited row) falls to the strictest decision, deny, so a policy fails
closed the way an unknown operation counts as Write.

Django-free, beside the access levels it speaks of: the worker, `guard explain`, the
portal form and the API all read these names and presets."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from console.engine.access_levels import AccessLevel


class Decision(enum.StrEnum):
    ALLOW = "allow"
    CONFIRM = "confirm"
    APPROVE = "approve"
    DENY = "deny"


# From least to most privileged, the order people read a policy in.
LEVELS: tuple[AccessLevel, ...] = tuple(sorted(AccessLevel, key=lambda level: level.rank))
_DECISIONS = frozenset(str(decision) for decision in Decision)
# What a just-in-time elevation gives ("Write on a profile for a stated time"): Write, and
# Tagging, a lesser change; never Permissions management (console/commands/guardrail.py).
ELEVATED_LEVELS = frozenset({AccessLevel.WRITE, AccessLevel.TAGGING})


def _preset(**chosen: Decision) -> dict[str, str]:
    by_level = {AccessLevel.LIST: "list", AccessLevel.READ: "read", AccessLevel.TAGGING: "tagging"}
    by_level |= {AccessLevel.WRITE: "write", AccessLevel.PERMISSIONS: "permissions"}
    return {str(level): str(chosen[by_level[level]]) for level in LEVELS}


A, C, P, D = Decision.ALLOW, Decision.CONFIRM, Decision.APPROVE, Decision.DENY
PRESETS: dict[str, dict[str, str]] = {
    "read-only": _preset(list=A, read=A, tagging=D, write=D, permissions=D),
    "careful": _preset(list=A, read=A, tagging=C, write=C, permissions=C),
    "production": _preset(list=A, read=A, tagging=C, write=P, permissions=P),
    "open": _preset(list=A, read=A, tagging=A, write=A, permissions=A),
}


class PolicyError(ValueError):
    """A policy that cannot be stored; the message says what to send instead."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def decide(policy: Mapping[str, Any], level: AccessLevel) -> Decision:
    """What `policy` does with a command of `level`; no policy at all allows everything."""
    if not policy:
        return Decision.ALLOW
    value = policy.get(str(level))
    return Decision(value) if isinstance(value, str) and value in _DECISIONS else Decision.DENY


_STRICTNESS = (Decision.ALLOW, Decision.CONFIRM, Decision.APPROVE, Decision.DENY)


def at_least(policy: Mapping[str, Any], floor: Mapping[str, Any]) -> dict[str, str]:
    """Per level, the stricter of the two decisions: what a read-only grant makes of the
    profile's own policy (`floor` the "read-only" preset), so it can only tighten it."""
    return {
        str(level): str(max(decide(policy, level), decide(floor, level), key=_STRICTNESS.index))
        for level in LEVELS
    }


def checked(data: Any) -> dict[str, str]:
    """A policy from a person or an API client: a preset's name, or an object with a
    decision for every level (`{}` clears it). Every problem is reported at once."""
    if isinstance(data, str):
        if data not in PRESETS:
            raise PolicyError(f"{data!r} is not a preset; the presets are {', '.join(PRESETS)}.")
        return dict(PRESETS[data])
    if not isinstance(data, dict):
        raise PolicyError("a policy is a preset's name or an object of access level -> decision.")
    if not data:
        return {}
    names, choices = [str(level) for level in LEVELS], [str(d) for d in Decision]
    problems = [f"{key!r} is not an access level" for key in data if key not in names]
    problems += [f"{name!r} needs a decision" for name in names if name not in data]
    problems += [
        f"{key!r}: {value!r} is not one of {', '.join(choices)}"
        for key, value in data.items()
        if key in names and value not in choices
    ]
    if problems:
        raise PolicyError("; ".join(problems) + ".")
    return {name: str(data[name]) for name in names}


def preset_of(policy: Mapping[str, Any]) -> str | None:
    """The preset's name when `policy` is exactly one, else None (a custom policy, or none)."""
    return next((name for name, preset in PRESETS.items() if dict(policy) == preset), None)


def describe(policy: Mapping[str, Any]) -> str:
    """One line for people: the preset, or each level's decision."""
    if not policy:
        return "none set (allow)"
    return preset_of(policy) or ", ".join(f"{level} {decide(policy, level)}" for level in LEVELS)
