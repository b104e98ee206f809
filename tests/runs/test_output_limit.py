"""A run stores at most CONSOLE_MAX_RUN_OUTPUT_BYTES of output: the command is stopped
where the limit is reached, told why on stderr, and ends `failed` with exit code 255;
the sink takes nothing more (memory stays bounded) and asks the command to stop."""

from __future__ import annotations

import pytest

from console.runs import store
from console.runs.execution import RunSink
from console.runs.models import CommandRun, OutputStream, RunSource
from tests.runs.conftest import own_worker
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

LIMIT = 64 * 1024
# The review's shape, kept under the query limit (16 MiB): 2^10 copies of the sandbox's
# users, hundreds of KiB of JSON.
LOTS = "aws iam list-users --profile admin --query 'Users[*].[@,@][]" + "[@,@][]" * 9 + "'"


async def test_it_stops_a_run_whose_output_reaches_the_limit(stack, alice_profiles):
    with own_worker(stack, concurrency=2, CONSOLE_MAX_RUN_OUTPUT_BYTES=str(LIMIT)):
        comm, connected, _ = await open_terminal(alice_profiles)
        assert connected and (await receive(comm))["type"] == "hello"
        stopped = await run_command(comm, LOTS, timeout=60)
        after = await run_command(comm, "aws sts get-caller-identity")
        await comm.disconnect()
    assert (stopped.code, stopped.exit["status"]) == (255, "failed")
    assert len(stopped.stdout.encode()) == LIMIT  # kept up to the limit exactly
    assert stopped.stdout.startswith('[\n    {\n        "Path": "/",')
    assert "console: the command's output reached 64 KiB, the most this console keeps" in stopped.stderr
    assert after.code == 0


def _sink(alice, settings, limit: int) -> RunSink:
    settings.CONSOLE_MAX_RUN_OUTPUT_BYTES = limit
    run = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws iam list-policies")
    return RunSink(run)


def test_it_takes_nothing_more_once_the_limit_is_reached(alice, settings):
    sink = _sink(alice, settings, limit=10)
    sink.write(OutputStream.STDOUT, "12345")
    assert not sink.cancelled()
    sink.write(OutputStream.STDOUT, "é" * 5)  # 10 bytes: only two characters fit
    assert sink.cancelled() and sink.limit_reached is not None
    sink.write(OutputStream.STDOUT, "x" * 1_000_000)  # dropped, not held
    held = sink.close()
    assert held == [(OutputStream.STDOUT, "éé")]
    assert "".join(c.data for c in store.read_since(sink.run_id).chunks) == "12345"
    assert sink.limit_reached.limit == 10


def test_it_never_cuts_a_prompt_in_half(alice, settings):
    sink = _sink(alice, settings, limit=10)
    sink.write(OutputStream.PROMPT, '{"prompt": "MFA code: ", "secret": false}')
    assert sink.cancelled()
    assert sink.close() == [] and store.read_since(sink.run_id).chunks == []
