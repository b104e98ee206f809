"""The verification page: sign in as a directory user, see the code, approve or deny.

Driven as a browser would (a cookie jar and the forms' own fields), with
botocore's sso-oidc client on the other side of the device flow.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from sandbox.seed import enforce_auth, seed_demo
from sandbox.server import SandboxProcess

PASSWORD = "correct horse battery staple"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with SandboxProcess() as process:
        seed_demo(process.url, secret=process.control_secret, sso_password=PASSWORD)
        enforce_auth(process.url, secret=process.control_secret)
        yield process.url


@pytest.fixture(scope="module")
def oidc(url: str) -> Any:
    return botocore.session.get_session().create_client("sso-oidc", region_name="us-east-1", endpoint_url=url)


class Browser:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture
def flow(oidc: Any, url: str) -> dict[str, Any]:
    client = oidc.register_client(clientName="page-test", clientType="public")
    authorization = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=f"{url}/start"
    )
    return {"client": client, "authorization": authorization}


def poll(oidc: Any, flow: dict[str, Any]) -> Any:
    return oidc.create_token(
        clientId=flow["client"]["clientId"],
        clientSecret=flow["client"]["clientSecret"],
        grantType=DEVICE_GRANT,
        deviceCode=flow["authorization"]["deviceCode"],
    )


def test_it_prefills_the_code_from_the_complete_uri(flow: dict[str, Any]) -> None:
    authorization = flow["authorization"]
    status, page = Browser().open(authorization["verificationUriComplete"])
    assert status == 200
    assert f"value='{authorization['userCode']}'" in page
    assert "name='username'" in page and "name='password'" in page


def test_it_shows_the_code_after_sign_in_and_approves(oidc: Any, url: str, flow: dict[str, Any]) -> None:
    browser = Browser()
    code = flow["authorization"]["userCode"]
    status, page = browser.open(
        f"{url}/device/signin", {"user_code": code, "username": "demo", "password": PASSWORD}
    )
    assert status == 200
    assert re.search(rf"id='code'>{code}<", page)
    assert "value='approve'" in page and "value='deny'" in page
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, flow)
    status, page = browser.open(f"{url}/device/confirm", {"user_code": code, "action": "approve"})
    assert status == 200 and "Request approved" in page
    assert poll(oidc, flow)["accessToken"]


def test_it_denies_from_the_page(oidc: Any, url: str, flow: dict[str, Any]) -> None:
    browser = Browser()
    code = flow["authorization"]["userCode"]
    browser.open(f"{url}/device/signin", {"user_code": code, "username": "demo", "password": PASSWORD})
    status, page = browser.open(f"{url}/device/confirm", {"user_code": code, "action": "deny"})
    assert status == 200 and "Request denied" in page
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        poll(oidc, flow)


def test_it_refuses_a_wrong_password(oidc: Any, url: str, flow: dict[str, Any]) -> None:
    code = flow["authorization"]["userCode"]
    form = {"user_code": code, "username": "demo", "password": "wrong"}
    status, page = Browser().open(f"{url}/device/signin", form)
    assert status == 401 and "Incorrect username or password" in page
    status, _ = Browser().open(f"{url}/device/confirm", {**form, "action": "approve"})
    assert status == 401
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, flow)


def test_it_refuses_an_unknown_user(url: str, flow: dict[str, Any]) -> None:
    form = {"user_code": flow["authorization"]["userCode"], "username": "mallory", "password": PASSWORD}
    assert Browser().open(f"{url}/device/signin", form)[0] == 401


def test_it_refuses_to_approve_without_signing_in(oidc: Any, url: str, flow: dict[str, Any]) -> None:
    form = {"user_code": flow["authorization"]["userCode"], "action": "approve"}
    status, page = Browser().open(f"{url}/device/confirm", form)
    assert status == 401 and "Sign in first" in page
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, flow)


def test_it_rejects_an_unknown_code(url: str) -> None:
    form = {"user_code": "BCDF-GHJK", "username": "demo", "password": PASSWORD}
    status, page = Browser().open(f"{url}/device/signin", form)
    assert status == 400 and "invalid or has expired" in page


def test_it_binds_the_sign_in_to_its_code(oidc: Any, url: str, flow: dict[str, Any]) -> None:
    other = oidc.start_device_authorization(
        clientId=flow["client"]["clientId"],
        clientSecret=flow["client"]["clientSecret"],
        startUrl=f"{url}/start",
    )
    browser = Browser()
    form = {"user_code": flow["authorization"]["userCode"], "username": "demo", "password": PASSWORD}
    browser.open(f"{url}/device/signin", form)
    status, _ = browser.open(f"{url}/device/confirm", {"user_code": other["userCode"], "action": "approve"})
    assert status == 401


def test_it_serves_the_portal_start_page(url: str) -> None:
    status, page = Browser().open(f"{url}/start")
    assert status == 200 and "href='/device'" in page
