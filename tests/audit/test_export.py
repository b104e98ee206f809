"""The audit log's export: the filtered runs one may see, as CSV and as JSON lines, from the
page (/audit/export.*, the session) and the API (/api/v1/audit/export.*, a bearer token),
streamed; each record what the run recorded and never a secret; each JSON line with the
run's audit events as the hash chain holds them. One test runs a real command through
the real ASGI server, worker and sandbox and reads its record back from the export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from console.api.tokens import create_token
from console.audit import export
from console.runs.models import AuditEvent, CommandRun
from tests.audit.conftest import audited_run, stored_output_sha256
from tests.conftest import _wait_for
from tests.portal.conftest import CANARIES

ARN = "arn:aws:sts::123456789012:assumed-role/ConsoleReadOnly/bob"
CALLS = [
    {"service": "sts", "operation": "GetCallerIdentity", "status": 200, "request_id": "req-1", "attempts": 1}
]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read(response: Any) -> str:
    """A streamed body, read as the ASGI server reads it (the stream is asynchronous)."""

    async def collect() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(collect)().decode()


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(user)}"}


@pytest.fixture
def runs(team, profiles, bob, charlie) -> dict[str, CommandRun]:
    team_run = audited_run(
        bob,
        command="aws sts get-caller-identity --profile platform/readonly",
        profile="platform/readonly",
        profile_chain=["platform/readonly", "platform/keys"],
        team=team,
        service="sts",
        operation="GetCallerIdentity",
        aws_account="123456789012",
        region="us-east-1",
        endpoint="https://sts.us-east-1.amazonaws.com",
        principal={"type": "assume-role", "arn": ARN, "account": "123456789012"},
        aws_calls=CALLS,
        aws_call_count=1,
        output_bytes=42,
        output_sha256="ab" * 32,
    )
    return {
        "team": team_run,
        "bob_own": audited_run(bob, command="aws s3api list-buckets", service="s3", operation="ListBuckets"),
        "charlie": audited_run(charlie, command="=HYPERLINK(1)", service=""),
    }


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.django_db
def test_the_csv_holds_what_each_visible_run_recorded(runs, carol):
    response = signed_in(carol).get("/audit/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    text = read(response)
    assert text.splitlines()[0] == ",".join(export.CSV_COLUMNS)
    [row] = csv_rows(text)  # carol audits platform: its run, not bob's own nor charlie's
    run = runs["team"]
    assert row["id"] == str(run.pk)
    assert (row["user"], row["source"], row["team"], row["profile"]) == (
        "bob",
        "api",
        "platform",
        run.profile,
    )
    assert row["profile_chain"] == "platform/readonly <- platform/keys"
    assert (row["principal_arn"], row["principal_type"], row["account"]) == (
        ARN,
        "assume-role",
        "123456789012",
    )
    assert (row["service"], row["operation"], row["status"], row["exit_code"]) == (
        "sts",
        "GetCallerIdentity",
        "succeeded",
        "0",
    )
    assert (row["output_bytes"], row["output_sha256"]) == ("42", "ab" * 32)
    assert json.loads(row["aws_calls"])[0] == {**CALLS[0], "error": None}
    assert row["command"] == run.command and row["created_at"] == run.created_at.isoformat()
    assert row["duration_seconds"] == "0.0"


@pytest.mark.django_db
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(runs, charlie):
    [row] = csv_rows(read(signed_in(charlie).get("/audit/export.csv")))
    assert row["command"] == "'=HYPERLINK(1)"
    [line] = jsonl(read(signed_in(charlie).get("/audit/export.jsonl")))
    assert line["command"] == "=HYPERLINK(1)"  # JSON lines carry the value as stored


@pytest.mark.django_db
def test_json_lines_carry_the_record_and_the_run_s_audit_events(runs, bob):
    response = signed_in(bob).get("/audit/export.jsonl", {"service": "sts"})
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    [line] = jsonl(read(response))
    run = runs["team"]
    assert line["type"] == "run" and line["id"] == str(run.pk)
    assert line["principal"] == run.principal and line["aws_calls"][0]["request_id"] == "req-1"
    assert line["profile_chain"] == ["platform/readonly", "platform/keys"]
    chain = AuditEvent.objects.filter(run=run).order_by("id")
    assert [e["action"] for e in line["audit_events"]] == ["console:run:finished"]
    assert line["audit_events"] == [
        {"id": e.pk, "action": e.action, "prev_hash": e.prev_hash, "hash": e.hash} for e in chain
    ]


@pytest.mark.django_db
def test_the_export_is_the_page_s_filter_and_never_wider(runs, bob):
    client = signed_in(bob)
    assert [r["id"] for r in csv_rows(read(client.get("/audit/export.csv")))] == [
        str(runs["bob_own"].pk),
        str(runs["team"].pk),
    ]
    assert csv_rows(read(client.get("/audit/export.csv", {"user": "charlie"}))) == []
    assert jsonl(read(client.get("/audit/export.jsonl", {"q": runs["charlie"].short_id}))) == []


@pytest.mark.django_db
def test_the_page_links_its_exports_with_its_filter(runs, bob):
    body = signed_in(bob).get("/audit/", {"service": "s3", "page": "1"}).content.decode()
    assert 'href="/audit/export.csv?service=s3"' in body
    assert 'href="/audit/export.jsonl?service=s3"' in body


@pytest.mark.django_db
def test_a_bad_filter_answers_400_with_the_error(runs, bob):
    response = signed_in(bob).get("/audit/export.csv", {"since": "last week"})
    assert response.status_code == 400
    assert response.content.decode() == "from: Enter a valid date/time.\n"


@pytest.mark.django_db
def test_no_secret_reaches_the_export(runs, profiles, alice):
    text = read(signed_in(alice).get("/audit/export.jsonl")) + read(signed_in(alice).get("/audit/export.csv"))
    assert str(runs["team"].pk) in text
    for secret in CANARIES:
        assert secret not in text


@pytest.mark.django_db
def test_it_exports_in_batches_without_a_query_a_run(bob, django_assert_max_num_queries):
    for _ in range(export.BATCH + 5):
        audited_run(bob)
    response = signed_in(bob).get("/audit/export.jsonl")
    with django_assert_max_num_queries(6):  # two batches: runs and their events, each
        lines = jsonl(read(response))
    assert len(lines) == export.BATCH + 5
    assert all(len(line["audit_events"]) == 1 for line in lines)


@pytest.mark.django_db
def test_a_visitor_must_sign_in(db):
    assert Client().get("/audit/export.csv").status_code == 302


# ---- through the API ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_exports_with_a_bearer_token_and_the_same_filter(runs, carol):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/audit/export.jsonl", {"team": "platform"}, headers=bearer(carol))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert [line["id"] for line in jsonl(read(response))] == [str(runs["team"].pk)]
    csv_answer = client.get("/api/v1/audit/export.csv", {"user": "charlie"}, headers=bearer(carol))
    assert csv_rows(read(csv_answer)) == []


@pytest.mark.django_db
def test_the_api_export_needs_a_token_and_answers_a_bad_filter_in_json(runs, bob):
    assert Client().get("/api/v1/audit/export.csv").status_code == 401
    response = Client().get("/api/v1/audit/export.csv", {"status": "exploded"}, headers=bearer(bob))
    assert response.status_code == 400
    assert response.json() == {
        "error": "status: Select a valid choice. exploded is not one of the available choices.",
        "code": "invalid_filter",
    }
    assert Client().post("/api/v1/audit/export.csv", headers=bearer(bob)).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_real_run_reads_back_from_the_export_through_the_server(stack, alice_profiles, sandbox):
    headers = bearer(alice_profiles)
    with httpx.Client(base_url=stack.url, headers=headers, timeout=60) as api:
        made = api.post("/api/v1/runs", json={"command": "aws iam list-roles --profile admin", "wait": True})
        assert made.status_code == 200, made.text
        run = CommandRun.objects.get(pk=made.json()["id"])
        # The run's `finished` event lands just after its final state (tests/conftest.py).
        _wait_for(lambda: run.audit.filter(action="console:run:finished").exists(), "the finished event")
        with api.stream("GET", "/api/v1/audit/export.jsonl", params={"service": "iam"}) as answer:
            assert answer.status_code == 200
            lines = [json.loads(line) for line in answer.iter_lines() if line]
    [line] = lines
    assert (line["id"], line["user"], line["source"], line["status"]) == (
        str(run.pk),
        "alice",
        "api",
        "succeeded",
    )
    assert (
        line["principal"]["arn"] == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/alice"
    )
    assert (line["account"], line["region"], line["endpoint"]) == (
        sandbox.seed.account_id,
        sandbox.seed.region,
        sandbox.url,
    )
    assert line["aws_calls"] and all(
        call["status"] == 200 and call["request_id"] for call in line["aws_calls"]
    )
    assert (line["output_bytes"], line["output_sha256"]) == stored_output_sha256(run)
    chain = AuditEvent.objects.filter(run=run).order_by("id")
    assert [e["hash"] for e in line["audit_events"]] == [e.hash for e in chain]
    assert [e["action"] for e in line["audit_events"]] == ["console:run:submitted", "console:run:finished"]


@pytest.mark.django_db
def test_json_lines_end_with_the_signed_checkpoints_that_vouch_for_the_exported_events(runs, bob):
    from console.audit import checkpoints
    from credentials import crypto

    first = checkpoints.make_checkpoint(force=True)
    later = audited_run(bob, command="aws s3 ls", service="s3", operation="ListBuckets")
    second = checkpoints.make_checkpoint(force=True)
    assert first is not None and second is not None and later.audit.exists()
    lines = jsonl(read(signed_in(bob).get("/audit/export.jsonl", {"service": "sts"})))
    # The sts run's events come before the first checkpoint, which alone vouches for them.
    assert [line["type"] for line in lines] == ["run", "checkpoint"]
    stated = {k: v for k, v in lines[1].items() if k != "type"}
    claim = checkpoints.Claim(**stated)
    assert claim.sequence == first.sequence and claim.signature == first.signature
    assert checkpoints.check_claims([claim], crypto.checkpoint_public_keys()) is None
    forged = checkpoints.Claim(**{**stated, "event_count": first.event_count + 1})
    assert checkpoints.check_claims([forged], crypto.checkpoint_public_keys()) is not None
