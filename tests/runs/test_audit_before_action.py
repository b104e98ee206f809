"""Audit before action: a run whose `submitted` event cannot be written is not recorded and
never queued. The event is made unwritable at the database itself (the head names a place
already taken, so the insert breaks the unique place), as a full disk or a lost connection
would make it fail."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError

from console.runs import audit, submission
from console.runs.models import AuditChainHead, AuditEvent, CommandRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr(submission.workers, "enqueue_execution", lambda run_id: calls.append(run_id))
    return calls


def submit(user: Any) -> CommandRun:
    return submission.submit_run(user, "aws sts get-caller-identity", source="api")


def test_a_run_is_queued_once_its_event_is_written(alice, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = submit(alice)
    assert queued == [run.pk]
    assert AuditEvent.objects.filter(run=run, action=audit.AuditAction.RUN_SUBMITTED.value).exists()


def test_nothing_runs_when_the_submitted_event_cannot_be_written(
    alice, queued, django_capture_on_commit_callbacks
):
    audit.record(audit.AuditAction.SIGNIN_SUCCEEDED, actor=alice)
    AuditChainHead.objects.update(last_seq=0)  # the next event would take place 1 again
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DatabaseError):
        submit(alice)
    assert queued == []
    assert not CommandRun.objects.exists()
    assert AuditEvent.objects.count() == 1
