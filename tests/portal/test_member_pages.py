"""Adding a member by username, changing a role, removing one, leaving: what each role may
do, and every refusal shown as a message on the team page."""

from __future__ import annotations

import pytest

from console.teams.models import Membership, Role
from tests.conftest import _make_user
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def _membership(team, user):
    return Membership.objects.get(team=team, user=user)


def test_an_admin_adds_a_member_by_username(team, dana, db):
    _make_user("erin")
    answer = signed_in(dana).post("/teams/platform/members", {"username": "erin", "role": "member"})
    assert answer.status_code == 302
    assert Membership.objects.get(team=team, user__username="erin").role == Role.MEMBER


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "no user named &#x27;nobody&#x27;"),
        ("bob", "bob is a member of platform already."),
        ("", "This field is required."),
    ],
)
def test_it_says_why_a_member_cannot_be_added(team, alice, username, message):
    answer = signed_in(alice).post("/teams/platform/members", {"username": username, "role": "member"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert message in page
    assert 'id="member_username"' in page and 'aria-invalid="true"' in page


def test_an_unknown_role_is_refused(team, alice, charlie):
    answer = signed_in(alice).post("/teams/platform/members", {"username": "charlie", "role": "root"})
    assert answer.status_code == 200 and "Select a valid choice." in answer.content.decode()
    assert not Membership.objects.filter(team=team, user=charlie).exists()


def test_an_admin_cannot_add_an_owner(team, dana, charlie):
    answer = signed_in(dana).post("/teams/platform/members", {"username": "charlie", "role": "owner"})
    assert answer.status_code == 403
    assert not Membership.objects.filter(team=team, user=charlie).exists()


def test_an_admin_is_offered_no_owner_role(team, dana):
    page = signed_in(dana).get("/teams/platform/").content.decode()
    assert '<option value="owner"' not in page


def test_an_admin_changes_a_members_role(team, dana, bob):
    membership = _membership(team, bob)
    answer = signed_in(dana).post(f"/teams/platform/members/{membership.pk}/role", {"role": "auditor"})
    assert answer.status_code == 302
    assert _membership(team, bob).role == Role.AUDITOR


def test_the_last_owner_cannot_step_down_and_is_told_why(team, alice):
    membership = _membership(team, alice)
    answer = signed_in(alice).post(f"/teams/platform/members/{membership.pk}/role", {"role": "admin"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "alice is the last owner of platform; a team always keeps an owner." in page
    assert 'class="message message-error"' in page
    assert _membership(team, alice).role == Role.OWNER


def test_a_member_cannot_change_roles(team, bob, carol):
    membership = _membership(team, carol)
    assert (
        signed_in(bob).post(f"/teams/platform/members/{membership.pk}/role", {"role": "admin"}).status_code
        == 403
    )
    assert _membership(team, carol).role == Role.AUDITOR


def test_an_admin_removes_a_member(team, dana, bob):
    membership = _membership(team, bob)
    answer = signed_in(dana).post(f"/teams/platform/members/{membership.pk}/remove")
    assert answer.status_code == 302
    assert not Membership.objects.filter(team=team, user=bob).exists()


def test_an_admin_cannot_remove_the_owner(team, alice, dana):
    membership = _membership(team, alice)
    assert signed_in(dana).post(f"/teams/platform/members/{membership.pk}/remove").status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_leaves_the_team(team, bob):
    membership = _membership(team, bob)
    answer = signed_in(bob).post(f"/teams/platform/members/{membership.pk}/remove")
    assert answer.status_code == 302 and answer["Location"] == "/teams/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_team_is_not_found_here(team, alice, charlie):
    from console.teams import services

    other = services.create_team(charlie, "other", "Other")
    theirs = _membership(other, charlie)
    assert signed_in(alice).post(f"/teams/platform/members/{theirs.pk}/remove").status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_get_to_an_action_is_not_allowed(team, alice):
    assert signed_in(alice).get("/teams/platform/members").status_code == 405
