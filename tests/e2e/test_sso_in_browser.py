"""IAM Identity Center sign-in as a person does it: `aws sso login` in the terminal, the
verification link opened in a new tab, sign in to the sandbox Identity Center and approve,
then commands with the SSO profile (issue 5)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import TERMINAL_TEXT
from tests.e2e.test_terminal_in_browser import run_and_wait, sign_in, terminal_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory_password(sandbox):
    from sandbox.identitycenter.seed import configure_identity_center

    configure_identity_center(sandbox.url, secret=sandbox.secret, users={"demo": PASSWORD})
    return PASSWORD


def test_it_signs_in_with_identity_center_through_the_verification_page(
    page, alice_profiles, directory_password
):
    sign_in(page)
    page.keyboard.type("aws sso login --profile sandbox-sso")
    page.keyboard.press("Enter")
    page.wait_for_function(f"({TERMINAL_TEXT})().includes('user_code=')")
    link = re.search(r"(http://\S+/device\?user_code=[A-Z-]+)", terminal_text(page)).group(1)
    code = link.rsplit("=", 1)[1]

    approval = page.context.new_page()
    approval.goto(link)
    assert approval.input_value("#user_code") == code
    approval.fill("#username", "demo")
    approval.fill("#password", directory_password)
    approval.click("#sign-in")
    assert approval.inner_text("#code") == code
    approval.click("#approve")
    approval.wait_for_selector("#result")
    approval.close()

    page.wait_for_function(f"({TERMINAL_TEXT})().includes('Successfully logged into Start URL')")
    page.wait_for_function("document.body.dataset.running === 'false'")
    run_and_wait(
        page, "aws sts get-caller-identity --profile sandbox-sso", "AWSReservedSSO_AdministratorAccess_"
    )
    run_and_wait(page, "aws sso logout", "")
    run_and_wait(
        page, "aws sts get-caller-identity --profile sandbox-sso", "Token for sandbox does not exist"
    )
    assert page.console_errors == []


def test_it_refuses_a_wrong_directory_password(page, sandbox, directory_password):
    import botocore.session

    oidc = botocore.session.get_session().create_client(
        "sso-oidc", region_name="us-east-1", endpoint_url=sandbox.url
    )
    client = oidc.register_client(clientName="e2e", clientType="public")
    started = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=f"{sandbox.url}/start"
    )
    page.goto(started["verificationUriComplete"])
    page.fill("#username", "demo")
    page.fill("#password", "not the password")
    page.click("#sign-in")
    assert "Incorrect username or password" in page.inner_text("body")
