from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from console.api.models import ApiToken
from console.api.tokens import create_token, revoke_token, user_for_token

pytestmark = pytest.mark.django_db


def test_it_returns_the_token_once_and_stores_only_its_hash(alice: User) -> None:
    raw = create_token(alice, name="laptop")

    assert re.fullmatch(r"awsc_[A-Za-z0-9_-]{40}", raw)
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    assert token.name == "laptop"
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(raw[8:] in value for value in stored)
    assert raw[8:] not in repr(token) and raw[8:] not in str(token)


def test_it_makes_a_different_token_each_time(alice: User) -> None:
    assert create_token(alice) != create_token(alice)


def test_it_finds_the_user_for_a_token(alice: User, alice_token: str) -> None:
    assert user_for_token(alice_token) == alice


@pytest.mark.parametrize(
    "raw",
    ["", "awsc_", "garbage", "awsc_" + "A" * 40, "x" * 45, "awsc_" + "A" * 400, None, b"awsc_"],
)
def test_it_finds_nobody_for_garbage(alice_token: str, raw: object) -> None:
    assert user_for_token(raw) is None  # type: ignore[arg-type]


def test_it_finds_nobody_for_a_near_miss(alice_token: str) -> None:
    near = alice_token[:-1] + ("A" if alice_token[-1] != "A" else "B")
    assert user_for_token(near) is None
    assert user_for_token(alice_token.upper()) is None


def test_it_rejects_a_revoked_token(alice: User, alice_token: str) -> None:
    token = ApiToken.objects.get(user=alice)

    assert revoke_token(alice, token.pk) is True

    assert user_for_token(alice_token) is None
    assert revoke_token(alice, token.pk) is False


def test_it_rejects_an_inactive_users_token(alice: User, alice_token: str) -> None:
    alice.is_active = False
    alice.save()

    assert user_for_token(alice_token) is None


def test_it_does_not_let_charlie_revoke_alices_token(alice: User, charlie: User, alice_token: str) -> None:
    token = ApiToken.objects.get(user=alice)

    assert revoke_token(charlie, token.pk) is False

    assert user_for_token(alice_token) == alice


def test_it_records_use_at_most_once_a_minute(alice: User, alice_token: str) -> None:
    user_for_token(alice_token)
    first = ApiToken.objects.get().last_used_at
    assert first is not None

    user_for_token(alice_token)
    assert ApiToken.objects.get().last_used_at == first

    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=two_minutes_ago)
    user_for_token(alice_token)
    assert ApiToken.objects.get().last_used_at > two_minutes_ago
