"""The cast of a team: Alice owns `platform`, Dana is its admin, Bob a member, Carol its
auditor, Charlie an outsider. `profiles` are two team profiles (`readonly` chained from
`keys`, which holds access keys) and one of Charlie's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from console.teams import services
from console.teams.models import Role, Team
from credentials.models import ConfigSection
from credentials.services import save_profile
from tests.conftest import _make_user
from tests.credentials.conftest import sts_calls  # noqa: F401 (the STS request counter, a fixture)


@pytest.fixture
def dana(db: Any) -> Any:
    return _make_user("dana")


@pytest.fixture
def carol(db: Any) -> Any:
    return _make_user("carol")


@pytest.fixture
def team(alice: Any, bob: Any, carol: Any, dana: Any, charlie: Any) -> Team:
    made = services.create_team(alice, "platform", "Platform")
    services.add_member(alice, made, "dana", Role.ADMIN)
    services.add_member(alice, made, "bob", Role.MEMBER)
    services.add_member(alice, made, "carol", Role.AUDITOR)
    return made


@dataclass
class Profiles:
    keys: ConfigSection
    readonly: ConfigSection
    personal: ConfigSection


@pytest.fixture
def profiles(team: Team, alice: Any, charlie: Any) -> Profiles:
    keys = services.save_team_profile(
        alice,
        team,
        "keys",
        {"aws_access_key_id": "AKIAEXAMPLEKEYS00001", "aws_secret_access_key": "s3cr3t-canary"},
    )
    readonly = services.save_team_profile(
        alice,
        team,
        "readonly",
        {
            "role_arn": "arn:aws:iam::123456789012:role/ConsoleReadOnly",
            "source_profile": "keys",
            "region": "us-east-1",
        },
    )
    personal = save_profile(charlie, "mine", {"region": "eu-west-1"})
    return Profiles(keys, readonly, personal)
