"""The run page in a real Chromium under the console's real CSP: run a command, open its
page (the output replayed in the read-only terminal view), re-run it with another
profile, compare the two; and a teammate watching a running command live, read-only,
until its owner cancels it."""

from __future__ import annotations

import pytest

from console.runs.models import CommandRun
from tests.conftest import PASSWORD
from tests.e2e.conftest import TERMINAL_TEXT, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOWS = f"([expected]) => ({TERMINAL_TEXT})().includes(expected)"


def sign_in(page, username="alice"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    wait_until(page, "() => document.body.dataset.connected === 'true'")


def run_in_terminal(page, command):
    page.keyboard.type(command)
    page.keyboard.press("Enter")
    wait_until(page, "() => document.body.dataset.running === 'true'", timeout=5)
    wait_until(page, "() => document.body.dataset.running === 'false'", timeout=30)


def latest_run(user):
    return CommandRun.objects.filter(user=user).order_by("-created_at").first()


def open_run_page(page, run_id):
    page.goto(f"/runs/{run_id}")
    wait_until(page, "() => document.body.dataset.runEnded === 'true'", timeout=20)


def test_it_shows_a_run_reruns_it_and_compares_the_two(strict_page, alice_profiles, sandbox):
    page = strict_page
    sign_in(page)
    run_in_terminal(page, "aws sts get-caller-identity --profile admin")
    original = latest_run(alice_profiles)

    open_run_page(page, original.pk)
    wait_until(page, SHOWS, ["assumed-role/ConsoleAdmin/alice"])
    assert page.inner_text("#run-status") == "Succeeded"
    assert "GetCallerIdentity" in page.inner_text("#aws-calls")

    page.select_option("#id_profile", "readonly")
    page.click("#rerun-with")
    page.wait_for_url(lambda url: str(original.pk) not in url)
    wait_until(page, "() => document.body.dataset.runEnded === 'true'", timeout=30)
    wait_until(page, SHOWS, ["assumed-role/ConsoleReadOnly/alice"])
    rerun = latest_run(alice_profiles)
    assert rerun.rerun_of_id == original.pk
    assert rerun.command == f"aws sts get-caller-identity --profile readonly --region {sandbox.seed.region}"

    page.click("#compare-original")
    page.wait_for_url(f"**/runs/{original.pk}/diff/{rerun.pk}")
    assert page.inner_text("#diff-summary").startswith("+2 −2")
    assert page.inner_text("#changed-paths").split() == ["Arn", "UserId"]
    page.click("text=Side by side")
    page.wait_for_url("**view=split")
    assert page.locator("table.diff-split .diff-insert").count() == 2
    assert page.console_errors == []


def test_a_teammate_watches_a_running_command_live_until_it_ends(browser, stack, blackhole_profile, bob):
    bob.is_staff = True  # staff may see every run
    bob.save()
    contexts = [
        browser.new_context(base_url=stack.url, viewport={"width": 1200, "height": 800}) for _ in "ab"
    ]
    owner, viewer = (context.new_page() for context in contexts)
    errors: list[str] = []
    viewer.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(owner)
    owner.keyboard.type("aws sts get-caller-identity --profile stuck")
    owner.keyboard.press("Enter")
    wait_until(owner, "() => document.body.dataset.running === 'true'")
    wait_until(owner, "() => sessionStorage.getItem('consoleTerminal.activeRun') !== null")
    run = latest_run(blackhole_profile)

    sign_in(viewer, "bob")
    viewer.goto(f"/runs/{run.pk}")
    wait_until(viewer, "() => window.consoleTerminal !== undefined")
    assert viewer.inner_text("#run-status") == "Running"
    viewer.keyboard.press("Control+c")  # the view takes no keys: nothing is cancelled
    viewer.keyboard.type("rm -rf\n")
    viewer.wait_for_timeout(500)
    assert CommandRun.objects.get(pk=run.pk).status == "running"

    owner.keyboard.press("Control+c")
    wait_until(viewer, "() => document.body.dataset.runEnded === 'true'", timeout=10)
    wait_until(viewer, SHOWS, ["[cancelled, exit code 130]"])
    assert viewer.inner_text("#run-status") == "Cancelled"
    assert viewer.is_visible("#run-ended")
    assert errors == []
    for context in contexts:
        context.close()


def test_edit_and_rerun_opens_the_terminal_with_the_stored_line(strict_page, alice_profiles):
    page = strict_page
    sign_in(page)
    run_in_terminal(page, "aws sts get-caller-identity --profile admin")
    original = latest_run(alice_profiles)
    open_run_page(page, original.pk)
    page.click("#edit-and-rerun")
    page.wait_for_url("**/")  # the run id leaves the address: a reload does not prefill again
    wait_until(page, "() => window.consoleTerminal.line() === 'aws sts get-caller-identity --profile admin'")
    page.keyboard.type(" --output text")
    page.keyboard.press("Enter")
    wait_until(page, SHOWS, ["assumed-role/ConsoleAdmin/alice"])
    wait_until(page, "() => document.body.dataset.running === 'false'")
    edited = latest_run(alice_profiles)
    assert (edited.command, edited.rerun_of_id) == (
        "aws sts get-caller-identity --profile admin --output text",
        original.pk,
    )
    run_in_terminal(page, "aws sts get-caller-identity")  # the next line re-runs nothing
    assert latest_run(alice_profiles).rerun_of_id is None
    assert page.console_errors == []
