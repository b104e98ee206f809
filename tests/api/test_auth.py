from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.api.models import ApiToken
from console.api.tokens import revoke_token
from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db


def test_it_asks_for_a_token(api: Client, alice: User) -> None:
    run = make_run(alice)

    response = api.get(f"/api/v1/runs/{run.id}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"].startswith("authentication required")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer awsc_" + "A" * 40,
        "Basic YWxpY2U6cGFzc3dvcmQ=",
    ],
)
def test_it_refuses_a_bad_authorization_header(api: Client, alice: User, header: str) -> None:
    run = make_run(alice)

    response = api.get(f"/api/v1/runs/{run.id}", headers={"Authorization": header})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response.json()["code"] == "invalid_token"


def test_it_refuses_a_token_under_another_scheme(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)

    response = api.get(f"/api/v1/runs/{run.id}", headers={"Authorization": f"Token {alice_token}"})

    assert response.status_code == 401


def test_it_refuses_a_revoked_token(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)
    revoke_token(alice, ApiToken.objects.get(user=alice).pk)

    response = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid or revoked token"


def test_it_refuses_an_inactive_user(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)
    alice.is_active = False
    alice.save()

    response = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.status_code == 401


def test_it_ignores_the_session_cookie(api: Client, alice: User) -> None:
    # Bearer only: a signed-in browser session must not authenticate API calls (no CSRF).
    run = make_run(alice)
    api.force_login(alice)

    assert api.get(f"/api/v1/runs/{run.id}").status_code == 401
    assert api.post("/api/v1/runs", {"command": "aws s3 ls"}, "application/json").status_code == 401


def test_it_accepts_a_valid_token_and_keeps_answers_out_of_caches(
    api: Client, alice: User, alice_token: str
) -> None:
    run = make_run(alice)

    response = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
