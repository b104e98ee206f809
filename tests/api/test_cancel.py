from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.api import views
from console.runs.models import CommandRun
from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db

QUEUED = {"status": "queued", "exit_code": None, "started_at": None, "finished_at": None}


def _cancel(api: Client, run_id: object, token: str) -> object:
    return api.post(f"/api/v1/runs/{run_id}/cancel", headers=bearer(token))


def test_it_cancels_alices_queued_run_at_once(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice, **QUEUED)

    response = _cancel(api, run.id, alice_token)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["exit_code"]) == (str(run.id), "cancelled", 130)
    assert body["finished_at"] is not None
    assert response["Cache-Control"] == "no-store"


def test_it_flags_a_running_run_and_answers_202_while_it_has_not_ended(
    api: Client, alice: User, alice_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "CANCEL_WAIT_SECONDS", 0.2)  # no worker here to act on the flag
    run = make_run(alice, **{**QUEUED, "status": "running"})

    response = _cancel(api, run.id, alice_token)

    assert (response.status_code, response.json()["status"]) == (202, "running")
    assert CommandRun.objects.get(pk=run.id).cancel_requested


def test_it_leaves_an_ended_run_as_it_was(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)

    response = _cancel(api, run.id, alice_token)

    assert (response.status_code, response.json()["status"], response.json()["exit_code"]) == (
        200,
        "succeeded",
        0,
    )


def test_it_hides_alices_run_from_charlie(api: Client, alice: User, charlie_token: str) -> None:
    run = make_run(alice, **QUEUED)

    response = _cancel(api, run.id, charlie_token)

    assert response.status_code == 404
    assert response.json() == {"error": "no such run", "code": "not_found"}
    stored = CommandRun.objects.get(pk=run.id)
    assert (stored.status, stored.cancel_requested) == ("queued", False)


def test_it_answers_404_for_a_run_that_does_not_exist(api: Client, alice_token: str) -> None:
    response = _cancel(api, uuid.uuid4(), alice_token)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_needs_a_token(api: Client, alice: User) -> None:
    run = make_run(alice, **QUEUED)

    response = api.post(f"/api/v1/runs/{run.id}/cancel")

    assert response.status_code == 401
    assert CommandRun.objects.get(pk=run.id).status == "queued"


def test_it_takes_post_only(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice, **QUEUED)

    response = api.get(f"/api/v1/runs/{run.id}/cancel", headers=bearer(alice_token))

    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert CommandRun.objects.get(pk=run.id).status == "queued"
