"""CONSOLE_REQUIRE_2FA=admins (the production default): owners and admins of any team and
console staff must have a second factor; members and auditors are offered one. A role
given while a terminal is open applies to that terminal at once."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from console.teams import services as teams
from tests.accounts.conftest import open_terminal_of, require_2fa, sign_in
from tests.wsclient import receive

pytestmark = pytest.mark.django_db(transaction=True)

ENROL = "/accounts/security/enrol/"


@pytest.fixture(autouse=True)
def require_for_admins(settings):
    require_2fa(settings, "admins")


@pytest.fixture
def platform(alice, bob, charlie):
    """Alice owns the team, Bob is a member; Charlie is an outsider."""
    team = teams.create_team(alice, "platform", "Platform")
    teams.add_member(alice, team, "bob", "member")
    return team


def first_stop(user) -> str:
    return sign_in(Client(), user)["Location"]


def test_owners_and_admins_must_enrol_members_and_outsiders_need_not(
    platform, alice, bob, charlie, django_user_model
):
    assert first_stop(alice) == ENROL
    assert first_stop(bob) == "/"
    assert first_stop(charlie) == "/"
    teams.add_member(alice, platform, "charlie", "admin")
    assert first_stop(charlie) == ENROL
    auditor = django_user_model.objects.create_user("dana", password="correct horse battery staple")
    teams.add_member(alice, platform, "dana", "auditor")
    assert first_stop(auditor) == "/"


def test_console_staff_must_enrol(db, django_user_model):
    staff = django_user_model.objects.create_user(
        "erin", password="correct horse battery staple", is_staff=True
    )
    assert first_stop(staff) == ENROL


async def test_a_member_made_admin_loses_the_open_terminal_until_enrolled(platform, alice, bob):
    client = Client()
    assert await database_sync_to_async(sign_in)(client, bob) is not None
    comm, connected = await open_terminal_of(client)
    assert connected and (await receive(comm))["type"] == "hello"

    membership = await database_sync_to_async(lambda: teams.membership_of(bob, platform))()
    await database_sync_to_async(teams.change_role)(alice, membership, "admin")

    frame = await receive(comm)
    assert frame["code"] == "second_factor_required"
    await comm.disconnect()
    assert (await database_sync_to_async(client.get)("/"))["Location"].startswith(ENROL)
