from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from console.runs import prompts, workers
from console.runs.execution import RunSink
from console.runs.models import CommandRun, OutputChunk, RunSource

pytestmark = [pytest.mark.django_db(transaction=True)]


def _running_run(user):
    return CommandRun.objects.create(
        user=user, source=RunSource.API, command="aws sts get-session-token", status="running"
    )


def test_it_carries_an_answer_back_to_the_waiting_command(alice):
    run = _running_run(alice)
    sink = RunSink(run)

    def answer_from_another_thread():
        try:
            prompts.answer(alice, run.pk, "493817")
        finally:
            connection.close()

    threading.Timer(0.3, answer_from_another_thread).start()
    assert sink.ask("MFA code: ", secret=True) == "493817"
    chunk = OutputChunk.objects.get(run=run)
    assert chunk.stream == "prompt"
    assert json.loads(chunk.data) == {"text": "MFA code: ", "secret": True}
    assert workers.redis_client().llen(prompts._key(run.pk)) == 0


def test_it_keeps_the_answer_sealed_in_redis(alice):
    run = _running_run(alice)
    assert prompts.answer(alice, run.pk, "493817") is True
    stored = workers.redis_client().lrange(prompts._key(run.pk), 0, -1)
    assert len(stored) == 1 and b"493817" not in stored[0]
    assert 0 < workers.redis_client().ttl(prompts._key(run.pk)) <= prompts.ANSWER_TTL


def test_it_refuses_an_answer_from_another_user(alice, charlie):
    run = _running_run(alice)
    assert prompts.answer(charlie, run.pk, "000000") is False
    assert workers.redis_client().llen(prompts._key(run.pk)) == 0


def test_it_stops_waiting_when_the_run_is_cancelled(alice):
    run = _running_run(alice)
    sink = RunSink(run)
    threading.Timer(0.2, sink.close).start()
    assert sink.ask("MFA code: ", secret=True) is None
