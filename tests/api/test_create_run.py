from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from console.api import validation
from console.runs import reaper, submission
from console.runs.models import CommandRun, OutputChunk, OutputStream, RunStatus
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def post(api: Client, token: str, body: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return api.post("/api/v1/runs", data, content_type="application/json", headers=bearer(token))


def test_it_queues_a_run_for_alice(api: Client, alice: User, alice_token: str) -> None:
    response = post(api, alice_token, {"command": "aws sts get-caller-identity"})

    assert response.status_code == 201
    run = CommandRun.objects.get()
    assert (run.user, run.source, run.status) == (alice, "api", RunStatus.QUEUED)
    body = response.json()
    assert body["id"] == str(run.id)
    assert body["status"] == "queued"
    assert body["exit_code"] is None
    assert response["Location"] == f"/api/v1/runs/{run.id}"


def test_it_passes_stdin_and_cols_to_the_service(
    api: Client, alice: User, alice_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    real_submit = submission.submit_run

    def spy(user: Any, command: str, **kwargs: Any) -> CommandRun:
        calls.append({"user": user, "command": command, **kwargs})
        return real_submit(user, command, **kwargs)

    monkeypatch.setattr(submission, "submit_run", spy)

    body = {"command": "aws sts get-caller-identity", "stdin": "123456", "cols": 132}
    assert post(api, alice_token, body).status_code == 201

    # Through the terminal's path (console/audit/rerun.py: a `rerun` line would be expanded).
    passed = [
        {k: call[k] for k in ("user", "command", "source", "stdin", "cols", "rerun_of")} for call in calls
    ]
    assert passed == [
        {
            "user": alice,
            "command": body["command"],
            "source": "api",
            "stdin": "123456",
            "cols": 132,
            "rerun_of": None,
        }
    ]


def test_it_records_an_unparsable_command_as_a_rejected_run(
    api: Client, alice: User, alice_token: str
) -> None:
    response = post(api, alice_token, {"command": "aws not-a-service do-it"})

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["exit_code"]) == ("rejected", 252)
    assert body["stdout"] == ""
    assert body["stderr"] != ""


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "must be a JSON object"),
        (b"aws s3 ls", "must be a JSON object"),
        (b'{"command": "aws s3 ls"', "must be a JSON object"),
        (b"\xff\xfe\x00garbage", "must be a JSON object"),
        (b"[" * 100_000, "must be a JSON object"),
        (["aws", "s3", "ls"], "must be a JSON object"),
        ("aws s3 ls", "must be a JSON object"),
        ({}, '"command" is required'),
        ({"command": None}, '"command" is required'),
        ({"command": 42}, '"command" must be a string'),
        ({"command": ["aws", "s3", "ls"]}, '"command" must be a string'),
        ({"command": "aws s3 ls", "stdin": 5}, '"stdin" must be a string'),
        ({"command": "aws s3 ls", "wait": "yes"}, '"wait" must be true or false'),
        ({"command": "aws s3 ls", "wait": 1}, '"wait" must be true or false'),
        ({"command": "aws s3 ls", "cols": "80"}, '"cols" must be a whole number'),
        ({"command": "aws s3 ls", "cols": True}, '"cols" must be a whole number'),
        ({"command": "aws s3 ls", "cols": 0}, '"cols" must be a whole number'),
        ({"command": "aws s3 ls", "cols": 80.5}, '"cols" must be a whole number'),
        ({"command": "aws s3 ls", "comand": "x"}, 'unknown field "comand"'),
    ],
)
def test_it_refuses_bad_input(api: Client, alice: User, alice_token: str, body: Any, message: str) -> None:
    response = post(api, alice_token, body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not CommandRun.objects.exists()


def test_it_reports_every_problem_at_once(api: Client, alice_token: str) -> None:
    response = post(api, alice_token, {"command": 1, "wait": "no", "cols": -1, "extra": 1})

    error = response.json()["error"]
    for part in ['"command"', '"wait"', '"cols"', '"extra"']:
        assert part in error


def test_it_refuses_an_empty_command(api: Client, alice_token: str) -> None:
    response = post(api, alice_token, {"command": "   "})

    assert response.status_code == 400
    assert response.json()["code"] == "empty_command"
    assert not CommandRun.objects.exists()


def test_it_refuses_an_over_long_command(api: Client, alice_token: str, settings: Settings) -> None:
    settings.CONSOLE_MAX_COMMAND_LENGTH = 30

    response = post(api, alice_token, {"command": "aws s3 ls " + "x" * 21})

    assert response.status_code == 400
    assert "longer than 30 characters" in response.json()["error"]
    assert not CommandRun.objects.exists()


def test_it_refuses_an_oversized_body(api: Client, alice_token: str) -> None:
    stdin = "x" * validation.MAX_BODY_BYTES
    response = post(api, alice_token, {"command": "aws sts get-caller-identity", "stdin": stdin})

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not CommandRun.objects.exists()


def test_it_answers_when_the_run_has_ended(
    api: Client, alice_token: str, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    waited: list[float] = []

    def worker_finishes(run_id: Any, timeout: float) -> CommandRun:
        waited.append(timeout)
        OutputChunk.objects.create(run_id=run_id, seq=0, stream=OutputStream.STDOUT, data="{}\n")
        CommandRun.objects.filter(pk=run_id).update(status=RunStatus.SUCCEEDED, exit_code=0)
        return CommandRun.objects.get(pk=run_id)

    monkeypatch.setattr(reaper, "wait_for_final", worker_finishes)
    settings.CONSOLE_API_WAIT_SECONDS = 7

    response = post(api, alice_token, {"command": "aws sts get-caller-identity", "wait": True})

    assert response.status_code == 200
    assert waited == [7]
    body = response.json()
    assert (body["status"], body["exit_code"], body["stdout"]) == ("succeeded", 0, "{}\n")


def test_it_answers_202_when_the_run_outlasts_the_wait(
    api: Client, alice_token: str, settings: Settings
) -> None:
    settings.CONSOLE_API_WAIT_SECONDS = 0  # no worker runs in this test

    response = post(api, alice_token, {"command": "aws sts get-caller-identity", "wait": True})

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response["Location"] == f"/api/v1/runs/{CommandRun.objects.get().id}"


def test_it_does_not_wait_for_a_rejected_run(
    api: Client, alice_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reaper, "wait_for_final", lambda *a, **k: pytest.fail("waited"))

    response = post(api, alice_token, {"command": "aws not-a-service do-it", "wait": True})

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_it_allows_only_post(api: Client, alice_token: str) -> None:
    response = api.get("/api/v1/runs", headers=bearer(alice_token))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"


def test_it_rejects_a_command_over_the_word_cap_at_once(api: Client, alice: User, alice_token: str) -> None:
    line = "aws ec2 describe-instances --instance-ids " + "i " * 49_000
    response = post(api, alice_token, {"command": line})

    body = response.json()
    assert (response.status_code, body["status"], body["exit_code"]) == (201, "rejected", 252)
    assert "more than 5000 words (the limit is 5000)" in body["stderr"]
