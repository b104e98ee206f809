"""The teams API (docs/api.md): every endpoint with good input, bad input (a JSON error
that says what to change) and a caller who may not; never a secret in a response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from console.api.tokens import create_token
from console.teams import services
from console.teams.models import Grant, Membership, Role, Team
from credentials.models import ConfigSection
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

CANARIES = ("AKIAEXAMPLEKEYS00001", "s3cr3t-canary")
ROLE = "arn:aws:iam::123456789012:role/Deploy"


class Caller:
    def __init__(self, api, user):
        self.api, self.headers = api, bearer(create_token(user))

    def __call__(self, method, path, body=None):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        answer = getattr(self.api, method)(f"/api/v1/{path}", **kwargs)
        for secret in CANARIES:
            assert secret not in answer.content.decode(), f"{secret} in {method} {path}"
        return answer


@pytest.fixture
def as_(api):
    return lambda user: Caller(api, user)


def test_it_lists_my_teams_with_my_role(team, as_, bob, charlie):
    listed = as_(bob)("get", "teams").json()["teams"]
    assert [(t["slug"], t["name"], t["role"]) for t in listed] == [("platform", "Platform", "member")]
    assert as_(charlie)("get", "teams").json() == {"teams": []}


def test_it_creates_a_team(as_, charlie):
    answer = as_(charlie)("post", "teams", {"slug": "data", "name": "Data"})
    assert answer.status_code == 201 and answer.json()["role"] == "owner"
    assert Membership.objects.get(team__slug="data", user=charlie).role == Role.OWNER


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"slug": "Data!", "name": "Data"}, "cannot be a team's short name"),
        ({"slug": "data"}, '"name" is required'),
        ({"slug": "data", "name": "Data", "owner": "me"}, 'unknown field "owner"'),
        ({"slug": 5, "name": "Data"}, '"slug" must be a string'),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_it_says_why_a_team_cannot_be_created(as_, charlie, body, message):
    answer = as_(charlie)("post", "teams", body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_it_gets_renames_and_deletes_a_team(team, as_, alice, dana):
    assert as_(dana)("get", "teams/platform").json()["role"] == "admin"
    assert as_(dana)("patch", "teams/platform", {"name": "Platform eng"}).json()["name"] == "Platform eng"
    denied = as_(dana)("delete", "teams/platform")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert as_(alice)("delete", "teams/platform").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_an_outsider_finds_no_such_team(team, as_, charlie):
    for method, path in [
        ("get", "teams/platform"),
        ("delete", "teams/platform"),
        ("get", "teams/platform/members"),
    ]:
        answer = as_(charlie)(method, path)
        assert answer.status_code == 404 and answer.json() == {"error": "no such team", "code": "not_found"}
    assert Team.objects.filter(pk=team.pk).exists()


def test_it_needs_a_token(api, team):
    answer = api.get("/api/v1/teams")
    assert answer.status_code == 401 and answer.json()["code"] == "unauthorized"


def test_it_refuses_another_method(team, as_, alice):
    answer = as_(alice)("put", "teams/platform", {})
    assert answer.status_code == 405 and answer["Allow"] == "GET, PATCH, DELETE"


def test_members_are_listed_added_changed_and_removed(team, as_, dana, charlie):
    listed = as_(dana)("get", "teams/platform/members").json()["members"]
    assert [(m["username"], m["role"]) for m in listed] == [
        ("alice", "owner"),
        ("bob", "member"),
        ("carol", "auditor"),
        ("dana", "admin"),
    ]
    added = as_(dana)("post", "teams/platform/members", {"username": "charlie", "role": "member"})
    assert added.status_code == 201 and added.json()["added_by"] == "dana"
    assert (
        as_(dana)("patch", "teams/platform/members/charlie", {"role": "auditor"}).json()["role"] == "auditor"
    )
    assert as_(dana)("delete", "teams/platform/members/charlie").status_code == 204
    assert not Membership.objects.filter(team=team, user=charlie).exists()


def test_member_refusals_are_json_with_their_reason(team, as_, alice, dana, bob):
    unknown = as_(alice)("post", "teams/platform/members", {"username": "nobody", "role": "member"})
    assert unknown.status_code == 400 and unknown.json() == {
        "error": "no user named 'nobody'",
        "code": "refused",
    }
    last = as_(alice)("patch", "teams/platform/members/alice", {"role": "admin"})
    assert last.status_code == 400 and "last owner" in last.json()["error"]
    assert as_(dana)("delete", "teams/platform/members/alice").status_code == 403
    assert as_(bob)("post", "teams/platform/members", {"username": "x", "role": "member"}).status_code == 403
    assert as_(alice)("get", "teams/platform/members/nobody").status_code == 404


def test_profiles_never_carry_a_secret_and_are_masked_for_managers(team, profiles, as_, alice, bob):
    listed = as_(alice)("get", "teams/platform/profiles").json()["profiles"]
    keys = next(p for p in listed if p["name"] == "keys")
    assert keys["secrets"] == {
        "aws_access_key_id": "****************0001",
        "aws_secret_access_key": "*" * 16 + "nary",
    }
    assert keys["address"] == "platform/keys"
    services.grant(alice, profiles.keys, user=bob)
    seen = as_(bob)("get", "teams/platform/profiles").json()["profiles"]
    assert [p["name"] for p in seen] == ["keys"]  # only what is granted
    assert seen[0]["secrets"] == {"aws_access_key_id": "stored", "aws_secret_access_key": "stored"}
    assert as_(bob)("get", "teams/platform/profiles/readonly").status_code == 404


def test_a_profile_is_created_updated_and_deleted(team, profiles, as_, dana):
    made = as_(dana)(
        "post",
        "teams/platform/profiles",
        {"name": "deploy", "values": {"role_arn": ROLE, "source_profile": "keys", "region": "eu-west-1"}},
    )
    assert made.status_code == 201 and made.json()["settings"]["role_arn"] == ROLE
    again = as_(dana)("post", "teams/platform/profiles", {"name": "deploy", "values": {}})
    assert again.status_code == 400 and again.json()["code"] == "exists"
    changed = as_(dana)(
        "put",
        "teams/platform/profiles/keys",
        {"values": {"region": "us-west-2", "aws_secret_access_key": "", "aws_access_key_id": ""}},
    )
    assert changed.status_code == 200 and changed.json()["settings"] == {"region": "us-west-2"}
    assert set(ConfigSection.objects.get(pk=profiles.keys.pk).open_secrets()) == {
        "aws_access_key_id",
        "aws_secret_access_key",
    }
    assert as_(dana)("delete", "teams/platform/profiles/deploy").status_code == 204
    assert not ConfigSection.objects.filter(team=team, name="deploy").exists()


def test_bad_profile_values_are_all_reported_at_once(team, as_, alice):
    answer = as_(alice)(
        "post",
        "teams/platform/profiles",
        {
            "name": "bad",
            "values": {"region": "Mars", "credential_process": "/bin/sh", "role_session_name": "x"},
        },
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "region: 'Mars' is not a region name" in error
    assert "credential_process cannot be set" in error and "role_session_name cannot be set" in error
    shape = as_(alice)("post", "teams/platform/profiles", {"name": "bad", "values": {"region": 5}})
    assert shape.status_code == 400 and '"values.region" must be a string' in shape.json()["error"]
    kind = as_(alice)("post", "teams/platform/profiles", {"name": "bad", "kind": "plugins"})
    assert kind.status_code == 400 and '"kind" must be one of' in kind.json()["error"]


def test_a_member_cannot_change_a_profile(team, profiles, as_, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    assert as_(bob)("put", "teams/platform/profiles/readonly", {"values": {}}).status_code == 403
    assert as_(bob)("delete", "teams/platform/profiles/readonly").status_code == 403
    assert as_(bob)("post", "teams/platform/profiles", {"name": "x", "values": {}}).status_code == 403


def test_a_section_is_imported(team, profiles, as_, alice):
    text = (
        "[profile deploy]\nrole_arn = "
        + ROLE
        + "\nsource_profile = keys\n\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n"
    )
    answer = as_(alice)("post", "teams/platform/import", {"config": text})
    assert answer.status_code == 201
    assert [(p["kind"], p["name"]) for p in answer.json()["profiles"]] == [
        ("profile", "deploy"),
        ("sso-session", "corp"),
    ]
    sso = as_(alice)("get", "teams/platform/profiles/corp?kind=sso-session")
    assert sso.status_code == 200 and sso.json()["address"] is None
    bad = as_(alice)("post", "teams/platform/import", {"config": "[plugins]\nx = y\n"})
    assert (
        bad.status_code == 400 and "is not a profile, sso-session or services section" in bad.json()["error"]
    )


def test_grants_are_listed_made_and_revoked(team, profiles, as_, dana, bob):
    until = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    made = as_(dana)(
        "post",
        "teams/platform/grants",
        {"profile": "readonly", "user": "bob", "expires_at": until.isoformat()},
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["user"], body["role"], body["live"], body["created_by"]) == ("bob", None, True, "dana")
    role = as_(dana)("post", "teams/platform/grants", {"profile": "keys", "role": "member"})
    assert role.status_code == 201 and role.json()["role"] == "member"
    assert len(as_(dana)("get", "teams/platform/grants").json()["grants"]) == 2
    assert as_(dana)("get", f"teams/platform/grants/{body['id']}").json()["profile"] == "readonly"
    assert as_(dana)("delete", f"teams/platform/grants/{body['id']}").status_code == 204
    assert not Grant.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"profile": "readonly", "user": "carol"}, "auditors never run commands"),
        ({"profile": "readonly", "role": "admin"}, "Owners and admins may use every team profile already."),
        ({"profile": "readonly", "user": "bob", "role": "member"}, "not both"),
        (
            {"profile": "readonly", "user": "bob", "expires_at": "tomorrow"},
            '"expires_at" must be an ISO 8601 time',
        ),
        (
            {"profile": "readonly", "user": "bob", "expires_at": "2001-01-01T00:00:00Z"},
            "must be a time in the future",
        ),
        ({"user": "bob"}, '"profile" is required'),
    ],
)
def test_grant_refusals_say_why(team, profiles, as_, alice, body, message):
    answer = as_(alice)("post", "teams/platform/grants", body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_grants_are_for_managers_only(team, profiles, as_, alice, bob, carol):
    made = services.grant(alice, profiles.readonly, user=bob)
    for user in (bob, carol):
        assert as_(user)("get", "teams/platform/grants").status_code == 403
        assert as_(user)("delete", f"teams/platform/grants/{made.pk}").status_code == 403
    assert Grant.objects.filter(pk=made.pk).exists()
    assert as_(alice)("get", "teams/platform/grants/999999").status_code == 404


def test_a_grant_can_be_read_only(team, profiles, as_, dana, bob):
    made = as_(dana)(
        "post", "teams/platform/grants", {"profile": "readonly", "user": "bob", "read_only": True}
    )
    assert made.status_code == 201 and made.json()["read_only"] is True
    full = as_(dana)("post", "teams/platform/grants", {"profile": "keys", "role": "member"})
    assert full.json()["read_only"] is False
    listed = {
        g["profile"]: g["read_only"] for g in as_(dana)("get", "teams/platform/grants").json()["grants"]
    }
    assert listed == {"readonly": True, "keys": False}
    assert Grant.objects.get(pk=made.json()["id"]).read_only


def test_read_only_is_true_or_false(team, profiles, as_, alice):
    answer = as_(alice)(
        "post", "teams/platform/grants", {"profile": "readonly", "user": "bob", "read_only": "yes"}
    )
    assert answer.status_code == 400 and answer.json()["error"] == '"read_only" must be true or false'
    assert not Grant.objects.exists()


def test_only_managers_make_a_read_only_grant(team, profiles, as_, bob, carol, charlie):
    for user in (bob, carol, charlie):
        body = {"profile": "readonly", "user": "bob", "read_only": True}
        assert as_(user)("post", "teams/platform/grants", body).status_code in (403, 404)
    assert not Grant.objects.exists()
