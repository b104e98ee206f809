"""CONSOLE_REQUIRE_2FA: a user who must have a second factor and has none is sent to
enrolment after the password and reaches nothing else: no page, no admin, no terminal,
no API by session. Bearer tokens are credentials of their own and keep working. In the
local default nothing is required, so the demo opens straight into the terminal."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from console.accounts.services import remove_second_factor
from console.api.tokens import create_token
from tests.accounts.conftest import enrol, give_code, next_code, open_terminal_of, require_2fa, sign_in, totp
from tests.wsclient import open_terminal, receive

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": 4401}
ENROL = "/accounts/security/enrol/"


@pytest.fixture(autouse=True)
def require_everyone(settings):
    require_2fa(settings, "all")


def test_it_sends_a_user_without_a_second_factor_to_enrolment_and_nowhere_else(alice):
    client = Client()
    assert sign_in(client, alice)["Location"] == ENROL
    for path in ("/", "/profiles/config", "/accounts/security/", "/admin/", "/accounts/login/code/"):
        assert client.get(path)["Location"].startswith(ENROL), path
    page = client.get(ENROL).content.decode()
    assert "Your account must have a second factor before it can open a terminal." in page
    assert "&larr; Terminal" not in page  # nowhere to go back to yet


async def test_it_refuses_the_terminal_until_enrolled(alice):
    comm, connected, _ = await open_terminal(alice)
    assert connected
    frame = await receive(comm)
    assert frame["code"] == "second_factor_required"
    assert "finish signing in first" in frame["message"]
    assert await comm.receive_output(timeout=5) == CLOSED
    await comm.disconnect()


def test_it_refuses_the_api_by_session(alice):
    client = Client()
    sign_in(client, alice)
    response = client.get(f"/api/v1/runs/{uuid.uuid4()}")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


async def test_a_bearer_token_is_a_credential_of_its_own(alice):
    token = await database_sync_to_async(create_token)(alice)
    response = await database_sync_to_async(
        lambda: Client().get(f"/api/v1/runs/{uuid.uuid4()}", HTTP_AUTHORIZATION=f"Bearer {token}")
    )()
    assert response.status_code == 404  # authenticated: the run just does not exist
    comm, connected, _ = await open_terminal(None, token=token)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    await comm.disconnect()


async def test_enrolment_opens_the_console(alice):
    client = Client()
    await database_sync_to_async(sign_in)(client, alice)
    page = await database_sync_to_async(client.get)(ENROL)
    secret = page.content.decode().split('id="totp-secret">')[1].split("<")[0]
    codes_page = await database_sync_to_async(client.post)(ENROL, {"code": totp(secret), "next": "/"})
    assert codes_page.status_code == 200
    assert 'href="/"' in codes_page.content.decode()
    assert (await database_sync_to_async(client.get)("/")).status_code == 200
    comm, connected = await open_terminal_of(client)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    await comm.disconnect()


async def test_removing_the_second_factor_closes_the_terminal_and_asks_for_a_new_one(alice):
    device, _ = await database_sync_to_async(enrol)(alice)
    client = Client()
    await database_sync_to_async(sign_in)(client, alice)
    await database_sync_to_async(give_code)(client, await database_sync_to_async(next_code)(device))
    comm, connected = await open_terminal_of(client)
    assert (await receive(comm))["type"] == "hello"

    await database_sync_to_async(remove_second_factor)(alice, alice)

    frame = await receive(comm)
    assert frame["code"] == "second_factor_required"
    assert await comm.receive_output(timeout=5) == CLOSED
    await comm.disconnect()
    assert (await database_sync_to_async(client.get)("/"))["Location"].startswith(ENROL)


def test_a_user_with_an_authenticator_gives_a_code_first(alice):
    device, _ = enrol(alice)
    client = Client()
    assert sign_in(client, alice)["Location"] == "/accounts/login/code/"
    assert client.get(ENROL)["Location"].startswith("/accounts/login/code/")
    assert give_code(client, next_code(device))["Location"] == "/"


def test_nothing_is_required_in_the_local_default(alice, settings):
    require_2fa(settings, "off")
    client = Client()
    assert sign_in(client, alice)["Location"] == "/"
    assert client.get("/").status_code == 200
    security = client.get("/accounts/security/").content.decode()
    assert "Two-step sign-in is <strong>off</strong>." in security
    assert 'href="/accounts/security/enrol/"' in security


def test_the_default_is_off_locally_and_admins_in_production(tmp_path):
    import subprocess
    import sys

    from tests.credentials.test_keys import ROOT

    # The settings module alone (fast); both names of the rule.
    script = "import console.settings as s; print(s.CONSOLE_REQUIRE_2FA, s.CONSOLE_REQUIRE_SECOND_FACTOR)"
    base = {"DJANGO_SETTINGS_MODULE": "console.settings", "PATH": "/usr/bin:/bin"}
    prod = {
        **base,
        "CONSOLE_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "console.example.com",
        "CONSOLE_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
    }

    def setting(env):
        return (
            subprocess.run(
                [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )

    assert setting({**base, "CONSOLE_ENV": "local", "CONSOLE_LOCAL_DIR": str(tmp_path)}) == "off off"
    assert setting(prod) == "admins managers"
    assert setting({**prod, "CONSOLE_REQUIRE_2FA": "all"}) == "all everyone"
    refused = subprocess.run(
        [sys.executable, "-c", script],
        env={**prod, "CONSOLE_REQUIRE_2FA": "sometimes"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "CONSOLE_REQUIRE_2FA must be one of off, admins, all, not 'sometimes'" in refused.stderr
