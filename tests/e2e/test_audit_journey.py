"""Issue 10's audit journey in real Chromium windows under the console's real CSP, against
the real server, worker and sandbox: bob, a member, runs a command with a team profile in
the terminal; carol, the team's auditor, finds it in the audit log filtered by service
and opens its page; bob starts a command that hangs in its AWS call, and carol finds it
running in the log and watches it live until bob cancels it; alice, the owner, re-runs
bob's first command with another team profile, and carol opens the re-run's "diff with
original" from the log: its "+N −M" summary names what changed."""

from __future__ import annotations

from typing import Any

import pytest

from console.demo import install_team_demo
from console.runs.models import CommandRun
from console.teams import services
from console.teams.models import Team
from tests.conftest import PASSWORD, _wait_for
from tests.e2e.conftest import TERMINAL_TEXT, wait_until
from tests.e2e.test_browser_hardening import WATCH_CSP, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOWS = f"([expected]) => ({TERMINAL_TEXT})().includes(expected)"
CONNECTED = "() => document.body.dataset.connected === 'true'"
RUNNING = "() => document.body.dataset.running === 'true'"
IDLE = "() => document.body.dataset.running === 'false'"
ENDED = "() => document.body.dataset.runEnded === 'true'"


def open_window(browser: Any, stack: Any) -> Any:
    context = browser.new_context(base_url=stack.url, viewport={"width": 1300, "height": 850})
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    wait_until(page, CONNECTED)


def latest_run(username: str) -> CommandRun:
    return CommandRun.objects.filter(user__username=username).order_by("-created_at").first()


def find_in_log(page: Any, run: CommandRun, **query: str) -> None:
    """Filter the log as a person does (type, press Filter) and open the run's page."""
    page.goto("/audit/")
    for name, value in query.items():
        if name == "status":
            page.select_option("#id_status", value)
        else:
            page.fill(f"#id_{name}", value)
    with page.expect_navigation():
        page.click("#apply-filter")
    for name, value in query.items():
        assert f"{name}={value}" in page.url
    page.click(f"tr[data-run-id='{run.pk}'] a.run-link")
    page.wait_for_url(f"**/runs/{run.pk}")


@pytest.fixture
def team_with_a_stuck_profile(alice: Any, sandbox: Any, blackhole: Any) -> dict[str, str]:
    """The demo team (bob a member granted platform/readonly, carol its auditor, profiles
    readonly and admin) plus platform/stuck, granted to bob: valid keys, but its endpoint
    never answers. Answers the teammates' passwords."""
    sign_ins = install_team_demo(alice, sandbox.seed, sandbox.url)
    team = Team.objects.get(slug="platform")
    keys = {
        "aws_access_key_id": sandbox.seed.access_key_id,
        "aws_secret_access_key": sandbox.seed.secret_access_key,
    }
    stuck = services.save_team_profile(
        alice, team, "stuck", {"region": sandbox.seed.region, "endpoint_url": blackhole.url, **keys}
    )
    services.grant(alice, stuck, user=type(alice).objects.get(username="bob"))
    return {s.username: s.password for s in sign_ins} | {"alice": PASSWORD}


def test_an_auditor_finds_a_member_s_runs_watches_one_live_and_diffs_a_rerun(
    browser, stack, team_with_a_stuck_profile
):
    passwords = team_with_a_stuck_profile
    bob, carol = open_window(browser, stack), open_window(browser, stack)

    sign_in(bob, "bob", passwords["bob"])
    bob.keyboard.type("aws sts get-caller-identity --profile platform/readonly")
    bob.keyboard.press("Enter")
    wait_until(bob, SHOWS, ["assumed-role/ConsoleReadOnly/bob"], timeout=30)
    wait_until(bob, IDLE)
    first = latest_run("bob")

    sign_in(carol, "carol", passwords["carol"])
    find_in_log(carol, first, service="sts")
    wait_until(carol, ENDED, timeout=20)
    wait_until(carol, SHOWS, ["assumed-role/ConsoleReadOnly/bob"])
    assert carol.inner_text("#run-status") == "Succeeded"

    # A second command of bob's hangs in its AWS call: carol finds it running and watches.
    bob.keyboard.type("aws sts get-caller-identity --profile platform/stuck")
    bob.keyboard.press("Enter")
    wait_until(bob, RUNNING)
    _wait_for(lambda: latest_run("bob").pk != first.pk, "bob's second run")
    second = latest_run("bob")
    # The worker's heartbeat names the run's team once it has resolved the profile.
    _wait_for(lambda: CommandRun.objects.filter(pk=second.pk, team__isnull=False).exists(), "the run's team")
    find_in_log(carol, second, status="running", user="bob")
    wait_until(carol, "() => window.consoleTerminal !== undefined")
    assert carol.inner_text("#run-status") == "Running"
    bob.keyboard.press("Control+c")
    wait_until(carol, ENDED, timeout=15)
    wait_until(carol, SHOWS, ["[cancelled, exit code 130]"])
    assert carol.inner_text("#run-status") == "Cancelled"

    # Alice re-runs bob's first command with another team profile; carol diffs it from the log.
    alice = open_window(browser, stack)
    sign_in(alice, "alice", passwords["alice"])
    alice.goto(f"/runs/{first.pk}")
    alice.select_option("#id_profile", "platform/admin")
    alice.click("#rerun-with")
    alice.wait_for_url(lambda url: str(first.pk) not in url)
    wait_until(alice, ENDED, timeout=30)
    wait_until(alice, SHOWS, ["assumed-role/ConsoleAdmin/alice"])
    rerun = latest_run("alice")
    assert rerun.rerun_of_id == first.pk

    carol.goto("/audit/?user=alice")
    carol.click(f"tr[data-run-id='{rerun.pk}'] a.diff-link")
    carol.wait_for_url(f"**/runs/{first.pk}/diff/{rerun.pk}")
    assert carol.inner_text("#diff-summary").startswith("+2 −2")
    assert carol.inner_text("#changed-paths").split() == ["Arn", "UserId"]

    for window in (bob, carol, alice):
        assert violations(window) == []
        assert window.console_errors == []
        window.context.close()
