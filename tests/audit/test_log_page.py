"""The audit log page, /audit/: the runs one may see (their own; a team's owners, admins and
auditors: the team's), newest first, filtered by each field and by free text, paginated
with the filter kept; a bad filter is a form error, never a 500 or a wider list; each row
leads to its run, re-runs it as the person pressing and diffs a re-run with its original.
The Events tab shows staff every event and a team's viewers the team's own. The cast is
tests/teams/conftest.py's: Alice owns `platform`, Dana is its admin, Bob a member, Carol
its auditor, Charlie an outsider with a team of his own."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.runs.models import CommandRun, RunStatus
from console.teams import services
from console.teams.models import Role
from tests.api.factories import make_run
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db

ARN = "arn:aws:sts::123456789012:assumed-role/ConsoleReadOnly/bob"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(run: CommandRun, minutes_ago: int) -> CommandRun:
    """Move a run's submission time (auto_now_add sets it at creation)."""
    CommandRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    run.refresh_from_db()
    return run


@pytest.fixture
def runs(team, alice, bob, carol, dana, charlie) -> dict[str, CommandRun]:
    theirs = services.create_team(charlie, "data", "Data")
    made = {
        "bob_team": make_run(
            bob,
            command="aws sts get-caller-identity --profile platform/readonly",
            profile="platform/readonly",
            team=team,
            service="sts",
            operation="GetCallerIdentity",
            aws_account="123456789012",
            region="us-east-1",
            principal={"type": "assume-role", "arn": ARN, "account": "123456789012"},
        ),
        "bob_own": make_run(
            bob, command="aws s3api list-buckets", profile="default", service="s3", operation="ListBuckets"
        ),
        "dana_team": make_run(
            dana,
            command="aws iam list-roles --profile platform/readonly",
            profile="platform/readonly",
            team=team,
            service="iam",
            operation="ListRoles",
            status=RunStatus.FAILED,
            exit_code=254,
        ),
        "charlie_team": make_run(
            charlie, command="aws s3 ls --profile data/ro", profile="data/ro", team=theirs, service="s3"
        ),
        "charlie_own": make_run(charlie, command="aws ec2 describe-regions", service="ec2"),
    }
    for minutes, key in enumerate(made):
        at(made[key], minutes_ago=10 * minutes)  # bob_team newest, charlie_own oldest
    return made


def listed(response: Any) -> list[str]:
    """The run ids of the page's rows, top to bottom."""
    return re.findall(r'<tr data-run-id="([0-9a-f-]+)">', response.content.decode())


def ids(runs: dict[str, CommandRun], *names: str) -> list[str]:
    return [str(runs[name].pk) for name in names]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("bob", ("bob_team", "bob_own")),  # a member: their own runs only
        ("carol", ("bob_team", "dana_team")),  # the auditor: the team's runs
        ("dana", ("bob_team", "dana_team")),  # the admin: the team's, and her own
        ("alice", ("bob_team", "dana_team")),  # the owner
        ("charlie", ("charlie_team", "charlie_own")),  # an outsider: none of platform's
    ],
)
def test_it_lists_the_runs_one_may_see_newest_first(request, runs, who, sees):
    response = signed_in(request.getfixturevalue(who)).get("/audit/")
    assert response.status_code == 200
    assert listed(response) == ids(runs, *sees)


def test_a_member_does_not_see_another_member_s_team_run(runs, team, alice):
    erin = _make_user("erin")
    services.add_member(alice, team, "erin", Role.MEMBER)
    assert listed(signed_in(erin).get("/audit/")) == []


def test_staff_see_every_run(runs):
    staff = _make_user("stan")
    staff.is_staff = True
    staff.save()
    assert listed(signed_in(staff).get("/audit/")) == ids(runs, *runs)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "dana"}, ("dana_team",)),
        ({"team": "platform"}, ("bob_team", "dana_team")),
        ({"profile": "platform/readonly"}, ("bob_team", "dana_team")),
        ({"account": "123456789012"}, ("bob_team",)),
        ({"service": "iam"}, ("dana_team",)),
        ({"operation": "GetCallerIdentity"}, ("bob_team",)),
        ({"status": "failed"}, ("dana_team",)),
        ({"q": "list-roles"}, ("dana_team",)),  # in the command line
        ({"q": "ConsoleReadOnly/bob"}, ("bob_team",)),  # in the principal's ARN
        ({"team": "platform", "service": "sts"}, ("bob_team",)),
    ],
)
def test_each_filter_narrows_the_list(runs, carol, query, expected):
    assert listed(signed_in(carol).get("/audit/", query)) == ids(runs, *expected)


def test_free_text_finds_a_run_by_the_start_of_its_id(runs, carol):
    run = runs["dana_team"]
    assert listed(signed_in(carol).get("/audit/", {"q": run.short_id})) == [str(run.pk)]
    assert listed(signed_in(carol).get("/audit/", {"q": str(run.pk)[:13]})) == [str(run.pk)]


def test_the_time_range_keeps_runs_from_its_start_to_before_its_end(runs, carol):
    since = (runs["dana_team"].created_at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    until = (runs["bob_team"].created_at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    client = signed_in(carol)
    assert listed(client.get("/audit/", {"since": since})) == ids(runs, "bob_team", "dana_team")
    assert listed(client.get("/audit/", {"since": since, "until": until})) == ids(runs, "dana_team")


@pytest.mark.parametrize(
    "query",
    [
        {"user": "charlie"},  # his own runs: not hers to see
        {"team": "data"},  # another team's
        {"q": "describe-regions"},
        {"profile": "data/ro"},
    ],
)
def test_a_filter_never_widens_what_one_sees(runs, carol, query):
    response = signed_in(carol).get("/audit/", query)
    assert response.status_code == 200
    assert listed(response) == []
    assert "No run matches this filter." in response.content.decode()


def test_an_id_prefix_of_a_run_one_may_not_see_finds_nothing(runs, carol):
    assert listed(signed_in(carol).get("/audit/", {"q": runs["charlie_own"].short_id})) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "yesterday"}, "from: Enter a valid date/time."),
        ({"until": "2026-13-45T99:00"}, "to: Enter a valid date/time."),
        (
            {"status": "exploded"},
            "status: Select a valid choice. exploded is not one of the available choices.",
        ),
    ],
)
def test_a_bad_filter_value_is_a_form_error_and_lists_nothing(runs, carol, query, message):
    response = signed_in(carol).get("/audit/", {**query, "service": "sts"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'id="filter-errors"' in body
    assert listed(response) == []  # not the list without the bad field: that would be more


def test_it_pages_newest_first_and_keeps_the_filter_in_its_links(bob):
    made = [at(make_run(bob, service="s3", operation="ListBuckets"), minutes) for minutes in range(52)]
    make_run(bob, service="ec2")  # newest of all, filtered out
    client = signed_in(bob)
    first = client.get("/audit/", {"service": "s3"})
    assert listed(first) == [str(run.pk) for run in made[:50]]
    body = first.content.decode()
    assert "52 runs" in body
    assert 'href="?service=s3&amp;page=2" rel="next"' in body
    second = client.get("/audit/", {"service": "s3", "page": "2"})
    assert listed(second) == [str(run.pk) for run in made[50:]]
    assert 'href="?service=s3&amp;page=1" rel="prev"' in second.content.decode()
    assert listed(client.get("/audit/", {"service": "s3", "page": "nonsense"})) == listed(first)


def test_each_row_links_its_run_page_and_shows_what_it_recorded(runs, carol):
    body = signed_in(carol).get("/audit/").content.decode()
    run = runs["dana_team"]
    assert f'href="/runs/{run.pk}"' in body
    row = body[body.index(f'data-run-id="{run.pk}"') :].split("</tr>")[0]
    for shown in ("dana", "platform · platform/readonly", "iam ListRoles", "Failed", "254", "0.000 s"):
        assert shown in row


def test_a_rerun_row_offers_a_diff_with_its_original_and_rerun_posts_as_the_presser(runs, alice):
    original = runs["bob_team"]
    rerun = make_run(alice, command=original.command, rerun_of=original, team=original.team)
    client = signed_in(alice)
    body = client.get("/audit/").content.decode()
    assert f'href="/runs/{original.pk}/diff/{rerun.pk}"' in body
    assert f'action="/runs/{original.pk}/rerun"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    row = body[body.index(f'data-run-id="{original.pk}"') :].split("</tr>")[0]
    assert "diff with original" not in row  # the original re-runs nothing


def test_no_diff_link_to_an_original_one_may_not_see(runs, bob, charlie):
    rerun = make_run(bob, command="aws ec2 describe-regions", rerun_of=runs["charlie_own"])
    body = signed_in(bob).get("/audit/").content.decode()
    assert f'data-run-id="{rerun.pk}"' in body
    assert "diff with original" not in body


def test_a_line_that_held_a_secret_offers_no_rerun(bob):
    run = make_run(bob, command="aws iam create-login-profile --user-name x --password ****")
    body = signed_in(bob).get("/audit/").content.decode()
    assert f'data-run-id="{run.pk}"' in body
    assert f'action="/runs/{run.pk}/rerun"' not in body


def test_the_rerun_button_makes_a_run_as_the_presser(runs, alice):
    original = runs["bob_team"]
    response = signed_in(alice).post(f"/runs/{original.pk}/rerun")
    made = CommandRun.objects.filter(rerun_of=original).get()
    assert (made.user, response.status_code, response["Location"]) == (alice, 303, f"/runs/{made.pk}")


def test_the_shared_header_links_the_log(alice):
    body = signed_in(alice).get("/teams/").content.decode()
    assert '<a href="/audit/" id="nav-audit-log">Audit log</a>' in body
    assert 'id="nav-audit-log" aria-current="page"' in signed_in(alice).get("/audit/").content.decode()


def test_it_asks_a_visitor_to_sign_in(db):
    response = Client().get("/audit/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/audit/")


def test_it_carries_no_inline_script_or_style(runs, carol):
    response = signed_in(carol).get("/audit/")
    body = response.content.decode()
    assert "<script" not in body and "style=" not in body and "<style" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


# ---- the Events tab ---------------------------------------------------------------------


def events(response: Any) -> list[str]:
    return re.findall(r'<td class="mono">([a-z_]+:[a-z_]+:[a-z_]+)</td>', response.content.decode())


def test_a_team_s_viewers_read_its_events_and_nothing_else(team, alice, carol, dana, charlie):
    services.create_team(charlie, "data", "Data")
    for who in (carol, dana, alice):
        response = signed_in(who).get("/audit/events")
        assert response.status_code == 200
        body = response.content.decode()
        assert "team:team:created" in events(response)
        assert "team:member:added" in events(response)
        assert "team=platform" in body and "team=data" not in body
        assert "console:signin" not in body


def test_a_refusal_on_the_team_shows_to_its_viewers(team, bob, carol):
    with pytest.raises(Exception, match="manage_members"):
        services.add_member(bob, team, "charlie", Role.MEMBER)
    response = signed_in(carol).get("/audit/events", {"action": "console:access:denied"})
    assert events(response) == ["console:access:denied"]
    assert "permission=teams.manage_members" in response.content.decode()


def test_a_refused_look_at_a_team_run_shows_to_its_viewers_not_one_at_another_s(runs, charlie, carol):
    charlie_client = signed_in(charlie)
    assert charlie_client.get(f"/runs/{runs['bob_team'].pk}").status_code == 404
    assert charlie_client.get(f"/runs/{runs['bob_own'].pk}").status_code == 404
    response = signed_in(carol).get("/audit/events", {"action": "console:access:denied"})
    assert events(response) == ["console:access:denied"]  # bob's own run's is staff's
    assert "action=view" in response.content.decode()


def test_a_member_has_no_events_tab(team, bob):
    client = signed_in(bob)
    assert 'id="events-tab"' not in client.get("/audit/").content.decode()
    assert client.get("/audit/events").status_code == 403


def test_staff_read_every_event(team, charlie):
    staff = _make_user("stan")
    staff.is_staff = True
    staff.save()
    services.create_team(charlie, "data", "Data")
    body = signed_in(staff).get("/audit/events").content.decode()
    assert "team=platform" in body and "team=data" in body


def test_a_refusal_on_a_team_profile_shows_to_its_viewers(profiles, charlie, carol):
    from console.teams import rules

    rules.deny(charlie, "teams.use_profile", profiles.readonly)  # as the broker records it
    rules.deny(charlie, "teams.use_profile", profiles.personal)  # his own: not the team's
    response = signed_in(carol).get("/audit/events", {"action": "console:access:denied"})
    assert events(response) == ["console:access:denied"]
    assert f"id={profiles.readonly.pk}" in response.content.decode()
