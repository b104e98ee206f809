"""The cast comes from tests/conftest.py: Alice owns runs and tokens, Charlie is an outsider.
Requests go through a client that enforces CSRF, so a test passes only if the API needs no
CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.api.tokens import create_token
from tests.teams.conftest import carol, dana, profiles, team  # noqa: F401 (the team cast, for the teams API)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The shared cast has passwords; the default hasher would make these tests 15x slower.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice_token(alice: Any) -> str:
    return create_token(alice, name="laptop")


@pytest.fixture
def charlie_token(charlie: Any) -> str:
    return create_token(charlie)


@pytest.fixture
def api() -> Client:
    return Client(enforce_csrf_checks=True)


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
