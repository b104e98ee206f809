"""Signing in with an authenticator: the password, then a code from the app or one of the
recovery codes (each good once). Until then the session reaches only the code step."""

from __future__ import annotations

import pytest
from django.test import Client

from console.accounts import recovery
from tests.accounts.conftest import give_code, next_code, sign_in, totp, unthrottle

pytestmark = pytest.mark.django_db


def test_it_asks_for_a_code_after_the_password(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()

    response = sign_in(client, alice)
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/")["Location"].startswith("/accounts/login/code/")
    assert client.get("/profiles/config")["Location"].startswith("/accounts/login/code/")
    page = client.get("/accounts/login/code/").content.decode()
    assert "Signed in as <strong>alice</strong>" in page

    response = give_code(client, next_code(device))
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_keeps_where_the_user_was_going(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse battery staple", "next": "/accounts/security/"},
    )
    assert response["Location"] == "/accounts/login/code/?next=%2Faccounts%2Fsecurity%2F"
    response = client.post(
        "/accounts/login/code/", {"code": next_code(device), "next": "/accounts/security/"}
    )
    assert response["Location"] == "/accounts/security/"


def test_it_refuses_a_wrong_code_and_says_so(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    sign_in(client, alice)
    wrong = f"{(int(next_code(device)) + 1) % 1_000_000:06d}"

    page = give_code(client, wrong)

    assert page.status_code == 200
    assert "That code is not valid" in page.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/code/")


def test_it_makes_the_next_try_wait_after_a_wrong_code(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    sign_in(client, alice)
    give_code(client, "000000" if next_code(device) != "000000" else "111111")
    page = give_code(client, next_code(device)).content.decode()
    assert "Too many wrong codes in a row: wait 1 second, then try again." in page
    unthrottle(device)
    assert give_code(client, next_code(device))["Location"] == "/"


def test_a_code_is_good_only_once(enrolled_alice):
    alice, device, _ = enrolled_alice
    code = next_code(device)
    first = Client()
    sign_in(first, alice)
    assert give_code(first, code)["Location"] == "/"

    second = Client()
    sign_in(second, alice)
    assert "That code is not valid" in give_code(second, code).content.decode()


def test_it_signs_in_with_a_recovery_code_once_only(enrolled_alice):
    alice, _, codes = enrolled_alice
    client = Client()
    sign_in(client, alice)
    response = give_code(client, codes[3].upper().replace("-", " "))  # as typed from paper
    assert response["Location"] == "/"
    assert recovery.remaining(alice) == 9

    again = Client()
    sign_in(again, alice)
    assert "That code is not valid" in give_code(again, codes[3]).content.decode()
    assert again.get("/")["Location"].startswith("/accounts/login/code/")


def test_a_code_from_another_users_app_does_not_sign_in(enrolled_alice, bob):
    from tests.accounts.conftest import enrol

    alice, _, _ = enrolled_alice
    bob_device, bob_codes = enrol(bob)
    client = Client()
    sign_in(client, alice)
    assert "not valid" in give_code(client, totp(bob_device.key())).content.decode()
    unthrottle(alice.sealedtotpdevice_set.get())
    assert "not valid" in give_code(client, bob_codes[0]).content.decode()


def test_the_code_step_needs_the_password_first():
    response = Client().get("/accounts/login/code/")
    assert response["Location"] == "/accounts/login/"


def test_a_user_without_an_authenticator_signs_in_with_the_password_alone(alice):
    client = Client()
    assert sign_in(client, alice)["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/login/code/")["Location"] == "/"
