"""My profiles: the personal sections with the same form as a team's (masked secrets, an
empty field keeps the stored one), import (paste or upload, and the old JSON endpoint for
scripts) and export without secrets."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import ConfigSection
from credentials.services import save_profile
from tests.portal.conftest import assert_no_secret, signed_in

pytestmark = pytest.mark.django_db

SECRET = "CanaryPersonalSecretKey0123456789abcdEFGH"
KEY_ID = "AKIAIOSFODNN7PERSONAL"
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}


@pytest.fixture
def keys(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = True
    return save_profile(
        alice,
        "default",
        {"region": "eu-west-1", "aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET},
    )


def test_it_lists_my_sections_with_masked_secrets(keys, alice):
    page = signed_in(alice).get("/profiles/")
    html = page.content.decode()
    assert "aws_access_key_id ****************ONAL" in html
    assert 'href="/?profile=default"' in html
    assert_no_secret(page, SECRET, KEY_ID)


def test_it_lists_the_team_profiles_i_may_use(team, profiles, alice, bob):
    assert "platform/readonly" in signed_in(alice).get("/profiles/").content.decode()
    assert "platform/readonly" not in signed_in(bob).get("/profiles/").content.decode()


def test_it_creates_a_profile(alice):
    answer = signed_in(alice).post("/profiles/new", {"name": "dev", "region": "eu-west-1", "output": "table"})
    assert answer.status_code == 302
    assert ConfigSection.objects.get(owner=alice, name="dev").settings == {
        "region": "eu-west-1",
        "output": "table",
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "platform/readonly"}, "that is how team profiles are named"),
        ({"output": "xml"}, "Select a valid choice."),
        ({"other": "web_identity_token_file = /etc/passwd"}, "commands never read the server&#x27;s files"),
        ({"mfa_serial": "arn:aws:iam::123456789012:mfa/me"}, "These settings assume a role"),
    ],
)
def test_it_shows_why_a_profile_cannot_be_saved(alice, fields, message):
    answer = signed_in(alice).post("/profiles/new", {"name": "dev", **fields})
    assert answer.status_code == 200 and message in answer.content.decode()
    assert not ConfigSection.objects.filter(owner=alice).exists()


def test_a_name_i_have_already_is_refused(keys, alice):
    answer = signed_in(alice).post("/profiles/new", {"name": "default", "region": "us-east-1"})
    assert answer.status_code == 200
    assert "You already have a profile named default: edit it instead." in answer.content.decode()
    assert ConfigSection.objects.get(pk=keys.pk).settings["region"] == "eu-west-1"


def test_access_keys_are_refused_where_static_keys_are_off(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    answer = signed_in(alice).post(
        "/profiles/new", {"name": "dev", "aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}
    )
    assert answer.status_code == 200 and "CONSOLE_ALLOW_STATIC_KEYS is off" in answer.content.decode()
    assert_no_secret(answer, SECRET, KEY_ID)


def test_editing_with_empty_secret_fields_keeps_the_keys(keys, alice):
    client = signed_in(alice)
    form = client.get(f"/profiles/{keys.pk}/edit")
    assert "Stored: ****************ONAL" in form.content.decode()
    assert_no_secret(form, SECRET, KEY_ID)
    answer = client.post(f"/profiles/{keys.pk}/edit", {"region": "us-east-2"})
    assert answer.status_code == 302
    section = ConfigSection.objects.get(pk=keys.pk)
    assert section.settings == {"region": "us-east-2"}
    assert section.open_secrets() == {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}


def test_forgetting_both_halves_removes_the_keys(keys, alice):
    answer = signed_in(alice).post(
        f"/profiles/{keys.pk}/edit",
        {"region": "eu-west-1", "forget_aws_access_key_id": "on", "forget_aws_secret_access_key": "on"},
    )
    assert answer.status_code == 302
    assert ConfigSection.objects.get(pk=keys.pk).open_secrets() == {}


def test_forgetting_one_half_is_refused(keys, alice):
    answer = signed_in(alice).post(f"/profiles/{keys.pk}/edit", {"forget_aws_secret_access_key": "on"})
    assert (
        answer.status_code == 200
        and "An access key needs both its ID and its secret." in answer.content.decode()
    )


def test_another_users_profile_is_not_found(keys, charlie):
    client = signed_in(charlie)
    assert client.get(f"/profiles/{keys.pk}/edit").status_code == 404
    assert client.post(f"/profiles/{keys.pk}/delete").status_code == 404
    assert ConfigSection.objects.filter(pk=keys.pk).exists()


def test_a_team_profile_is_not_mine_to_edit_here(team, profiles, alice):
    assert signed_in(alice).get(f"/profiles/{profiles.readonly.pk}/edit").status_code == 404


def test_it_deletes_a_profile_after_confirming(keys, alice):
    client = signed_in(alice)
    assert (
        'Delete <span class="mono">[profile default]</span>?'
        in client.get(f"/profiles/{keys.pk}/delete").content.decode()
    )
    assert client.post(f"/profiles/{keys.pk}/delete").status_code == 302
    assert not ConfigSection.objects.filter(pk=keys.pk).exists()


CONFIG = "[profile dev]\nregion = eu-west-1\n\n[plugins]\nx = y\n"
CREDENTIALS = f"[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"


def test_the_import_page_takes_pasted_files_and_says_what_it_did(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = True
    answer = signed_in(alice).post("/profiles/import", {"config": CONFIG, "credentials": CREDENTIALS}, **HTML)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "[profile dev]" in html and "[plugins]" in html
    assert_no_secret(answer, SECRET, KEY_ID)
    assert (
        ConfigSection.objects.get(owner=alice, name="dev").open_secrets()["aws_secret_access_key"] == SECRET
    )


def test_the_import_page_takes_an_uploaded_file(alice):
    upload = SimpleUploadedFile("config", CONFIG.encode())
    answer = signed_in(alice).post("/profiles/import", {"config": upload}, **HTML)
    assert answer.status_code == 200 and "[profile dev]" in answer.content.decode()


def test_the_import_page_says_what_is_wrong(alice):
    client = signed_in(alice)
    empty = client.post("/profiles/import", {"config": ""}, **HTML)
    assert (
        empty.status_code == 200
        and "Paste or upload a config or a credentials file." in empty.content.decode()
    )
    broken = client.post("/profiles/import", {"config": "region = x\n"}, **HTML)
    assert broken.status_code == 200 and "could not be read" in broken.content.decode()


def test_the_import_page_reports_refused_keys_without_their_values(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    answer = signed_in(alice).post("/profiles/import", {"credentials": CREDENTIALS}, **HTML)
    html = answer.content.decode()
    assert "dev: aws_secret_access_key" in html
    assert_no_secret(answer, SECRET, KEY_ID)


def test_scripts_still_get_json_from_the_import_endpoint(alice):
    answer = signed_in(alice).post("/profiles/import", {"config": CONFIG})
    assert answer.status_code == 200
    assert answer.json() == {"saved": ["profile dev"], "refused": [], "ignored": ["plugins"]}


def test_the_export_page_shows_the_config_without_secrets(keys, alice):
    client = signed_in(alice)
    page = client.get("/profiles/export")
    assert "[default]\nregion = eu-west-1" in page.content.decode()
    assert 'href="/profiles/config"' in page.content.decode()
    assert_no_secret(page, SECRET, KEY_ID)
    download = client.get("/profiles/config")
    assert download["Content-Disposition"] == 'attachment; filename="config"'
    assert SECRET not in download.content.decode()
