"""The portal as a team lead uses it, in a real Chromium under the console's real CSP
(`strict_page`), against the real server, worker and sandbox: create a team, a profile
with keys and one that assumes a role from them, grant it, test it, open a terminal with
it; and every portal page without a CSP violation, a console error or a secret."""

from __future__ import annotations

import pytest

from console.teams import services
from console.teams.models import Role
from credentials.models import ConfigSection
from tests.conftest import PASSWORD
from tests.e2e.conftest import PROMPTS, TERMINAL_TEXT, wait_until
from tests.e2e.test_browser_hardening import WATCH_CSP, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username):
    page.goto("/accounts/login/?next=/teams/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/teams/")


def _submit(page, label):
    with page.expect_navigation():
        page.click(f"button:has-text('{label}')")


def test_a_team_lead_sets_up_a_profile_tests_it_and_opens_a_terminal_with_it(
    strict_page, alice, bob, sandbox
):
    page = strict_page
    page.add_init_script(WATCH_CSP)
    _sign_in(page, "alice")

    page.fill("#id_slug", "platform")
    page.fill("#id_name", "Platform")
    _submit(page, "Create team")
    assert page.url.endswith("/teams/platform/")
    page.fill("#member_username", "bob")
    _submit(page, "Add member")
    assert "bob added to platform as member." in page.inner_text(".messages")

    page.click("text=New profile")
    page.fill("#id_name", "keys")
    page.fill("#id_region", sandbox.seed.region)
    page.fill("#id_aws_access_key_id", sandbox.seed.access_key_id)
    page.fill("#id_aws_secret_access_key", sandbox.seed.secret_access_key)
    page.fill("#id_other", f"endpoint_url = {sandbox.url}")
    _submit(page, "Save")
    assert sandbox.seed.secret_access_key not in page.content()
    assert "*" * 16 + sandbox.seed.access_key_id[-4:] in page.content()

    page.goto("/teams/platform/profiles/paste")
    page.fill(
        "#id_text",
        f"[profile readonly]\nrole_arn = {sandbox.seed.readonly_role_arn}\nsource_profile = keys\n"
        f"region = {sandbox.seed.region}\nendpoint_url = {sandbox.url}\n",
    )
    _submit(page, "Save")
    assert page.inner_text("h1") == "platform/readonly"

    _submit(page, "Run the test")
    output = page.inner_text("pre.output")
    assert "assumed-role/ConsoleReadOnly/alice" in output
    assert "succeeded" in page.inner_text(".status-line")

    page.goto("/teams/platform/")
    page.select_option("#grant_profile", label="platform/readonly")
    page.select_option("#grant_grantee", label="bob")
    _submit(page, "Grant")
    assert "bob may use platform/readonly." in page.inner_text(".messages")

    page.goto(
        f"/teams/platform/profiles/{ConfigSection.objects.get(team__slug='platform', name='readonly').pk}/"
    )
    page.click("text=Open a terminal with this profile")
    page.wait_for_url("**/")
    assert page.evaluate("location.search") == ""  # the profile left the address at once
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('export AWS_PROFILE=platform/readonly')")
    # The export ran at the first prompt; the second waits for the next command.
    wait_until(page, f"() => document.body.dataset.running === 'false' && ({PROMPTS})() >= 2")
    page.keyboard.type("aws sts get-caller-identity")
    page.keyboard.press("Enter")
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('assumed-role/ConsoleReadOnly/alice')", timeout=30)

    assert violations(page) == []
    assert page.console_errors == []


def test_a_profile_named_in_the_address_that_is_no_name_is_not_exported(strict_page, alice):
    page = strict_page
    _sign_in(page, "alice")
    page.goto("/?profile=x%3Becho%20hi")
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('is not a profile name; nothing was exported')")
    assert "export AWS_PROFILE" not in page.evaluate(f"({TERMINAL_TEXT})()")
    assert page.console_errors == []


def test_every_portal_page_draws_under_the_csp_without_errors_or_secrets(strict_page, alice, bob):
    team = services.create_team(alice, "platform", "Platform")
    services.add_member(alice, team, "bob", Role.MEMBER)
    keys = services.save_team_profile(
        alice,
        team,
        "keys",
        {"aws_access_key_id": "AKIAEXAMPLEPAGES0001", "aws_secret_access_key": "page-canary-secret"},
    )
    services.grant(alice, keys, user=bob)
    page = strict_page
    page.add_init_script(WATCH_CSP)
    _sign_in(page, "alice")
    urls = [
        "/teams/",
        "/teams/platform/",
        f"/teams/platform/profiles/{keys.pk}/",
        f"/teams/platform/profiles/{keys.pk}/edit",
        f"/teams/platform/profiles/{keys.pk}/delete",
        "/teams/platform/profiles/new",
        "/teams/platform/profiles/new?kind=sso-session",
        "/teams/platform/profiles/paste",
        "/teams/platform/delete",
        "/profiles/",
        "/profiles/new",
        "/profiles/import",
        "/profiles/export",
    ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        html = page.content()
        assert "page-canary-secret" not in html and "AKIAEXAMPLEPAGES0001" not in html, url
        assert page.locator("header.topbar nav a").count() >= 3, url
    assert violations(page) == []
    assert page.console_errors == []
