"""The teams list and a team's page: creating, renaming, handing ownership on, deleting.
Every refusal is a message on the page, never a traceback."""

from __future__ import annotations

import pytest

from console.runs.models import AuditEvent
from console.teams.models import Membership, Role, Team
from tests.portal.conftest import assert_no_secret, signed_in

pytestmark = pytest.mark.django_db


def test_it_lists_my_teams_with_my_role(team, bob, charlie):
    page = signed_in(bob).get("/teams/").content.decode()
    assert '<a href="/teams/platform/" class="mono">platform</a>' in page
    assert '<span class="badge badge-member">member</span>' in page
    assert "platform" not in signed_in(charlie).get("/teams/").content.decode().split("Create a team")[0]


def test_it_creates_a_team_and_makes_me_its_owner(charlie):
    client = signed_in(charlie)
    answer = client.post("/teams/", {"slug": "data", "name": "Data team"})
    assert answer.status_code == 302 and answer["Location"] == "/teams/data/"
    assert Membership.objects.get(team__slug="data", user=charlie).role == Role.OWNER
    assert "Team data created: you are its owner." in client.get("/teams/data/").content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Data_Team", "cannot be a team&#x27;s short name"),
        ("a/b", "cannot be a team&#x27;s short name"),
        ("platform", "There is a team called &#x27;platform&#x27; already"),
    ],
)
def test_it_shows_why_a_team_cannot_be_created(team, charlie, slug, message):
    answer = signed_in(charlie).post("/teams/", {"slug": slug, "name": "Data"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert message in page and 'class="form-error"' in page
    assert f'value="{slug}"' in page  # what was typed stays
    assert not Team.objects.filter(slug=slug).exclude(pk=team.pk).exists()


def test_it_asks_for_both_fields(charlie):
    answer = signed_in(charlie).post("/teams/", {"slug": "", "name": ""})
    assert answer.status_code == 200 and answer.content.decode().count("This field is required.") == 2


def test_an_admin_renames_the_team(team, dana):
    client = signed_in(dana)
    assert client.post("/teams/platform/rename", {"name": "Platform engineering"}).status_code == 302
    assert Team.objects.get(pk=team.pk).name == "Platform engineering"


def test_a_blank_name_is_refused_on_the_page(team, dana):
    answer = signed_in(dana).post("/teams/platform/rename", {"name": "   "})
    assert answer.status_code == 200 and "This field is required." in answer.content.decode()


def test_a_member_cannot_rename_and_gets_the_403_page(team, bob):
    answer = signed_in(bob).post("/teams/platform/rename", {"name": "Mine now"})
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "You may not do that" in page and "portal.css" in page and "Traceback" not in page
    assert Team.objects.get(pk=team.pk).name == "Platform"
    assert AuditEvent.objects.filter(action="console:access:denied", actor=bob).exists()


def test_an_outsider_sees_no_such_team(team, charlie):
    for url in ("/teams/platform/", "/teams/platform/delete", "/teams/nothing-here/"):
        answer = signed_in(charlie).get(url)
        assert answer.status_code == 404, url
        assert "Nothing here" in answer.content.decode()


def test_it_signs_me_in_first(team, client):
    answer = client.get("/teams/platform/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_the_owner_hands_ownership_on_and_steps_down(team, alice, dana):
    dana_membership = Membership.objects.get(team=team, user=dana)
    answer = signed_in(alice).post(
        "/teams/platform/hand-on", {"membership": dana_membership.pk, "step_down": "on"}
    )
    assert answer.status_code == 302
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert (roles["dana"], roles["alice"]) == ("owner", "admin")


def test_an_admin_cannot_hand_ownership_on(team, dana, bob):
    bob_membership = Membership.objects.get(team=team, user=bob)
    answer = signed_in(dana).post("/teams/platform/hand-on", {"membership": bob_membership.pk})
    assert answer.status_code == 403
    assert Membership.objects.get(pk=bob_membership.pk).role == Role.MEMBER


def test_deleting_a_team_takes_its_name_typed_again(team, profiles, alice):
    client = signed_in(alice)
    page = client.get("/teams/platform/delete")
    assert page.status_code == 200 and "2 profiles" in page.content.decode()
    assert_no_secret(page)
    wrong = client.post("/teams/platform/delete", {"confirm": "platfrom"})
    assert wrong.status_code == 200 and "Type platform to delete the team." in wrong.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
    done = client.post("/teams/platform/delete", {"confirm": "platform"})
    assert done.status_code == 302 and done["Location"] == "/teams/"
    assert not Team.objects.filter(pk=team.pk).exists()


def test_only_the_owner_may_delete(team, dana):
    assert signed_in(dana).get("/teams/platform/delete").status_code == 403
    assert signed_in(dana).post("/teams/platform/delete", {"confirm": "platform"}).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_team_page_shows_each_role_only_what_it_may_do(team, profiles, alice, dana, bob, carol):
    owner = signed_in(alice).get("/teams/platform/").content.decode()
    admin = signed_in(dana).get("/teams/platform/").content.decode()
    member = signed_in(bob).get("/teams/platform/").content.decode()
    auditor = signed_in(carol).get("/teams/platform/").content.decode()
    assert "Delete team…" in owner and "Delete team…" not in admin
    assert "Add member" in admin and "Grant a profile" in admin
    for page in (member, auditor):
        assert "Add member" not in page and "Grant a profile" not in page and "/rename" not in page
        assert "platform/readonly" not in page  # not granted: it does not exist for them
    assert "No profile of this team is granted to you yet." in member
    for page in (owner, admin, member, auditor):
        assert_no_secret_text(page)


def assert_no_secret_text(page: str) -> None:
    from tests.portal.conftest import CANARIES

    assert not any(secret in page for secret in CANARIES)
