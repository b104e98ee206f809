"""A team's IAM Identity Center configuration (option c of docs/teams.md), against the
sandbox's emulator: each member signs in to the team's sso-session as themselves with
`aws sso login --profile <team>/<profile>` and keeps a token of their own; removing them
ends it."""

from __future__ import annotations

import pytest

from console.teams import services
from console.teams.models import Role
from credentials import broker
from credentials.errors import CredentialError, ProfileNotFound
from credentials.models import CachedSession, SsoSecret
from tests.credentials.test_sso import BrowserSink, caller_arn, ic, identity_center, run_line  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_sso(alice, bob, ic):  # noqa: F811 (ic is the fixture imported above)
    team = services.create_team(alice, "platform", "Platform")
    services.add_member(alice, team, "bob", Role.MEMBER)
    services.save_team_profile(
        alice,
        team,
        "corp",
        {
            "sso_start_url": ic.start_url,
            "sso_region": ic.region,
            "sso_registration_scopes": "sso:account:access",
            "endpoint_url": ic.url,
        },
        kind="sso-session",
    )
    sso = services.save_team_profile(
        alice,
        team,
        "sso",
        {
            "sso_session": "corp",
            "sso_account_id": ic.account_id,
            "sso_role_name": "AdministratorAccess",
            "region": ic.region,
            "endpoint_url": ic.url,
        },
    )
    services.grant(alice, sso, user=bob)
    return team


def test_each_member_signs_in_to_the_team_session_as_themselves(team_sso, alice, bob, ic):  # noqa: F811
    code, sink = run_line(bob, "aws sso login --profile platform/sso", BrowserSink(username="bob-dir"))
    assert code == 0, sink.stderr
    assert caller_arn(bob, "platform/sso").startswith(
        f"arn:aws:sts::{ic.account_id}:assumed-role/AWSReservedSSO_AdministratorAccess_"
    )
    assert SsoSecret.objects.get(user=bob, kind="token").label == "platform/corp"
    # Alice's own sign-in is hers to make: Bob's token is not shared with her.
    with pytest.raises(CredentialError, match="Token for platform/corp does not exist"):
        broker.resolve_session(alice, profile="platform/sso")


def test_removing_the_member_ends_their_sign_in_and_sessions(team_sso, alice, bob, ic):  # noqa: F811
    run_line(bob, "aws sso login --profile platform/sso", BrowserSink(username="bob-dir"))
    caller_arn(bob, "platform/sso")
    assert CachedSession.objects.filter(user=bob).exists()
    services.remove_member(alice, services.membership_of(bob, team_sso))
    assert not SsoSecret.objects.filter(user=bob, kind="token").exists()
    assert not CachedSession.objects.filter(user=bob).exists()
    with pytest.raises(ProfileNotFound):
        broker.resolve_session(bob, profile="platform/sso")


def test_a_revoked_grant_drops_the_role_credentials_of_that_profile(team_sso, alice, bob, ic):  # noqa: F811
    run_line(bob, "aws sso login --profile platform/sso", BrowserSink(username="bob-dir"))
    caller_arn(bob, "platform/sso")
    services.revoke_grant(alice, bob.team_grants.get())
    assert not CachedSession.objects.filter(user=bob).exists()
    with pytest.raises(ProfileNotFound):
        broker.resolve_session(bob, profile="platform/sso")
