"""The approval round trip between two signed-in people, each in their own real Chromium
context under the console's real CSP, against the real server, worker and sandbox with IAM
enforced: on the "production" profile alice types a write and sees it wait; bob (an admin
of the team) gets the notice in his terminal and the badge in the header, opens
/approvals/, approves with a reason; alice's terminal then shows the command's output."""

from __future__ import annotations

import uuid

import pytest

from console.demo import install_team_demo
from console.teams import services
from console.teams.models import Membership, Role
from credentials.models import ConfigSection
from tests.conftest import PASSWORD
from tests.e2e.conftest import TERMINAL_TEXT, _open_page, wait_until
from tests.e2e.test_browser_hardening import WATCH_CSP, violations
from tests.e2e.test_signin_in_browser import CONNECTED, password_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE = "() => document.body.dataset.running === 'false'"


def _shows(text):
    """The terminal shows `text`, whitespace aside (a long line wraps in the terminal)."""
    needle = "".join(text.split())
    return f"() => ({TERMINAL_TEXT})().replace(/\\s/g, '').includes({needle!r})"


@pytest.fixture
def second_page(browser, stack):
    yield from _open_page(browser, stack, bypass_csp=False)


def _production(alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    section = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.set_team_policy(alice, section, "production", production=True)
    Membership.objects.filter(team=section.team, user__username="bob").update(role=Role.ADMIN)
    bob = Membership.objects.get(team=section.team, user__username="bob").user
    bob.set_password(PASSWORD)
    bob.save()


def test_alice_waits_bob_approves_in_the_portal_and_alices_terminal_shows_the_output(
    strict_page, second_page, alice, sandbox
):
    _production(alice, sandbox)
    pages = {"alice": strict_page, "bob": second_page}
    for name, page in pages.items():
        page.add_init_script(WATCH_CSP)
        password_step(page, name)
        wait_until(page, CONNECTED)
        wait_until(page, IDLE)
    a, b = pages["alice"], pages["bob"]

    bucket = f"approve-{uuid.uuid4().hex[:10]}"
    a.keyboard.type(f"aws s3api create-bucket --bucket {bucket} --profile platform/admin")
    a.keyboard.press("Enter")
    wait_until(a, _shows("Ctrl-C withdraws the request"), timeout=30)
    assert a.evaluate(_shows("who may approve: bob;"))
    wait_until(b, _shows("approval: alice asks to run"), timeout=15)

    b.goto("/approvals/")
    assert b.inner_text("#approvals-badge") == "1"
    assert f"aws s3api create-bucket --bucket {bucket} --profile platform/admin" in b.inner_text("#approvals")
    with b.expect_navigation():
        b.click("#approvals >> text=Decide")
    b.fill("#id_reason", "change 42")
    with b.expect_navigation():
        b.click("#approve")
    assert "Approved" in b.inner_text(".messages")
    assert b.locator("#approvals-badge").count() == 0

    wait_until(a, _shows(f'"Location": "/{bucket}"'), timeout=30)
    wait_until(a, IDLE)
    assert a.evaluate(_shows("guardrail: approved by bob; running it now."))
    for page in pages.values():
        assert violations(page) == []
        assert page.console_errors == []
