"""Watching a run live, read-only (`/ws/terminal/?mode=watch`, the run page's view): a
viewer who may see the run but is not its owner joins late and still gets every line, in
order, once, then the rest as it comes, then the exit; the connection takes no command,
no answer and no cancel, whoever holds it. The peers are real: PostgreSQL holds the
output, Redis carries the doorbells; the test plays the worker's part with the store and
lifecycle functions the worker uses."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from console.runs import lifecycle, notify, store
from console.runs.audit import AuditAction
from console.runs.models import AuditEvent, CommandRun, RunSource, RunStatus
from tests.wsclient import open_terminal, receive, send

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _running_run(user):
    now = timezone.now()
    return CommandRun.objects.create(
        user=user,
        source=RunSource.TERMINAL,
        command="aws logs tail /app --follow",
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
    )


@database_sync_to_async
def _write(run, seq, text):
    store.append_chunk(run.pk, "stdout", text, seq=seq)
    notify.notify_run(run.pk)


async def _watcher(user):
    comm, connected, _ = await open_terminal(user, mode="watch")
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


async def _frames_until(comm, kind):
    frames = []
    while True:
        frame = await receive(comm, timeout=10)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def test_a_late_viewer_gets_every_line_in_order_then_the_rest_live(alice, staff_bob):
    run = await _running_run(alice)
    for seq in range(5):
        await _write(run, seq, f"line {seq}\n")

    comm = await _watcher(staff_bob)
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    replayed = [await receive(comm) for _ in range(5)]
    assert [(f["type"], f["seq"], f["data"]) for f in replayed] == [
        ("output", seq, f"line {seq}\n") for seq in range(5)
    ]
    for seq in range(5, 10):
        await _write(run, seq, f"line {seq}\n")
    await database_sync_to_async(lifecycle.finish_run)(
        run, RunStatus.SUCCEEDED, 0, output=[("stdout", "end\n")]
    )
    live = await _frames_until(comm, "exit")
    await comm.disconnect()
    outputs = [f for f in live if f["type"] == "output"]
    assert [f["seq"] for f in outputs] == list(range(5, 11))
    assert (
        "".join(f["data"] for f in replayed + outputs) == "".join(f"line {n}\n" for n in range(10)) + "end\n"
    )
    assert live[-1] == {"type": "exit", "run_id": str(run.pk), "code": 0, "status": "succeeded"}


async def test_a_viewer_reconnecting_after_a_seq_gets_only_the_rest(alice):
    run = await _running_run(alice)
    for seq in range(4):
        await _write(run, seq, f"line {seq}\n")
    comm = await _watcher(alice)
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": 1})
    assert [(await receive(comm))["seq"] for _ in range(2)] == [2, 3]
    await comm.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "run", "command": "aws s3 rb s3://precious --force"},
        {"type": "cancel"},
        {"type": "answer", "text": "123456"},
        {"type": "attach", "after": -1},
    ],
)
async def test_a_watching_connection_takes_no_input_and_cannot_cancel(alice, frame):
    run = await _running_run(alice)
    comm = await _watcher(alice)  # even the run's own owner, on a watching connection
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    await send(comm, {**frame, "run_id": str(run.pk)})
    answer = await receive(comm)
    assert answer == {
        "type": "error",
        "message": "this connection only watches runs; it takes no commands",
        "code": "read_only",
    }
    await comm.disconnect()
    stored = await database_sync_to_async(CommandRun.objects.get)(pk=run.pk)
    assert (stored.status, stored.cancel_requested) == (RunStatus.RUNNING, False)
    assert await database_sync_to_async(CommandRun.objects.count)() == 1  # no run was submitted


async def test_an_outsider_cannot_watch_and_the_refusal_is_audited(alice, charlie):
    run = await _running_run(alice)
    await _write(run, 0, "secret-ish output\n")
    comm = await _watcher(charlie)
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    assert await receive(comm) == {"type": "error", "message": "no such run", "code": "not_found"}
    await comm.disconnect()
    denied = await database_sync_to_async(
        lambda: list(
            AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED.value).values_list(
                "actor_name", "data"
            )
        )
    )()
    assert denied == [("charlie", {"action": "watch", "run": str(run.pk)})]


async def test_a_viewer_whose_right_ends_stops_seeing_the_run(alice, staff_bob):
    run = await _running_run(alice)
    comm = await _watcher(staff_bob)
    await send(comm, {"type": "watch", "run_id": str(run.pk), "after": -1})
    staff_bob.is_staff = False
    await database_sync_to_async(staff_bob.save)()
    assert await receive(comm, timeout=5) == {"type": "error", "message": "no such run", "code": "not_found"}
    await _write(run, 0, "after the right ended\n")
    assert await comm.receive_nothing(timeout=1.5)
    await comm.disconnect()


async def test_a_terminal_connection_does_not_watch(alice):
    run = await _running_run(alice)
    comm, connected, _ = await open_terminal(alice)
    assert connected and (await receive(comm))["type"] == "hello"
    await send(comm, {"type": "watch", "run_id": str(run.pk)})
    assert (await receive(comm))["code"] == "bad_frame"
    await comm.disconnect()
