"""Just-in-time elevation's rules, its audit trail, what the broker reads and sends, and the
portal's pages. The cast (tests/teams/conftest.py): Alice owns `platform`, Dana is its
admin, Bob a member with a grant to `platform/readonly`, Carol its auditor, Charlie an
outsider. The whole stack's round trip is in test_elevation_in_the_terminal.py."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from console.api.tokens import create_token
from console.commands import Caller, CommandContext, guard, guardrail
from console.demo import install_team_demo
from console.interpreter import parse_command
from console.runs.models import AuditEvent
from console.teams import elevations, services
from console.teams.errors import TeamError
from console.teams.models import Elevation, Grant, Membership, Role
from console.workspace.service import Workspace
from credentials import broker
from credentials.models import CachedSession, ConfigSection
from credentials.profiles import load_sections
from tests.api.conftest import bearer
from tests.portal.conftest import signed_in
from tests.teams.test_read_only_grants import READ_ONLY_ACCESS, assume_roles  # noqa: F401 (a fixture)
from tests.workspace.support import local_files, run

READONLY = "platform/readonly"
ANY_POLICY = "arn:aws:iam::aws:policy/X"


@pytest.fixture
def granted(team, profiles, alice, bob):
    services.grant(alice, profiles.readonly, user=bob)
    return profiles.readonly


def _actions(elevation):
    rows = AuditEvent.objects.filter(action__startswith="console:elevation:", data__elevation=elevation.pk)
    return list(rows.order_by("seq").values_list("action", "actor_name", "data"))


def _elevated(bob, dana, section, duration="30m"):
    asked = elevations.request_elevation(bob, section, duration, "the release")
    return elevations.decide(dana, asked.pk, "approve", "go ahead")


# ---- the rules ----------------------------------------------------------------------------


def test_it_records_every_step_with_the_profile_minutes_and_reasons(granted, bob, dana):
    asked = elevations.request_elevation(bob, granted, "1h30m", "  the release  ")
    assert (asked.status, asked.minutes, asked.reason, asked.is_pending) == (
        "pending",
        90,
        "the release",
        True,
    )
    approved = elevations.decide(dana, asked.pk, "approve", "go ahead")
    assert approved.is_active and approved.ends_at == approved.starts_at + timedelta(minutes=90)
    ended = elevations.end_elevation(bob, asked.pk)
    assert (ended.status, ended.is_active, ended.ended_by_id) == ("ended", False, bob.pk)
    steps = _actions(asked)
    assert [(action, actor) for action, actor, _ in steps] == [
        ("console:elevation:requested", "bob"),
        ("console:elevation:approved", "dana"),
        ("console:elevation:ended", "bob"),
    ]
    for _, _, data in steps:
        assert (data["profile"], data["team"], data["minutes"], data["reason"]) == (
            READONLY,
            "platform",
            90,
            "the release",
        )
        assert "s3cr3t-canary" not in json.dumps(data)
    assert steps[1][2]["decision_reason"] == "go ahead"


def test_nobody_approves_their_own_elevation(team, profiles, alice):
    asked = elevations.request_elevation(alice, profiles.readonly, 30, "the owner wants Write")
    with pytest.raises(TeamError, match="nobody approves their own elevation"):
        elevations.decide(alice, asked.pk, "approve", "")
    assert Elevation.objects.get(pk=asked.pk).status == "pending"
    assert AuditEvent.objects.filter(
        action="console:access:denied", data__permission="teams.approve_elevations"
    ).exists()


def test_an_approver_demoted_while_it_waits_cannot_approve(granted, bob, dana):
    asked = elevations.request_elevation(bob, granted, "2h", "the release")
    Membership.objects.filter(team=granted.team, user=dana).update(role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        elevations.decide(dana, asked.pk, "approve", "")
    assert Elevation.objects.get(pk=asked.pk).status == "pending"


@pytest.mark.parametrize("who", ["carol", "charlie"])
def test_those_who_may_not_use_the_profile_cannot_ask(granted, who, request):
    with pytest.raises(elevations.NotVisible):
        elevations.request_elevation(request.getfixturevalue(who), granted, "1h", "let me in")
    assert not Elevation.objects.exists()


def test_a_denial_needs_a_reason_and_is_final(granted, bob, dana):
    asked = elevations.request_elevation(bob, granted, "1h", "the release")
    with pytest.raises(TeamError, match="say why you deny it"):
        elevations.decide(dana, asked.pk, "deny", " ")
    denied = elevations.decide(dana, asked.pk, "deny", "not today")
    assert (denied.status, denied.decision_reason, denied.is_active) == ("denied", "not today", False)
    with pytest.raises(TeamError, match="decided already"):
        elevations.decide(dana, asked.pk, "approve", "")
    assert [action for action, _, _ in _actions(asked)][-1] == "console:elevation:denied"


def test_one_open_request_per_member_and_profile(granted, bob, dana):
    _elevated(bob, dana, granted)
    with pytest.raises(TeamError, match="pending or active elevation"):
        elevations.request_elevation(bob, granted, "1h", "more")


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("5h", r"at most 4 h \(240 minutes\)"),
        (241, r"at most 4 h \(240 minutes\)"),
        ("0m", "at least one minute"),
        ("soon", "is not a duration"),
        (True, "duration is minutes"),
    ],
)
def test_a_duration_over_the_setting_or_not_a_duration_is_refused(granted, bob, duration, message):
    with pytest.raises(TeamError, match=message):
        elevations.request_elevation(bob, granted, duration, "the release")


def test_the_longest_duration_follows_the_setting(granted, bob, settings):
    settings.CONSOLE_ELEVATION_MAX_HOURS = 1
    with pytest.raises(TeamError, match="at most 1 h"):
        elevations.request_elevation(bob, granted, "61m", "the release")
    assert elevations.request_elevation(bob, granted, "1h", "the release").minutes == 60


def test_a_request_over_the_max_is_a_400_in_the_api_and_a_form_error_in_the_portal(granted, bob):
    body = {"profile": READONLY, "duration": "6h", "reason": "the release"}
    answer = Client().post(
        "/api/v1/elevations",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(create_token(bob)),
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "an elevation lasts at most 4 h (240 minutes); ask for less.",
        "code": "refused",
    }
    page = signed_in(bob).post(
        "/elevations/new", {"profile": str(granted.pk), "duration": "6h", "reason": "the release"}
    )
    assert page.status_code == 200
    assert "an elevation lasts at most 4 h (240 minutes); ask for less." in page.content.decode()
    assert not Elevation.objects.exists()


def test_the_reaper_s_chore_expires_what_nobody_decided_and_what_ran_its_time(granted, bob, dana, alice):
    active = _elevated(bob, dana, granted)
    waiting = elevations.request_elevation(alice, granted, "1h", "owner too")
    Elevation.objects.filter(pk=active.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    Elevation.objects.filter(pk=waiting.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert elevations.expire_due() == 2
    assert elevations.expire_due() == 0
    assert set(Elevation.objects.values_list("status", flat=True)) == {"expired"}
    (_, actor, data) = _actions(active)[-1]
    assert (actor, data["why"], data["was"]) == ("system", "its time is up", "approved")
    assert _actions(waiting)[-1][2]["why"] == "nobody decided it within 15 minutes"


# ---- what the broker reads ------------------------------------------------------------


def test_the_profiles_query_carries_the_active_elevation_and_compares_its_time(granted, bob, dana):
    assert load_sections(bob).named(READONLY).elevation is None
    active = _elevated(bob, dana, granted)
    assert load_sections(bob).named(READONLY).elevation == active.pk
    assert load_sections(dana).named(READONLY).elevation is None  # the approver's own use
    Elevation.objects.filter(pk=active.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert load_sections(bob).named(READONLY).elevation is None  # before the reaper marks it
    assert Elevation.objects.get(pk=active.pk).status == "approved"


def test_an_elevation_gives_nothing_once_the_grant_is_gone(granted, bob, dana):
    _elevated(bob, dana, granted)
    Grant.objects.filter(user=bob).delete()
    assert load_sections(bob).named(READONLY) is None


def test_revoking_the_grant_or_removing_the_member_ends_their_elevations(granted, bob, dana, alice):
    first = _elevated(bob, dana, granted)
    services.revoke_grant(alice, Grant.objects.get(user=bob))
    assert Elevation.objects.get(pk=first.pk).status == "ended"
    (_, actor, data) = _actions(first)[-1]
    assert (actor, data["why"]) == ("alice", "the requester may no longer use the profile")
    services.grant(alice, granted, user=bob)
    second = _elevated(bob, dana, granted)
    services.change_role(alice, Membership.objects.get(team=granted.team, user=dana), Role.MEMBER)
    assert Elevation.objects.get(pk=second.pk).is_active  # bob still may use it
    services.remove_member(alice, Membership.objects.get(team=granted.team, user=bob))
    assert Elevation.objects.get(pk=second.pk).status == "ended"
    assert not elevations.active_in(granted.team).exists()


@pytest.fixture
def production_readonly(granted, alice):
    services.set_team_policy(alice, granted, "production", production=True)
    return granted


def _explain(user, line, tmp_path):
    return run(f"guard explain {line}", Workspace(user, (), local_files(tmp_path / "storage"))).stdout


def test_guard_explain_says_what_the_elevation_does(production_readonly, bob, dana, tmp_path):
    write = f"aws s3api create-bucket --bucket x --profile {READONLY}"
    attach = f"aws iam attach-user-policy --user-name u --policy-arn {ANY_POLICY} --profile {READONLY}"
    assert _explain(bob, write, tmp_path).endswith(
        "Policy: approve (it would wait for another team member's approval, nothing sent until then; "
        f"profile {READONLY}: production)\n"
    )
    _elevated(bob, dana, production_readonly)
    assert _explain(bob, write, tmp_path).endswith(
        f"Policy: allow (it would run; profile {READONLY}: production; "
        "your elevation approves it in advance)\n"
    )
    assert "Policy: approve (" in _explain(bob, attach, tmp_path)  # Permissions management is not Write


def _terminal(user, line, tmp_path):
    return run(line, Workspace(user, (), local_files(tmp_path / "storage")))


def test_guard_elevate_asks_from_the_terminal_and_guard_elevations_lists(granted, bob, dana, tmp_path):
    asked = _terminal(bob, "guard elevate platform/readonly 2h the release, ticket 42", tmp_path)
    made = Elevation.objects.get(requester=bob)
    assert (asked.code, asked.stderr) == (0, "")
    assert asked.stdout == (
        "elevation: asked for Write on platform/readonly for 2 h; an owner or admin of platform "
        f"decides at /elevations/{made.pk} (it waits up to 15 min)\n"
    )
    assert (made.minutes, made.reason) == (120, "the release, ticket 42")
    assert _terminal(bob, "guard elevations", tmp_path).stdout == (
        f"/elevations/{made.pk}  platform/readonly  bob  2 h  pending: the release, ticket 42\n"
    )
    waiting = _terminal(dana, "guard elevations", tmp_path).stdout
    assert waiting.endswith("pending: the release, ticket 42 (waits for your decision)\n")
    elevations.decide(dana, made.pk, "approve", "")
    assert "  active until " in _terminal(bob, "guard elevations", tmp_path).stdout
    assert _terminal(dana, "guard elevations", tmp_path).stdout == "No pending or active elevation.\n"


@pytest.mark.parametrize(
    ("line", "stderr"),
    [
        (
            "guard elevate platform/keys 1h deploy",
            "guard: The config profile (platform/keys) could not be found\n",
        ),
        (
            "guard elevate platform/nosuch 1h deploy",
            "guard: The config profile (platform/nosuch) could not be found\n",
        ),
        (
            "guard elevate platform/readonly 9h deploy",
            "guard: an elevation lasts at most 4 h (240 minutes); ask for less.\n",
        ),
        ("guard elevate platform/readonly 1h", guard.ELEVATE_USAGE),
    ],
)
def test_guard_elevate_refuses_with_a_message(granted, bob, tmp_path, line, stderr):
    refused = _terminal(bob, line, tmp_path)
    assert (refused.code, refused.stdout, refused.stderr) == (252, "", stderr)
    assert not Elevation.objects.exists()


# ---- what the broker sends: the session policy and the cached sessions --------------------


@pytest.fixture
def demo_team(alice, sandbox, db):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    Grant.objects.filter(user__username="bob").delete()
    admin = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.grant(alice, admin, user="bob", read_only=True)
    return admin


def _credentials(user, line):
    """The credentials the worker's check and the broker give `user` for `line`; a refusal
    raises before any credential is fetched. (A context outside a run: nothing to audit.)"""
    check = guardrail.Check(ctx=CommandContext(Caller(user), None, None), parsed=parse_command(line))
    return broker.resolve_session(user, profile="platform/admin", gate=check).credentials


def test_an_elevated_write_gets_a_full_session_a_read_keeps_the_read_only_one(demo_team, assume_roles):  # noqa: F811
    from django.contrib.auth import get_user_model

    bob, alice = (get_user_model().objects.get(username=name) for name in ("bob", "alice"))
    create = f"aws s3api create-bucket --bucket e-{uuid.uuid4().hex[:10]} --profile platform/admin"
    read = "aws s3api list-buckets --profile platform/admin"
    read_only = _credentials(bob, read)
    elevation = _elevated(bob, alice, demo_team)
    elevated = _credentials(bob, create)
    assert elevated.access_key_id != read_only.access_key_id  # the read-only session is not used
    assert _credentials(bob, read).access_key_id == read_only.access_key_id  # a read stays read-only
    assert assume_roles.session_policies() == [[READ_ONLY_ACCESS], None]

    Elevation.objects.filter(pk=elevation.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(guardrail.GuardrailRefused, match="your grant is read-only"):
        _credentials(bob, create)
    after = _credentials(bob, read)
    assert after.access_key_id == read_only.access_key_id != elevated.access_key_id
    assert len(assume_roles.sent) == 2  # nothing assumed again, the elevated session not reused
    assert elevations.expire_due() == 1
    assert not CachedSession.objects.filter(user=bob).exists()  # ended with the elevation


# ---- the portal ---------------------------------------------------------------------------


def test_the_team_page_shows_active_elevations_to_its_members(granted, bob, dana, carol, charlie):
    active = _elevated(bob, dana, granted)
    page = signed_in(carol).get("/teams/platform/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="team-elevations"' in body
    assert "the release" in body and f"{active.ends_at:%Y-%m-%d %H:%M} UTC" in body
    assert signed_in(charlie).get("/teams/platform/").status_code == 404


def test_the_requester_sees_their_elevation_on_the_profile_s_page(granted, bob, dana):
    url = f"/teams/platform/profiles/{granted.pk}/"
    before = signed_in(bob).get(url).content.decode()
    assert (
        f'href="/elevations/new?profile={granted.pk}"' in before and 'id="profile-elevations"' not in before
    )
    _elevated(bob, dana, granted)
    after = signed_in(bob).get(url).content.decode()
    assert 'id="profile-elevations"' in after and "the release" in after


def test_the_elevation_s_page_is_for_its_requester_and_approvers_only(
    granted, bob, dana, alice, carol, charlie
):
    asked = elevations.request_elevation(bob, granted, "1h", "the release")
    url = f"/elevations/{asked.pk}"
    for user, status in [(bob, 200), (dana, 200), (alice, 200), (carol, 404), (charlie, 404)]:
        assert signed_in(user).get(url).status_code == status, user
    assert 'id="elevation-decide"' in signed_in(dana).get(url).content.decode()
    assert 'id="elevation-decide"' not in signed_in(bob).get(url).content.decode()
    assert signed_in(charlie).get("/elevations/999999").status_code == 404


def test_approvers_find_waiting_requests_in_the_list_and_the_header_badge(granted, bob, dana):
    asked = elevations.request_elevation(bob, granted, "1h", "the release")
    page = signed_in(dana).get("/elevations/").content.decode()
    assert f'href="/elevations/{asked.pk}"' in page and 'id="elevations-waiting"' in page
    assert 'id="approvals-badge"' in page and ">1</span>" in page
    assert 'id="approvals-badge"' not in signed_in(bob).get("/elevations/").content.decode()
    approvals = signed_in(dana).get("/approvals/").content.decode()
    assert 'id="approvals-elevations"' in approvals and f'href="/elevations/{asked.pk}"' in approvals


def test_asking_from_the_portal_lists_the_profiles_one_may_use(granted, bob, carol):
    form = signed_in(bob).get(f"/elevations/new?profile={granted.pk}").content.decode()
    assert f'<option value="{granted.pk}" selected>{READONLY}</option>' in form
    assert "You may use no team profile" in signed_in(carol).get("/elevations/new").content.decode()
    made = signed_in(bob).post(
        "/elevations/new", {"profile": str(granted.pk), "duration": "45m", "reason": "the release"}
    )
    asked = Elevation.objects.get(requester=bob)
    assert made.status_code == 302 and made["Location"] == f"/elevations/{asked.pk}"
    assert asked.minutes == 45


def test_the_pages_say_how_long_is_left(granted, bob, dana):
    # "in 0 minutes" everywhere once: Django's timeuntil counts from its argument to its value.
    asked = elevations.request_elevation(bob, granted, "1h", "the release")
    waiting = signed_in(dana).get(f"/elevations/{asked.pk}").content.decode()
    assert re.search(r"in 1[45]\xa0minutes unless decided", waiting), waiting
    listed = signed_in(dana).get("/approvals/").content.decode()
    assert re.search(r"in 1[45]\xa0minutes", listed)
    elevations.decide(dana, asked.pk, "approve", "go ahead")
    active = signed_in(bob).get(f"/elevations/{asked.pk}").content.decode()
    assert re.search(r"\(in (59\xa0minutes|1\xa0hour)\)", active), active
