"""The profile import's 256 KiB limit holds for pasted text as for uploaded files, with a
message that names the field and the limit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import ConfigSection

pytestmark = pytest.mark.urls("tests.credentials.urls")

LIMIT = 256 * 1024
HEADER = "[default]\nregion = eu-west-1\n"


def padded(size: int, filler: str = "#") -> str:
    """A valid config file of exactly `size` UTF-8 bytes (comments after one profile)."""
    line = filler * 60 + "\n"
    body = HEADER
    while len(body.encode()) + len(line.encode()) <= size:
        body += line
    return body + "#" * (size - len(body.encode()))


def test_it_refuses_pasted_text_over_the_limit(alice, client):
    client.force_login(alice)
    answer = client.post("/profiles/import", {"credentials": padded(LIMIT + 1)})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("The pasted credentials text is larger than 256 KiB")
    assert not ConfigSection.objects.filter(owner=alice).exists()


def test_it_counts_pasted_text_in_bytes_not_characters(alice, client):
    client.force_login(alice)
    text = padded(LIMIT + 2, filler="é")  # fewer characters than bytes
    assert len(text) < LIMIT
    answer = client.post("/profiles/import", {"config": text})
    assert answer.status_code == 400
    assert "pasted config text is larger than 256 KiB" in answer.json()["error"]


def test_it_accepts_pasted_text_at_the_limit(alice, client):
    client.force_login(alice)
    answer = client.post("/profiles/import", {"config": padded(LIMIT)})
    assert answer.status_code == 200, answer.content
    assert answer.json()["saved"] == ["default"]


def test_it_refuses_an_uploaded_file_over_the_limit(alice, client):
    client.force_login(alice)
    upload = SimpleUploadedFile("config", padded(LIMIT + 1).encode())
    answer = client.post("/profiles/import", {"config": upload})
    assert answer.status_code == 400
    assert answer.json()["error"] == "The config file is larger than 256 KiB"
