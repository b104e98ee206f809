from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.api.conftest import bearer
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db

CHUNKS = [
    (3, "stdout", "d"),
    (0, "stdout", "a"),
    (2, "stderr", "c"),
    (1, "stdout", "b"),
]


def test_it_returns_chunks_in_seq_order(api: Client, alice: User, alice_token: str) -> None:
    run = make_run(alice, chunks=CHUNKS)

    response = api.get(f"/api/v1/runs/{run.id}/output", headers=bearer(alice_token))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(run.id),
        "status": "succeeded",
        "chunks": [
            {"seq": 0, "stream": "stdout", "data": "a"},
            {"seq": 1, "stream": "stdout", "data": "b"},
            {"seq": 2, "stream": "stderr", "data": "c"},
            {"seq": 3, "stream": "stdout", "data": "d"},
        ],
    }


@pytest.mark.parametrize("after, seqs", [("-1", [0, 1, 2, 3]), ("1", [2, 3]), ("3", [])])
def test_it_returns_only_chunks_after_a_seq(
    api: Client, alice: User, alice_token: str, after: str, seqs: list[int]
) -> None:
    run = make_run(alice, chunks=CHUNKS)

    response = api.get(f"/api/v1/runs/{run.id}/output", {"after": after}, headers=bearer(alice_token))

    assert [chunk["seq"] for chunk in response.json()["chunks"]] == seqs


@pytest.mark.parametrize("after", ["abc", "1.5", "-2", "1e3", "+3", "1_0", "٣"])
def test_it_refuses_a_bad_after(api: Client, alice: User, alice_token: str, after: str) -> None:
    run = make_run(alice, chunks=CHUNKS)

    response = api.get(f"/api/v1/runs/{run.id}/output", {"after": after}, headers=bearer(alice_token))

    assert response.status_code == 400
    assert '"after"' in response.json()["error"]


def test_it_hides_alices_output_from_charlie(api: Client, alice: User, charlie_token: str) -> None:
    run = make_run(alice, chunks=CHUNKS)

    response = api.get(f"/api/v1/runs/{run.id}/output", headers=bearer(charlie_token))

    assert response.status_code == 404
    assert response.json() == {"error": "no such run", "code": "not_found"}
