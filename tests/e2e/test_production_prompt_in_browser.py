"""A production profile in the browser terminal, under the real CSP: once the terminal's
default profile is one tagged production, the prompt names it with a `[production]` tag
and the header shows a badge; unsetting it takes both away, and a reload keeps them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from console.demo import install_team_demo
from console.teams import services
from credentials.models import ConfigSection
from tests.conftest import PASSWORD
from tests.e2e.conftest import TERMINAL_TEXT, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BADGE = (
    "() => { const b = document.getElementById('production-badge'); return b && !b.hidden && b.textContent; }"
)
IDLE_PROMPT = f"""() => document.body.dataset.running === 'false' && ({TERMINAL_TEXT})().trimEnd()
  .split("\\n").pop()"""


def _sign_in(page):
    page.goto("/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    wait_until(page, "() => document.body.dataset.connected === 'true'")


def _run(page, line, prompt_part):
    page.keyboard.type(line)
    page.keyboard.press("Enter")
    return wait_until(
        page, f"(part) => {{ const p = ({IDLE_PROMPT})(); return p && p.includes(part) && p; }}", prompt_part
    )


def test_the_prompt_and_the_header_show_a_production_profile(strict_page, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    admin = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.set_team_policy(
        get_user_model().objects.get(username="alice"), admin, "production", production=True
    )
    page = strict_page
    _sign_in(page)
    assert page.evaluate(BADGE) is False

    prompt = _run(page, "export AWS_PROFILE=platform/admin", "[production]")
    assert prompt.startswith("aws-console (platform/admin) [production] $")
    assert wait_until(page, BADGE) == "production: platform/admin"

    page.reload()
    wait_until(page, "() => document.body.dataset.connected === 'true'")
    assert wait_until(page, BADGE) == "production: platform/admin"
    assert wait_until(page, f"() => ({IDLE_PROMPT})().includes('[production]')")

    prompt = _run(page, "unset AWS_PROFILE", "aws-console $")
    assert "[production]" not in prompt
    assert page.evaluate(BADGE) is False
    assert page.console_errors == []
