"""Two-step sign-in in a real Chromium under the console's real CSP: a user sets up an
authenticator app on the page (the code computed from the key the page shows, as the app
would), signs out, signs in with password and code, and reaches the terminal; a wrong
code is refused, and a timed-out session sends the user back with the reason."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest

from console.accounts import sessionclock
from tests.accounts.conftest import totp
from tests.conftest import PASSWORD
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
CONNECTED = "() => document.body.dataset.connected === 'true'"


def password_step(page, username="alice"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def enrol_on_the_page(page) -> str:
    page.goto("/accounts/security/")
    assert "Two-step sign-in is off" in page.inner_text("#totp-state")
    page.click("text=Set up an authenticator app")
    page.wait_for_url("**/accounts/security/enrol/")
    assert page.locator("figure.qr svg").bounding_box()["width"] > 150  # the QR code is drawn
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#id_code", totp(secret))
    page.click("text=Turn on two-step sign-in")
    page.wait_for_selector("#recovery-codes")
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.click("text=I have saved them: continue")
    wait_until(page, CONNECTED)
    return secret


def test_a_user_enrols_signs_out_and_signs_in_with_password_and_code(strict_page, alice):
    page = strict_page
    page.add_init_script(WATCH_CSP)
    password_step(page)
    wait_until(page, CONNECTED)  # no second factor yet: straight into the terminal
    secret = enrol_on_the_page(page)

    page.click("#logout-form button")
    page.wait_for_url("**/accounts/login/**")
    password_step(page)
    page.wait_for_url("**/accounts/login/code/**")
    assert "Signed in as alice" in page.inner_text("main")
    page.fill("#id_code", "000000" if totp(secret) != "000000" else "111111")
    page.click("text=Verify")
    assert "That code is not valid" in page.inner_text("main")
    page.wait_for_timeout(1100)  # django-otp makes the try after a wrong code wait a second
    page.fill("#id_code", totp(secret, time.time() + 30))  # the enrolment used this step's code
    page.click("text=Verify")
    wait_until(page, CONNECTED)
    assert urlparse(page.url).path == "/"  # the terminal

    page.goto("/accounts/security/")
    assert "Two-step sign-in is on" in page.inner_text("#totp-state")
    assert "Recovery codes left: 10 of 10." in page.inner_text("#recovery-left")
    assert page.evaluate("window.__cspViolations") == []
    assert page.console_errors == []


def test_a_command_after_the_idle_timeout_goes_back_to_sign_in_with_the_reason(strict_page, alice):
    from django.contrib.sessions.models import Session

    page = strict_page
    password_step(page)
    wait_until(page, CONNECTED)
    for row in Session.objects.all():
        data = row.get_decoded()
        data[sessionclock.SEEN] -= 31 * 60
        row.session_data = Session.objects.encode(data)
        row.save()

    page.keyboard.type("aws sts get-caller-identity")
    page.keyboard.press("Enter")

    page.wait_for_url("**/accounts/login/?reason=idle&next=%2F")
    assert "You were signed out after 30 minutes without activity." in page.inner_text("#signed-out-notice")
    assert page.console_errors == []
