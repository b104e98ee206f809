"""A team's profiles through its pages: the form (good input, every kind of bad input shown
on its field), write-only secrets (masked, never in a page, an empty field keeps them),
pasting a section, looking at one, deleting it."""

from __future__ import annotations

import pytest

from console.teams import services
from credentials.models import ConfigSection
from tests.portal.conftest import assert_no_secret, signed_in

pytestmark = pytest.mark.django_db

NEW_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET"
ROLE = "arn:aws:iam::123456789012:role/Deploy"


def _new(client, **fields):
    data = {"name": "deploy", "region": "eu-west-1", "role_arn": ROLE, "source_profile": "keys", **fields}
    return client.post("/teams/platform/profiles/new", data)


def test_an_admin_creates_a_role_profile(team, profiles, dana):
    answer = _new(signed_in(dana))
    section = ConfigSection.objects.get(team=team, name="deploy")
    assert answer.status_code == 302
    assert answer["Location"] == f"/teams/platform/profiles/{section.pk}/"
    assert section.settings == {"region": "eu-west-1", "role_arn": ROLE, "source_profile": "keys"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"region": "Europe"},
            "region",
            "region: &#x27;Europe&#x27; is not a region name such as eu-west-1.",
        ),
        ({"role_arn": "ReadOnly"}, "role_arn", "is not a role ARN such as"),
        ({"duration_seconds": "60"}, "duration_seconds", "is not a whole number from 900 to 43200."),
        ({"name": "a/b"}, "name", "contains &quot;/&quot;"),
        (
            {"credential_source": "Environment"},
            "credential_source",
            "Set source_profile or credential_source, not both.",
        ),
        ({"source_profile": ""}, "source_profile", "A role needs a source of credentials"),
        (
            {"other": "credential_process = /bin/sh"},
            "other",
            "credential_process cannot be set in this console",
        ),
        ({"other": "role_session_name = me"}, "other", "role_session_name cannot be set on a team profile"),
        ({"other": "not a line"}, "other", "line 1: write key = value"),
        ({"aws_access_key_id": "AKIAEXAMPLENEW00001"}, "aws_secret_access_key", "An access key needs both"),
    ],
)
def test_it_shows_each_problem_on_its_field(team, profiles, alice, fields, field, message):
    answer = _new(signed_in(alice), **fields)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert message in page
    assert f'name="{field}"' in page and 'aria-invalid="true"' in page
    assert not ConfigSection.objects.filter(team=team, name="deploy").exists()


def test_a_secret_typed_into_a_refused_form_is_not_sent_back(team, profiles, alice):
    answer = _new(
        signed_in(alice),
        region="nowhere!",
        aws_access_key_id="AKIAEXAMPLENEW00001",
        aws_secret_access_key=NEW_SECRET,
    )
    assert answer.status_code == 200
    assert_no_secret(answer, NEW_SECRET, "AKIAEXAMPLENEW00001")


def test_a_secret_in_other_settings_is_refused_and_not_echoed(team, profiles, alice):
    answer = _new(
        signed_in(alice), other=f"aws_secret_access_key = {NEW_SECRET}\nendpoint_url = https://x.example"
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "aws_secret_access_key is a secret: enter it in its own field" in page
    assert "endpoint_url = https://x.example" in page  # the rest of what was typed stays
    assert_no_secret(answer, NEW_SECRET)


def test_access_keys_are_refused_where_the_administrator_turned_them_off(team, profiles, alice, settings):
    settings.CONSOLE_ALLOW_TEAM_KEYS = False
    answer = signed_in(alice).post(
        "/teams/platform/profiles/new",
        {
            "name": "more-keys",
            "aws_access_key_id": "AKIAEXAMPLENEW00001",
            "aws_secret_access_key": NEW_SECRET,
        },
    )
    assert answer.status_code == 200
    assert "CONSOLE_ALLOW_TEAM_KEYS is off" in answer.content.decode()
    assert_no_secret(answer, NEW_SECRET)


def test_the_edit_form_shows_secrets_masked_and_never_their_value(team, profiles, alice):
    page = signed_in(alice).get(f"/teams/platform/profiles/{profiles.keys.pk}/edit")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stored: ****************0001. Leave empty to keep it." in html
    assert "****************nary" in html  # s3cr3t-canary's last four
    assert_no_secret(page)


def test_an_empty_secret_field_keeps_the_stored_secret(team, profiles, alice):
    answer = signed_in(alice).post(
        f"/teams/platform/profiles/{profiles.keys.pk}/edit",
        {"region": "us-west-2", "aws_access_key_id": "", "aws_secret_access_key": ""},
    )
    assert answer.status_code == 302
    section = ConfigSection.objects.get(pk=profiles.keys.pk)
    assert section.settings == {"region": "us-west-2"}
    assert section.open_secrets() == {
        "aws_access_key_id": "AKIAEXAMPLEKEYS00001",
        "aws_secret_access_key": "s3cr3t-canary",
    }


def test_a_new_secret_replaces_the_stored_one(team, profiles, alice):
    answer = signed_in(alice).post(
        f"/teams/platform/profiles/{profiles.keys.pk}/edit", {"aws_secret_access_key": NEW_SECRET}
    )
    assert answer.status_code == 302
    assert (
        ConfigSection.objects.get(pk=profiles.keys.pk).open_secrets()["aws_secret_access_key"] == NEW_SECRET
    )
    assert_no_secret(signed_in(alice).get(f"/teams/platform/profiles/{profiles.keys.pk}/"), NEW_SECRET)


def test_forgetting_a_session_token_removes_it(team, profiles, alice):
    services.save_team_profile(
        alice,
        team,
        "keys",
        {"aws_access_key_id": "", "aws_secret_access_key": "", "aws_session_token": "tok-canary"},
    )
    answer = signed_in(alice).post(
        f"/teams/platform/profiles/{profiles.keys.pk}/edit", {"forget_aws_session_token": "on"}
    )
    assert answer.status_code == 302
    assert set(ConfigSection.objects.get(pk=profiles.keys.pk).open_secrets()) == {
        "aws_access_key_id",
        "aws_secret_access_key",
    }


def test_the_name_of_a_profile_stays_when_it_is_edited(team, profiles, alice):
    answer = signed_in(alice).post(
        f"/teams/platform/profiles/{profiles.readonly.pk}/edit",
        {"name": "renamed", "role_arn": ROLE, "source_profile": "keys"},
    )
    assert answer.status_code == 302
    assert ConfigSection.objects.get(pk=profiles.readonly.pk).name == "readonly"
    assert not ConfigSection.objects.filter(name="renamed").exists()


def test_nested_settings_round_trip_through_other_settings(team, profiles, alice):
    client = signed_in(alice)
    client.post(
        f"/teams/platform/profiles/{profiles.readonly.pk}/edit",
        {
            "role_arn": ROLE,
            "source_profile": "keys",
            "other": "s3.max_concurrent_requests = 20\nretry_mode = standard",
        },
    )
    section = ConfigSection.objects.get(pk=profiles.readonly.pk)
    assert (
        section.settings["s3"] == {"max_concurrent_requests": "20"}
        and section.settings["retry_mode"] == "standard"
    )
    page = client.get(f"/teams/platform/profiles/{profiles.readonly.pk}/edit").content.decode()
    assert "s3.max_concurrent_requests = 20\nretry_mode = standard" in page


def test_an_sso_session_has_its_own_form(team, alice):
    client = signed_in(alice)
    assert "Start URL" in client.get("/teams/platform/profiles/new?kind=sso-session").content.decode()
    answer = client.post(
        "/teams/platform/profiles/new?kind=sso-session",
        {"name": "corp", "sso_start_url": "https://corp.awsapps.com/start", "sso_region": "us-east-1"},
    )
    assert answer.status_code == 302
    assert (
        ConfigSection.objects.get(team=team, kind="sso-session", name="corp").settings["sso_region"]
        == "us-east-1"
    )


def test_a_pasted_section_is_saved(team, profiles, alice):
    text = f"[profile deploy]\nrole_arn = {ROLE}\nsource_profile = keys\nregion = eu-west-1\n"
    answer = signed_in(alice).post("/teams/platform/profiles/paste", {"text": text})
    section = ConfigSection.objects.get(team=team, name="deploy")
    assert answer.status_code == 302 and answer["Location"] == f"/teams/platform/profiles/{section.pk}/"


def test_a_bad_paste_says_why_and_drops_its_secret_values(team, profiles, alice):
    text = f"[profile deploy]\naws_secret_access_key = {NEW_SECRET}\ncredential_process = /bin/sh\n"
    answer = signed_in(alice).post("/teams/platform/profiles/paste", {"text": text})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "[profile deploy] credential_process cannot be set in this console" in page
    assert "aws_secret_access_key = \n" in page
    assert_no_secret(answer, NEW_SECRET)


def test_an_unreadable_paste_says_so(team, alice):
    answer = signed_in(alice).post("/teams/platform/profiles/paste", {"text": "role_arn = x"})
    assert answer.status_code == 200 and "could not be read" in answer.content.decode()


def test_the_profile_page_masks_secrets_for_managers_only(team, profiles, alice, bob):
    services.grant(alice, profiles.keys, user=bob)
    url = f"/teams/platform/profiles/{profiles.keys.pk}/"
    owner = signed_in(alice).get(url)
    member = signed_in(bob).get(url)
    assert "****************0001" in owner.content.decode()
    assert (
        "stored (write-only)" in member.content.decode() and "****************" not in member.content.decode()
    )
    assert "Edit" not in member.content.decode().split("<main")[1].split("Settings")[0]
    for page in (owner, member):
        assert page.status_code == 200
        assert_no_secret(page)
        assert 'href="/?profile=platform%2Fkeys"' in page.content.decode()


def test_a_member_without_a_grant_finds_no_such_profile(team, profiles, bob, carol):
    for user in (bob, carol):
        assert signed_in(user).get(f"/teams/platform/profiles/{profiles.readonly.pk}/").status_code == 404


def test_a_member_cannot_open_the_edit_form(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    assert signed_in(bob).get(f"/teams/platform/profiles/{profiles.readonly.pk}/edit").status_code == 403
    assert signed_in(bob).get("/teams/platform/profiles/new").status_code == 403


def test_a_profile_of_another_team_is_not_found_through_this_one(team, profiles, alice, charlie):
    other = services.create_team(alice, "other", "Other")
    mine = services.save_team_profile(alice, other, "x", {"region": "eu-west-1"})
    assert signed_in(alice).get(f"/teams/platform/profiles/{mine.pk}/").status_code == 404
    assert signed_in(alice).get(f"/teams/platform/profiles/{profiles.personal.pk}/").status_code == 404


def test_an_admin_deletes_a_profile_after_confirming(team, profiles, dana):
    client = signed_in(dana)
    url = f"/teams/platform/profiles/{profiles.readonly.pk}/delete"
    assert 'Delete <span class="mono">platform/readonly</span>?' in client.get(url).content.decode()
    answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"] == "/teams/platform/"
    assert not ConfigSection.objects.filter(pk=profiles.readonly.pk).exists()
