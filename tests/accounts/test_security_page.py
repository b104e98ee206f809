"""The user's own page: how many recovery codes are left, new ones, and removing the
authenticator; each change asks for a current code, so an unattended session cannot be
used to take the second factor over."""

from __future__ import annotations

import pytest
from django.test import Client

from console.accounts import recovery
from console.accounts.models import SealedTOTPDevice
from tests.accounts.conftest import give_code, next_code, recovery_codes, sign_in, unthrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(enrolled_alice):
    alice, device, codes = enrolled_alice
    client = Client()
    sign_in(client, alice)
    give_code(client, codes[0])
    return client, alice, device, codes


def test_it_shows_how_many_recovery_codes_are_left(verified):
    client, _, _, codes = verified
    page = client.get("/accounts/security/").content.decode()
    assert "Recovery codes left: <strong>9</strong> of 10." in page
    assert "Make new ones before you run out" not in page
    for code in codes:
        assert code not in page


def test_it_warns_when_few_recovery_codes_are_left(verified):
    client, alice, _, codes = verified
    for code in codes[1:8]:
        assert recovery.use_code(alice, code) is not None
    assert "Make new ones before you run out" in client.get("/accounts/security/").content.decode()


def test_new_recovery_codes_need_a_current_code_and_void_the_old_ones(verified):
    client, alice, device, codes = verified
    refused = client.post(
        "/accounts/security/recovery-codes/",
        {"code": "123456" if next_code(device) != "123456" else "654321"},
    )
    assert refused.status_code == 200  # the page again, with the form's error
    assert "new recovery codes need a current code" in refused.content.decode()
    unthrottle(device)

    page = client.post("/accounts/security/recovery-codes/", {"code": next_code(device)})

    new = recovery_codes(page)
    assert len(new) == 10 and not set(new) & set(codes)
    assert "your earlier codes no longer work" in page.content.decode()
    assert recovery.use_code(alice, codes[5]) is None
    unthrottle(recovery.device_of(alice))  # a wrong recovery code makes the next wait too
    assert recovery.use_code(alice, new[5]) is not None


def test_removing_the_authenticator_needs_a_current_code(verified):
    client, alice, device, _ = verified
    refused = client.post("/accounts/security/remove/", {"code": ""})
    assert refused.status_code == 200  # the page again, with the form's error
    assert SealedTOTPDevice.objects.filter(user=alice).exists()

    response = client.post("/accounts/security/remove/", {"code": next_code(device)}, follow=True)

    assert "The authenticator app and its recovery codes are removed." in response.content.decode()
    assert "Two-step sign-in is <strong>off</strong>" in response.content.decode()
    assert not SealedTOTPDevice.objects.filter(user=alice).exists()
    assert recovery.remaining(alice) == 0
    client.post("/accounts/logout/")
    assert sign_in(client, alice)["Location"] == "/"  # the password alone again


def test_the_page_needs_a_signed_in_user():
    assert Client().get("/accounts/security/")["Location"].startswith("/accounts/login/")
    assert (
        Client().post("/accounts/security/remove/", {"code": "x"})["Location"].startswith("/accounts/login/")
    )


def test_sign_out_is_a_post(verified):
    client = verified[0]
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_the_header_link_is_there_for_a_signed_in_user(verified):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    client, alice, _, _ = verified
    request = RequestFactory().get("/")
    request.user = alice
    assert 'href="/accounts/security/"' in render_to_string(
        "accounts/header_link.html", {"user": alice, "request": request}
    )
    from django.contrib.auth.models import AnonymousUser

    assert (
        render_to_string("accounts/header_link.html", {"user": AnonymousUser(), "request": request}).strip()
        == ""
    )


def test_recovery_codes_survive_a_new_secret_key(verified, settings):
    _, alice, _, codes = verified
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert recovery.use_code(alice, codes[1]) is not None  # printed before the rotation
    settings.SECRET_KEY_FALLBACKS = []
    unthrottle(recovery.device_of(alice))
    assert recovery.use_code(alice, codes[2]) is None  # the old key gone: its digests are void
