"""Pasting or uploading ~/.aws/config and credentials files, and downloading the config."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials import broker
from credentials.models import ConfigSection, SectionKind
from credentials.services import save_profile

pytestmark = pytest.mark.urls("tests.credentials.urls")

CONFIG = """\
[default]
region = eu-west-1
output = json

[profile admin]
role_arn = arn:aws:iam::123456789012:role/ConsoleAdmin
source_profile = default
mfa_serial = arn:aws:iam::123456789012:mfa/alice
s3 =
  max_concurrent_requests = 20

[sso-session corp]
sso_region = us-east-1
sso_start_url = https://corp.awsapps.com/start

[services local]
dynamodb =
  endpoint_url = http://localhost:8000

[plugins]
cli_legacy_plugin_path = /tmp
"""
CREDENTIALS = """\
[default]
aws_access_key_id = AKIAIOSFODNN7CANARY
aws_secret_access_key = CanaryUploadedSecretKey0123456789abcdEFGH
"""


def test_it_imports_pasted_files(alice, client):
    client.force_login(alice)
    answer = client.post("/profiles/import", {"config": CONFIG, "credentials": CREDENTIALS})
    assert answer.status_code == 200
    assert answer.json() == {
        "saved": ["default", "profile admin", "sso-session corp", "services local"],
        "refused": [],
        "ignored": ["plugins"],
    }
    admin = ConfigSection.objects.get(owner=alice, name="admin", kind=SectionKind.PROFILE)
    assert admin.settings["s3"] == {"max_concurrent_requests": "20"}
    assert ConfigSection.objects.get(owner=alice, kind=SectionKind.SERVICES).settings == {
        "dynamodb": {"endpoint_url": "http://localhost:8000"}
    }
    default = broker.load_profiles(alice)["default"]
    assert default.secrets["aws_access_key_id"] == "AKIAIOSFODNN7CANARY"
    assert "Canary" not in ConfigSection.objects.get(owner=alice, name="default").sealed_secrets


def test_it_imports_uploaded_files(alice, client):
    client.force_login(alice)
    answer = client.post("/profiles/import", {"config": SimpleUploadedFile("config", CONFIG.encode())})
    assert answer.status_code == 200 and "profile admin" in answer.json()["saved"]


def test_it_refuses_keys_where_they_are_not_allowed(alice, client, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    client.force_login(alice)
    answer = client.post("/profiles/import", {"config": CONFIG, "credentials": CREDENTIALS})
    assert answer.json()["refused"] == ["default: aws_access_key_id", "default: aws_secret_access_key"]
    assert ConfigSection.objects.get(owner=alice, name="default").sealed_secrets == ""


def test_it_says_what_is_wrong_with_a_broken_file(alice, client):
    client.force_login(alice)
    answer = client.post("/profiles/import", {"config": "region = eu-west-1\n"})
    assert answer.status_code == 400 and "could not be read" in answer.json()["error"]


def test_it_downloads_the_config_without_secrets(alice, client):
    client.force_login(alice)
    client.post("/profiles/import", {"config": CONFIG, "credentials": CREDENTIALS})
    answer = client.get("/profiles/config")
    assert answer["Content-Disposition"] == 'attachment; filename="config"'
    text = answer.content.decode()
    # The DB keeps keys in its own order (PostgreSQL's jsonb); sections keep the file's kinds.
    assert text.startswith("[default]\n") and "region = eu-west-1\n" in text and "\n[profile admin]\n" in text
    assert "s3 =\n  max_concurrent_requests = 20\n" in text
    assert "[services local]\ndynamodb =\n  endpoint_url = http://localhost:8000\n" in text
    assert "AKIA" not in text and "Canary" not in text


def test_each_user_downloads_only_their_own_profiles(alice, bob, client):
    save_profile(alice, "alices", {"region": "eu-west-1"})
    client.force_login(bob)
    assert "alices" not in client.get("/profiles/config").content.decode()


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/profiles/config").status_code == 302
    assert client.post("/profiles/import", {"config": CONFIG}).status_code == 302


def test_a_team_can_own_a_profile(alice):
    from console.teams.models import Team

    team = Team.objects.create(slug="platform", name="Platform")
    section = save_profile(None, "shared", {"role_arn": "arn:aws:iam::123456789012:role/Team"}, team=team)
    assert (section.owner, section.team) == (None, team)
    # Alice is no member: the team's profile is not hers to resolve (tests/teams for members).
    assert "platform/shared" not in broker.load_profiles(alice)
