"""Bodies and parameters that are valid JSON or URLs but not text a run can hold get a
JSON 400 that says what is wrong (a lone surrogate used to reach PostgreSQL: an HTML 500)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.runs.models import CommandRun
from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"command": "aws s3 ls \\ud800"}', '"command" holds a NUL character or a lone surrogate'),
        (b'{"command": "aws s3 ls \\u0000"}', '"command" holds a NUL character or a lone surrogate'),
        (b'{"command": "aws s3 ls", "stdin": "\\udfff"}', '"stdin" holds a lone surrogate'),
        # json.loads reads bytes with "surrogatepass", so a raw surrogate gets as far:
        (b'{"command": "aws s3 ls \xed\xa0\x80"}', '"command" holds a NUL character or a lone surrogate'),
        (b"[" * 100_000, "must be a JSON object"),
        (b'{"command": ' + b"9" * 5000 + b"}", "must be a JSON object"),
    ],
)
def test_it_answers_a_body_it_cannot_store_with_a_json_400(
    api: Client, alice: User, alice_token: str, body: bytes, fragment: str
) -> None:
    response = api.post("/api/v1/runs", body, content_type="application/json", headers=bearer(alice_token))

    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not CommandRun.objects.exists()


def test_it_keeps_a_nul_in_stdin_which_is_sealed(api: Client, alice: User, alice_token: str) -> None:
    body = b'{"command": "aws sts get-caller-identity", "stdin": "a\\u0000b"}'
    response = api.post("/api/v1/runs", body, content_type="application/json", headers=bearer(alice_token))

    assert response.status_code == 201


@pytest.mark.parametrize("after", [str(2**63), str(2**64), "9" * 5000, "-2", "1e3"])
def test_it_answers_an_after_beyond_a_seq_with_a_json_400(
    api: Client, alice: User, alice_token: str, after: str
) -> None:
    run = make_run(alice)

    response = api.get(f"/api/v1/runs/{run.id}/output", {"after": after}, headers=bearer(alice_token))

    assert response.status_code == 400
    assert "from -1 to 9223372036854775807" in response.json()["error"]


def test_it_still_reads_after_the_largest_seq(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice)

    response = api.get(
        f"/api/v1/runs/{run.id}/output", {"after": str(2**63 - 1)}, headers=bearer(alice_token)
    )

    assert response.status_code == 200
    assert response.json()["chunks"] == []
