"""Setting up an authenticator app: a QR code and the key to type, a first code to turn it
on, then ten recovery codes shown once. No second-factor secret is stored in plain text."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from console.accounts.models import SealedTOTPDevice
from tests.accounts.conftest import give_code, next_code, recovery_codes, sign_in, totp

pytestmark = pytest.mark.django_db


def shown_secret(response) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', response.content.decode()).group(1).replace(" ", "")


@pytest.fixture
def client_of_alice(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_it_shows_a_qr_code_and_the_key_and_turns_on_with_a_first_code(client_of_alice, alice):
    page = client_of_alice.get("/accounts/security/enrol/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert '<svg viewBox="' in html and 'class="qr-code"' in html
    secret = shown_secret(page)
    assert len(secret) == 32  # 20 random bytes

    codes_page = client_of_alice.post("/accounts/security/enrol/", {"code": totp(secret)})

    assert codes_page.status_code == 200
    assert "no-store" in codes_page["Cache-Control"]
    codes = recovery_codes(codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "They are not shown again" in codes_page.content.decode()
    device = SealedTOTPDevice.objects.get(user=alice)
    assert device.confirmed
    security = client_of_alice.get("/accounts/security/").content.decode()
    assert "Two-step sign-in is <strong>on</strong>" in security
    assert "Recovery codes left: <strong>10</strong>" in security


def test_it_refuses_a_wrong_first_code_and_keeps_the_same_key(client_of_alice, alice):
    secret = shown_secret(client_of_alice.get("/accounts/security/enrol/"))
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"

    page = client_of_alice.post("/accounts/security/enrol/", {"code": wrong})

    assert "That code is not valid" in page.content.decode()
    assert shown_secret(page) == secret  # the app already scanned it: the key stays
    assert not SealedTOTPDevice.objects.get(user=alice).confirmed
    assert shown_secret(client_of_alice.get("/accounts/security/enrol/")) == secret


def test_it_says_what_a_first_code_looks_like(client_of_alice):
    client_of_alice.get("/accounts/security/enrol/")
    page = client_of_alice.post("/accounts/security/enrol/", {"code": "12ab"})
    assert "Enter the 6-digit code the app shows now." in page.content.decode()


def test_the_qr_code_carries_the_shown_key_for_this_user(client_of_alice, alice):
    secret = shown_secret(client_of_alice.get("/accounts/security/enrol/"))
    uri = urlparse(SealedTOTPDevice.objects.get(user=alice).config_url())
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/AWS Console Terminal:alice"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret]
    assert (query["digits"], query["period"], query["algorithm"]) == (["6"], ["30"], ["SHA1"])


def test_it_keeps_no_second_factor_secret_in_plain_text(client_of_alice, alice):
    secret = shown_secret(client_of_alice.get("/accounts/security/enrol/"))
    codes = recovery_codes(client_of_alice.post("/accounts/security/enrol/", {"code": totp(secret)}))

    device = SealedTOTPDevice.objects.get(user=alice)
    key_hex = device.key().hex()
    stored = " ".join(str(v) for v in SealedTOTPDevice.objects.values_list().get())
    stored += " ".join(StaticToken.objects.values_list("token", flat=True))
    for plain in [secret, key_hex, *codes, *(c.replace("-", "") for c in codes)]:
        assert plain not in stored
        assert plain.lower() not in stored.lower()
    assert device.sealed_key.startswith("v1:")


def test_enrolment_needs_a_signed_in_user():
    response = Client().get("/accounts/security/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_with_an_authenticator_removes_it_before_setting_up_another(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    sign_in(client, alice)
    give_code(client, next_code(device))

    response = client.get("/accounts/security/enrol/", follow=True)

    assert response.redirect_chain == [("/accounts/security/", 302)]
    assert "You already have an authenticator app. Remove it first" in response.content.decode()
