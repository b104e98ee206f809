"""Issue 9's whole path in one real Chromium, under the console's real CSP, against the
real server, worker and sandbox with IAM enforced: the team lead enrols an authenticator
and signs in with it, creates a team, a profile holding keys and one that assumes a role
from them, and grants that one to bob; bob signs in and runs a command with it in the
terminal, and AWS sees bob; carol, an auditor, sees the team but cannot run with it."""

from __future__ import annotations

import time

import pytest

from tests.accounts.conftest import totp
from tests.conftest import _make_user
from tests.e2e.conftest import TERMINAL_TEXT, wait_until
from tests.e2e.test_browser_hardening import WATCH_CSP, violations
from tests.e2e.test_signin_in_browser import CONNECTED, enrol_on_the_page, password_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE = "() => document.body.dataset.running === 'false'"


def _submit(page, label):
    with page.expect_navigation():
        page.click(f"button:has-text('{label}')")


def _sign_out(page):
    page.click("#logout-form button")
    page.wait_for_url("**/accounts/login/**")


def _run_in_terminal(page, command, expected):
    page.goto("/")
    wait_until(page, CONNECTED)
    wait_until(page, IDLE)
    page.keyboard.type(command)
    page.keyboard.press("Enter")
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes({expected!r})", timeout=30)


def _set_up_the_team(page, sandbox):
    page.goto("/teams/")
    page.fill("#id_slug", "platform")
    page.fill("#id_name", "Platform")
    _submit(page, "Create team")
    for username, role in (("bob", "member"), ("carol", "auditor")):
        page.fill("#member_username", username)
        page.select_option("#member_role", role)
        _submit(page, "Add member")
        assert f"{username} added to platform as {role}." in page.inner_text(".messages")

    page.click("text=New profile")
    page.fill("#id_name", "keys")
    page.fill("#id_region", sandbox.seed.region)
    page.fill("#id_aws_access_key_id", sandbox.seed.access_key_id)
    page.fill("#id_aws_secret_access_key", sandbox.seed.secret_access_key)
    page.fill("#id_other", f"endpoint_url = {sandbox.url}")
    _submit(page, "Save")
    page.goto("/teams/platform/profiles/paste")
    page.fill(
        "#id_text",
        f"[profile readonly]\nrole_arn = {sandbox.seed.readonly_role_arn}\nsource_profile = keys\n"
        f"region = {sandbox.seed.region}\nendpoint_url = {sandbox.url}\n",
    )
    _submit(page, "Save")

    page.goto("/teams/platform/")
    page.select_option("#grant_profile", label="platform/readonly")
    page.select_option("#grant_grantee", label="bob")
    _submit(page, "Grant")
    assert "bob may use platform/readonly." in page.inner_text(".messages")


def test_a_lead_with_two_step_sign_in_shares_a_profile_that_bob_uses_and_carol_only_sees(
    strict_page, alice, bob, sandbox
):
    _make_user("carol")
    page = strict_page
    page.add_init_script(WATCH_CSP)

    password_step(page, "alice")
    wait_until(page, CONNECTED)
    secret = enrol_on_the_page(page)
    _sign_out(page)
    password_step(page, "alice")
    page.wait_for_url("**/accounts/login/code/**")
    page.fill("#id_code", totp(secret, time.time() + 30))  # the enrolment used this step's code
    page.click("text=Verify")
    wait_until(page, CONNECTED)
    _set_up_the_team(page, sandbox)
    assert sandbox.seed.secret_access_key not in page.content()
    _sign_out(page)

    password_step(page, "bob")
    wait_until(page, CONNECTED)
    command = "aws sts get-caller-identity --profile platform/readonly"
    _run_in_terminal(page, command, "assumed-role/ConsoleReadOnly/bob")
    _sign_out(page)

    password_step(page, "carol")
    wait_until(page, CONNECTED)
    page.goto("/teams/platform/")
    assert "auditor" in page.inner_text("main")
    _run_in_terminal(page, command, "The config profile (platform/readonly) could not be found")

    assert violations(page) == []
    assert page.console_errors == []
