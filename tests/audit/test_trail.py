"""A trail that proves it was not edited: every kind of tampering with the stored events
(by raw SQL, as someone with the database but not the console's keys would do it) is
found by `manage.py verify_audit`, which names the first bad event; signed checkpoints
survive key rotation; an export verifies offline from the file alone, and a tampered one
does not."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
from dataclasses import asdict, replace
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from console.audit.checkpoints import Claim
from console.audit.models import AuditCheckpoint, TrailCheck
from console.audit.verification import latest_check, run_trail_chores
from console.runs import audit
from console.runs.models import AuditChainHead, AuditEvent
from credentials import crypto
from tests.api.factories import make_run
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table
CHECKPOINTS = AuditCheckpoint._meta.db_table


def record_events(user: Any, count: int) -> list[AuditEvent]:
    run = make_run(user)
    for number in range(count):
        audit.record(
            audit.AuditAction.RUN_SUBMITTED, actor=user, run=run, data={"command": f"aws s3 ls #{number}"}
        )
    return list(AuditEvent.objects.order_by("id"))


def checkpoint() -> str:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue()


def verified(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    """The message `verify_audit` exits non-zero with."""
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", *args, stdout=StringIO())
    assert caught.value.returncode == 1
    return str(caught.value)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def tamper(event: AuditEvent, **values: Any) -> None:
    """UPDATE one event's columns as raw SQL, with each value prepared as its field would."""
    fields = [AuditEvent._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    sql(f"UPDATE {EVENTS} SET {assignments} WHERE id = %s", [*params, event.pk])


def test_it_verifies_an_intact_trail(alice):
    record_events(alice, 5)
    assert "checkpoint 1 signed" in checkpoint()
    assert "5 events and 1 checkpoints verified" in verified()


def test_recording_stays_one_statement_and_signs_nothing(alice, settings):
    settings.CONSOLE_AUDIT_CHECKPOINT_EVENTS = 1
    record_events(alice, 1)
    with CaptureQueriesContext(connection) as queries:
        audit.record(audit.AuditAction.RUN_FINISHED, actor=alice, data={"status": "succeeded"})
    assert len(queries) == 1  # lock the head, hash, move it and insert: console/runs/audit.py
    assert not AuditCheckpoint.objects.exists()


def test_a_stored_row_hashes_back_to_its_hash(alice):
    """The canonical forms survive the round trip through the database: a time with no
    microseconds, text outside ASCII, a tuple in the data."""
    record_events(alice, 1)
    audit.record(audit.AuditAction.RUN_FINISHED, actor=alice, data={"name": "bücket ☃", "pair": (1, 2)})
    for event in AuditEvent.objects.all():
        assert audit.as_chain_event(event).computed_hash() == event.hash
    assert "2 events" in verified()


def _other_value(field: str, event: AuditEvent, bob: Any) -> Any:
    return {
        "created_at": event.created_at + timedelta(seconds=1),
        "actor": bob.pk,
        "actor_name": "bob",
        "run": make_run(bob).pk,
        "action": audit.AuditAction.RUN_CANCEL_REQUESTED.value,
        "data": {"command": "aws s3 rb s3://evidence --force"},
    }[field]


@pytest.mark.parametrize("field", ["created_at", "actor", "actor_name", "run", "action", "data"])
def test_an_edited_field_is_found(alice, bob, field):
    events = record_events(alice, 4)
    tamper(events[1], **{field: _other_value(field, events[1], bob)})
    message = refused()
    assert f"broken at event {events[1].pk} (seq 2): edited" in message


def test_an_edit_re_hashed_by_the_editor_is_found_at_the_edited_event(alice):
    """Whoever re-computes the edited event's hash still breaks the next event's link."""
    events = record_events(alice, 4)
    forged = replace(audit.as_chain_event(events[1]), data={"command": "aws sts get-caller-identity"})
    tamper(events[1], data=forged.data, hash=forged.computed_hash())
    assert f"broken at event {events[1].pk} (seq 2): rewritten" in refused()


def test_an_event_deleted_in_the_middle_is_found(alice):
    events = record_events(alice, 5)
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [events[2].pk])
    message = refused()
    assert f"broken at event {events[3].pk} (seq 4): deleted" in message
    assert "seq 3" in message


def test_the_newest_event_deleted_is_found_by_the_head(alice):
    events = record_events(alice, 4)
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [events[-1].pk])
    message = refused()
    assert "truncated" in message and "the newest events were deleted" in message
    assert "seq 4" in message


def test_the_newest_events_deleted_with_the_head_moved_back_are_found_by_the_checkpoint(alice):
    events = record_events(alice, 5)
    checkpoint()
    sql(f"DELETE FROM {EVENTS} WHERE id >= %s", [events[3].pk])
    sql(f"UPDATE {HEAD} SET last_hash = %s, last_seq = %s WHERE id = 1", [events[2].hash, 3])
    message = refused()
    assert f"broken at event {events[4].pk} (seq 5): truncated" in message
    assert "checkpoint 1 signed this event, which is gone" in message


def test_a_chain_rewritten_up_to_its_head_is_found_by_the_checkpoint(alice):
    """The whole tail re-hashed and the head moved with it: only a signature tells."""
    events = record_events(alice, 4)
    checkpoint()
    prev = events[0].hash
    for event in events[1:]:
        forged = replace(audit.as_chain_event(event), prev_hash=prev, data={"command": "aws s3 ls"})
        prev = forged.computed_hash()
        tamper(event, data=forged.data, prev_hash=forged.prev_hash, hash=prev)
    sql(f"UPDATE {HEAD} SET last_hash = %s WHERE id = 1", [prev])
    message = refused()
    assert f"broken at event {events[3].pk} (seq 4): rewritten" in message
    assert "checkpoint 1 signed event" in message


def test_reordered_events_are_found(alice):
    events = record_events(alice, 5)
    first, second = events[1].pk, events[3].pk
    parking = max(e.pk for e in events) + 1000
    sql(f"UPDATE {EVENTS} SET id = %s WHERE id = %s", [parking, first])
    sql(f"UPDATE {EVENTS} SET id = %s WHERE id = %s", [first, second])
    sql(f"UPDATE {EVENTS} SET id = %s WHERE id = %s", [second, parking])
    assert f"broken at event {first} (seq 4): reordered" in refused()


def test_an_edited_checkpoint_fails_its_signature(alice):
    events = record_events(alice, 3)
    checkpoint()
    sql(f"UPDATE {CHECKPOINTS} SET event_count = 2")
    message = refused()
    assert (
        f"broken at event {events[-1].pk} (seq 3): checkpoint: checkpoint 1: its signature does not verify"
        in message
    )


def test_a_checkpoint_deleted_in_the_middle_is_found(alice):
    for _ in range(3):
        record_events(alice, 1)
        checkpoint()
    sql(f"DELETE FROM {CHECKPOINTS} WHERE sequence = 2")
    assert "checkpoint 3: checkpoint 2 is missing: deleted" in refused()


def test_the_console_signs_no_checkpoint_over_a_broken_chain(alice):
    events = record_events(alice, 3)
    tamper(events[0], actor_name="mallory")
    with pytest.raises(CommandError, match="does not verify"):
        checkpoint()
    assert not AuditCheckpoint.objects.exists()


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_old_checkpoints_still_verify_after_a_new_key_is_prepended(alice, settings):
    record_events(alice, 2)
    checkpoint()
    old_ring = settings.CONSOLE_ENCRYPTION_KEYS
    settings.CONSOLE_ENCRYPTION_KEYS = f"k9:{_new_key()},{old_ring}"
    record_events(alice, 2)
    assert "signed with key 'k9'" in checkpoint()
    assert list(AuditCheckpoint.objects.values_list("key_id", flat=True)) == [old_ring.split(":")[0], "k9"]
    assert "4 events and 2 checkpoints verified" in verified()


def test_a_retired_key_vouches_for_its_checkpoints_by_its_public_key(alice, settings):
    record_events(alice, 2)
    checkpoint()
    old = AuditCheckpoint.objects.get()
    settings.CONSOLE_ENCRYPTION_KEYS = f"k9:{_new_key()},{settings.CONSOLE_ENCRYPTION_KEYS}"
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    pins = out.getvalue().rsplit("CONSOLE_AUDIT_PUBLIC_KEYS=", 1)[1].strip()
    assert pins == f"{old.key_id}:{old.public_key}"
    settings.CONSOLE_ENCRYPTION_KEYS = settings.CONSOLE_ENCRYPTION_KEYS.split(",")[0]  # the old key removed
    assert f"signed by key '{old.key_id}', which is not a trusted key" in refused()
    settings.CONSOLE_AUDIT_PUBLIC_KEYS = pins
    assert "1 checkpoints verified" in verified()


def test_a_checkpoint_signed_by_a_key_the_console_does_not_hold_is_refused(alice, settings):
    record_events(alice, 2)
    checkpoint()
    settings.CONSOLE_ENCRYPTION_KEYS = (
        f"{AuditCheckpoint.objects.get().key_id}:{_new_key()}"  # same id, other key
    )
    assert "its signature does not verify" in refused()


def export_to(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        call_command("export_audit", stdout=handle)
    return path


def test_an_export_verifies_offline_from_the_file_alone(alice, tmp_path, settings):
    record_events(alice, 3)
    checkpoint()
    record_events(alice, 1)
    exported = export_to(tmp_path / "trail.jsonl")
    settings.CONSOLE_ENCRYPTION_KEYS = f"k9:{_new_key()}"  # the verifier holds no key of ours
    AuditEvent.objects.all().delete()  # nor the database
    key = json.loads(exported.read_text().splitlines()[1])["public_key"]
    assert "4 events and 1 checkpoints verified" in verified("--export", str(exported))
    assert "4 events" in verified("--export", str(exported), "--public-key", key)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_a_tampered_export_fails(alice, tmp_path):
    events = record_events(alice, 3)
    checkpoint()
    exported = export_to(tmp_path / "trail.jsonl")
    lines = _lines(exported)
    edited = [
        dict(line, data={"command": "aws s3 ls"}) if line.get("id") == events[1].pk else line
        for line in lines
    ]
    _write(tmp_path / "edited.jsonl", edited)
    assert f"broken at event {events[1].pk} (seq 2): edited" in refused(
        "--export", str(tmp_path / "edited.jsonl")
    )
    _write(tmp_path / "cut.jsonl", lines[:-1])
    assert "it was cut short" in refused("--export", str(tmp_path / "cut.jsonl"))
    newest_gone = [line for line in lines if line.get("id") != events[-1].pk]
    newest_gone[-1] = {"type": "head", "seq": 2, "hash": events[1].hash}
    _write(tmp_path / "truncated.jsonl", newest_gone)
    assert "truncated" in refused("--export", str(tmp_path / "truncated.jsonl"))


def test_a_re_signed_export_fails_only_against_the_pinned_key(alice, tmp_path):
    """Whoever forges a file can sign it with a key of their own and put that key in the
    file; pinning the console's public key is what catches it."""
    record_events(alice, 2)
    checkpoint()
    exported = export_to(tmp_path / "trail.jsonl")
    ours = AuditCheckpoint.objects.get().public_key
    forged = _forge(_lines(exported))
    _write(tmp_path / "forged.jsonl", forged)
    assert "2 events" in verified("--export", str(tmp_path / "forged.jsonl"))
    message = refused("--export", str(tmp_path / "forged.jsonl"), "--public-key", ours)
    assert "which is not a trusted key" in message


def _forge(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mallory = Ed25519PrivateKey.generate()
    public = base64.b64encode(mallory.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    out = []
    for line in lines:
        if line["type"] == "public_key":
            line = {**line, "public_key": public}
        if line["type"] == "checkpoint":
            claim = replace(Claim(**{k: v for k, v in line.items() if k != "type"}), public_key=public)
            signature = base64.b64encode(mallory.sign(claim.message())).decode()
            line = {"type": "checkpoint", **asdict(claim), "signature": signature}
        out.append(line)
    return out


def test_a_malformed_export_gets_a_message_not_a_traceback(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"type": "trail"}\nnot json\n')
    assert "line 2 is not JSON" in refused("--export", str(tmp_path / "bad.jsonl"))
    assert "cannot read" in refused("--export", str(tmp_path / "missing.jsonl"))


# The test client is synchronous; daphne consumes the view's async iterator as it is.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators")
def test_superusers_download_the_trail_and_others_are_refused_and_audited(alice, admin_user, tmp_path):
    record_events(alice, 2)
    checkpoint()
    client = Client()
    client.force_login(admin_user)
    response = client.get("/audit/trail.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    body = b"".join(response).decode()
    kinds = [json.loads(line)["type"] for line in body.splitlines()]
    assert kinds[0] == "trail" and kinds[-1] == "head" and kinds.count("event") == 2
    (tmp_path / "downloaded.jsonl").write_text(body)
    assert "2 events and 1 checkpoints verified" in verified("--export", str(tmp_path / "downloaded.jsonl"))
    client.force_login(alice)
    assert client.get("/audit/trail.jsonl").status_code == 404
    assert AuditEvent.objects.filter(actor_name="alice", data__action="export audit trail").exists()
    assert Client().get("/audit/trail.jsonl").status_code == 302


def test_the_periodic_task_signs_and_verifies_and_the_page_shows_it(alice, settings):
    settings.CONSOLE_AUDIT_CHECKPOINT_EVENTS = 3
    events = record_events(alice, 3)
    run_trail_chores()
    assert AuditCheckpoint.objects.get().event_id == events[-1].pk
    check = latest_check()
    assert check is not None and check.ok and (check.events, check.checkpoints) == (3, 1)
    assert "Intact" in render_to_string("audit/_trail_status.html", {"trail_check": check})
    assert "3 events, 1 signed checkpoint" in Template("{% load trail_tags %}{% trail_status %}").render(
        Context()
    )
    tamper(events[0], data={"command": "aws s3 ls"})
    TrailCheck.objects.update(checked_at=check.checked_at - timedelta(hours=2))
    run_trail_chores()
    bad = latest_check()
    assert bad is not None and not bad.ok and bad.first_bad_event_id == events[0].pk
    shown = render_to_string("audit/_trail_status.html", {"trail_check": bad})
    assert "Broken" in shown and f"first bad event <strong>{events[0].pk}</strong>" in shown


def test_a_checkpoint_waits_for_its_events_or_its_hour(alice, settings):
    settings.CONSOLE_AUDIT_CHECKPOINT_EVENTS = 10
    record_events(alice, 2)
    run_trail_chores()
    assert not AuditCheckpoint.objects.exists()
    settings.CONSOLE_AUDIT_CHECKPOINT_MINUTES = 0  # as if the hour had passed
    run_trail_chores()
    assert AuditCheckpoint.objects.get().event_count == 2
    run_trail_chores()  # nothing new since: no second checkpoint
    assert AuditCheckpoint.objects.count() == 1


def test_an_export_shows_what_a_head_moved_back_would_hide(alice, tmp_path):
    events = record_events(alice, 4)
    checkpoint()
    sql(f"UPDATE {HEAD} SET last_hash = %s, last_seq = %s WHERE id = 1", [events[1].hash, 2])
    exported = export_to(tmp_path / "trail.jsonl")
    assert [line["id"] for line in _lines(exported) if line["type"] == "event"] == [e.pk for e in events]
    assert f"broken at event {events[-1].pk} (seq 4): head: the head names seq 2" in refused(
        "--export", str(exported)
    )


@pytest.mark.django_db(transaction=True)
def test_the_stored_walk_reads_one_snapshot_outside_a_transaction(alice):
    """The worker's thread verifies outside any transaction: on PostgreSQL in REPEATABLE READ."""
    record_events(alice, 3)
    checkpoint()
    assert "3 events and 1 checkpoints verified" in verified()


def test_the_verifier_in_the_docs_verifies_an_export(alice, tmp_path):
    """docs/audit.md shows a verifier written from the documented forms alone; it agrees."""
    docs = (ROOT / "docs" / "audit.md").read_text()
    program = docs.split("```python verify_trail.py\n", 1)[1].split("```", 1)[0]
    (tmp_path / "verify_trail.py").write_text(program)
    record_events(alice, 3)
    audit.record(audit.AuditAction.RUN_FINISHED, actor=None, data={"name": 'bücket ☃ \x1b[31m "q" \\'})
    checkpoint()
    exported = export_to(tmp_path / "trail.jsonl")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "verify_trail.py"), str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ok 4 events 1 checkpoints" in done.stdout
    lines = _lines(exported)
    _write(
        tmp_path / "edited.jsonl",
        [dict(line, actor_name="bob") if line["type"] == "event" else line for line in lines],
    )
    again = subprocess.run(
        [sys.executable, str(tmp_path / "verify_trail.py"), str(tmp_path / "edited.jsonl")],
        capture_output=True,
        check=False,
    )
    assert again.returncode != 0


def test_a_malformed_retired_key_setting_stops_the_check_with_a_message(settings):
    settings.CONSOLE_AUDIT_PUBLIC_KEYS = "k0:not-a-key"
    with pytest.raises(crypto.CryptoError, match="id:base64"):
        crypto.check_keys()
    assert "each audit public key must look like id:base64" in refused()
