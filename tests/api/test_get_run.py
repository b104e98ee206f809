from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db


def test_it_shows_alice_her_run(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(
        alice,
        command="aws s3 ls",
        chunks=[(2, "stdout", "b\n"), (0, "stdout", "a\n"), (1, "stderr", "warning\n")],
    )

    response = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id", "command", "status", "exit_code", "source", "rerun_of", "created_at", "started_at",
        "finished_at", "stdout", "stderr", "record",
    }  # fmt: skip
    assert body["id"] == str(run.id)
    assert (body["command"], body["status"], body["exit_code"]) == ("aws s3 ls", "succeeded", 0)
    assert body["stdout"] == "a\nb\n"
    assert body["stderr"] == "warning\n"
    assert body["created_at"].endswith("Z")


def test_it_shows_a_queued_run_without_times_or_exit_code(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice, status="queued", exit_code=None, started_at=None, finished_at=None)

    body = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token)).json()

    assert (body["exit_code"], body["started_at"], body["finished_at"]) == (None, None, None)
    assert (body["stdout"], body["stderr"]) == ("", "")


def test_it_never_shows_the_sealed_command_or_stdin(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(
        alice,
        command="aws iam create-login-profile --user-name bob --password ****",
        sealed_command="SEALED-COMMAND-CANARY",
        sealed_stdin="SEALED-STDIN-CANARY",
    )

    response = api.get(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.json()["command"].endswith("--password ****")
    assert b"CANARY" not in response.content


def test_it_hides_alices_run_from_charlie(api: Client, alice: User, charlie_token: str) -> None:
    run = make_run(alice)

    theirs = api.get(f"/api/v1/runs/{run.id}", headers=bearer(charlie_token))
    missing = api.get(f"/api/v1/runs/{uuid.uuid4()}", headers=bearer(charlie_token))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == {"error": "no such run", "code": "not_found"}


def test_it_answers_json_for_an_unknown_path(api: Client, alice_token: str) -> None:
    for path in ["/api/v1/runs/not-a-uuid", "/api/v1/nothing-here", "/api/v1/runs/"]:
        response = api.get(path, headers=bearer(alice_token))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_it_allows_only_get(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)

    response = api.delete(f"/api/v1/runs/{run.id}", headers=bearer(alice_token))

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["error"] == "use GET here"
