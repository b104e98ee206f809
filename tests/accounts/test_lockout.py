"""django-axes: failed sign-ins, wrong passwords and wrong codes alike, lock that username
from that address for the cool-off, with a message that says for how long and who can
lift it; an administrator unlocks (manage.py or the Django admin)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import give_code, next_code, sign_in, unthrottle
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MESSAGE = "Too many failed sign-ins; try again in 15 minutes or ask an administrator to unlock your account."


def fail(client: Client, user, times: int, **extra):
    response = None
    for _ in range(times):
        response = sign_in(client, user, password="wrong", **extra)
    return response


def test_it_locks_out_after_the_failure_limit_and_says_for_how_long(alice):
    client = Client()
    fourth = fail(client, alice, 4)
    assert fourth.status_code == 200
    assert "didn't match" in fourth.content.decode()

    fifth = fail(client, alice, 1)
    assert fifth.status_code == 429
    assert MESSAGE in fifth.content.decode()

    right = sign_in(client, alice)
    assert right.status_code == 429
    assert MESSAGE in right.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_the_time_shown_is_what_is_left_of_the_cool_off(alice):
    client = Client()
    fail(client, alice, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10, seconds=30))
    assert "try again in 5 minutes" in sign_in(client, alice).content.decode()
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert sign_in(client, alice)["Location"] == "/"  # the cool-off is over


def test_the_settings_name_the_limit_and_the_cool_off(alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    response = fail(Client(), alice, 2)
    assert response.status_code == 429
    assert "try again in 1 minute or ask" in response.content.decode()


def test_it_locks_only_that_username_from_that_address(alice, bob):
    fail(Client(), alice, 5)
    assert sign_in(Client(), alice, REMOTE_ADDR="198.51.100.23")["Location"] == "/"
    assert sign_in(Client(), bob)["Location"] == "/"
    assert sign_in(Client(), alice).status_code == 429


def test_wrong_codes_count_as_failed_sign_ins(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    assert sign_in(client, alice)["Location"] == "/accounts/login/code/"
    wrong = "000000" if next_code(device) != "000000" else "111111"
    for _ in range(4):
        assert "not valid" in give_code(client, wrong).content.decode()
        unthrottle(device)

    locked = give_code(client, wrong)

    assert locked.status_code == 429
    assert MESSAGE in locked.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")  # the half sign-in is over
    unthrottle(device)
    again = Client()
    assert sign_in(again, alice).status_code == 429


def test_a_right_password_does_not_forgive_failures_only_a_whole_sign_in_does(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    fail(client, alice, 4)
    sign_in(client, alice)  # the password is right, but the code was never given
    client.post("/accounts/logout/")
    assert fail(client, alice, 1).status_code == 429

    call_command("axes_reset_username", "alice")
    fail(client, alice, 4)
    sign_in(client, alice)
    give_code(client, next_code(device))
    client.post("/accounts/logout/")
    assert fail(client, alice, 4).status_code == 200  # counted afresh after the sign-in


def test_an_administrator_unlocks_with_manage_py(alice):
    fail(Client(), alice, 5)
    call_command("axes_reset_username", "alice")
    assert sign_in(Client(), alice)["Location"] == "/"


def test_an_administrator_unlocks_in_the_django_admin(alice):
    fail(Client(), alice, 5)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    staff = Client()
    staff.force_login(admin)
    attempt = AccessAttempt.objects.get(username="alice")
    listing = staff.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()

    staff.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(), alice)["Location"] == "/"


def test_it_stores_no_password_or_code_of_a_failed_attempt(enrolled_alice):
    alice, device, _ = enrolled_alice
    client = Client()
    sign_in(client, alice, password="hunter2-secret")
    sign_in(client, alice)
    give_code(client, "999999" if next_code(device) != "999999" else "888888")
    stored = " ".join(str(v) for row in AccessAttempt.objects.values_list() for v in row)
    assert "hunter2-secret" not in stored
    assert "999999" not in stored and "888888" not in stored
