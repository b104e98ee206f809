"""The cast: Alice owns runs and tokens, Charlie is an outsider. Requests go through a
client that enforces CSRF, so a test passes only if the API needs no CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.api.tokens import create_token


@pytest.fixture
def alice(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("alice", password="correct horse battery")


@pytest.fixture
def charlie(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("charlie", password="correct horse battery")


@pytest.fixture
def alice_token(alice: User) -> str:
    return create_token(alice, name="laptop")


@pytest.fixture
def charlie_token(charlie: User) -> str:
    return create_token(charlie)


@pytest.fixture
def api() -> Client:
    return Client(enforce_csrf_checks=True)


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
