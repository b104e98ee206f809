"""The team cast of tests/teams (Alice owns `platform`, Dana is its admin, Bob a member,
Carol its auditor, Charlie an outsider; `profiles` has `keys`, `readonly` and one of
Charlie's own), signed-in clients for each, and the canary secrets no page may carry."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.teams.conftest import Profiles, carol, dana, profiles, team  # noqa: F401 (fixtures)

# The secrets the cast's profiles hold (tests/teams/conftest.py), and parts of them.
CANARIES = ("AKIAEXAMPLEKEYS00001", "s3cr3t-canary", "EXAMPLEKEYS0000")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_no_secret(response: Any, *secrets: str) -> None:
    body = response.content.decode()
    for secret in (*CANARIES, *secrets):
        assert secret not in body, f"{secret!r} is in the page"


__all__ = ["Profiles", "assert_no_secret", "signed_in"]
