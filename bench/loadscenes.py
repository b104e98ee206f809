"""The cluster scenes of bench/load.py, each run beside a load phase: a run started
through web A and followed to its end through web B (docs/protocol.md, `attach`), and a
worker SIGKILLed with runs in flight. Their verdicts come from the run rows, which
record the worker that claimed each run and when it ended."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any

from cluster import Cluster
from loadclient import (
    COMMAND,
    EXIT_TIMEOUT,
    LoadUser,
    Outcome,
    Tally,
    follow_run,
    judge_output,
    open_terminal,
)
from loadsetup import STUCK_COMMAND

# The promise checked: a killed worker's runs end `lost` within a minute (the reaper:
# CONSOLE_LOST_AFTER without a heartbeat, seen on a CONSOLE_REAP_SECONDS round).
LOST_WITHIN = 60.0


def runs_per_worker(tally: Tally, cluster: Cluster) -> dict[str, int]:
    from django.db.models import Count

    from console.runs.models import CommandRun

    ids = [o.run_id for o in tally.outcomes if o.run_id]
    rows = CommandRun.objects.filter(pk__in=ids).values("worker").annotate(n=Count("id"))
    counted = {row["worker"]: row["n"] for row in rows}
    split = {f"worker{i}": counted.get(node.name, 0) for i, node in enumerate(_all_workers(cluster), 1)}
    names = ", ".join(f"{label} {count}" for label, count in split.items())
    print(f"  runs executed per worker: {names}")
    return split


def _all_workers(cluster: Cluster) -> list[Any]:
    return [node for node in cluster.nodes if node.kind == "worker"]


async def _started(ws: Any, command: str) -> str:
    await ws.send(json.dumps({"type": "run", "command": command}))
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "started":
            return str(frame["run_id"])
        if frame.get("type") == "error":
            raise RuntimeError(f"the run was refused: {frame}")


async def _until_exit(ws: Any, outcome: Outcome) -> tuple[str, float]:
    stdout = await asyncio.wait_for(follow_run(ws, outcome), EXIT_TIMEOUT)
    return stdout, time.perf_counter()


async def follow_across_nodes(webs: list[str], user: LoadUser, out: dict[str, Any]) -> None:
    """Half a second into the load (queues busy), run through web A, attach through web B."""
    await asyncio.sleep(0.5)
    async with (
        await open_terminal(webs[0], user, "follow-a") as a,
        await open_terminal(webs[-1], user, "follow-b") as b,
    ):
        run_id = await _started(a, COMMAND)
        await b.send(json.dumps({"type": "attach", "run_id": run_id, "after": -1}))
        attached = time.perf_counter()
        seen_a, seen_b = Outcome(run_id=run_id), Outcome(run_id=run_id)
        (stdout_a, ended_a), (stdout_b, _) = await asyncio.gather(
            _until_exit(a, seen_a), _until_exit(b, seen_b)
        )
    for seen, stdout in ((seen_a, stdout_a), (seen_b, stdout_b)):
        if not seen.problem:
            judge_output(seen, stdout, user)
    out.update(
        run_id=run_id,
        web_a=webs[0],
        web_b=webs[-1],
        attached_before_exit=ended_a > attached,
        status_a=seen_a.status,
        status_b=seen_b.status,
        identical=stdout_a == stdout_b and not seen_a.problem and not seen_b.problem,
    )
    print(
        f"  follow: run {run_id} started through {webs[0]}, attached through {webs[-1]} "
        f"{'before' if out['attached_before_exit'] else 'after'} web A saw its exit; "
        f"B saw {seen_b.status}, output {'identical' if out['identical'] else 'DIFFERENT'}"
    )


def _claimed_by(run_id: str) -> str:
    from console.runs.models import CommandRun

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run = CommandRun.objects.get(pk=run_id)
        if run.status == "running" and run.worker:
            return run.worker
        time.sleep(0.02)
    raise RuntimeError(f"no worker claimed the stuck run {run_id}")


def _running_on(worker: str) -> int:
    from console.runs.models import CommandRun

    return CommandRun.objects.filter(status="running", worker=worker).count()


async def kill_a_worker(
    cluster: Cluster, webs: list[str], stuck: LoadUser, tally: Tally, out: dict[str, Any], after: int
) -> None:
    """A run that never ends (the blackhole) shows which worker holds one; that worker is
    SIGKILLed once `after` commands of the load have ended."""
    from django.utils import timezone

    async with await open_terminal(webs[0], stuck, "stuck") as ws:
        run_id = await _started(ws, STUCK_COMMAND)
        worker = await asyncio.to_thread(_claimed_by, run_id)
        victim = next(node for node in cluster.workers if node.name == worker)
        while len(tally.outcomes) < after:
            await asyncio.sleep(0.01)
        out.update(victim=victim.name, stuck_run=run_id, killed_at=timezone.now())
        cluster.kill(victim)
        out["in_flight"] = await asyncio.to_thread(_running_on, victim.name)
        seen = Outcome(run_id=run_id)
        await asyncio.wait_for(follow_run(ws, seen), EXIT_TIMEOUT)
        out["stuck_status"] = seen.status


def summarize_kill(out: dict[str, Any]) -> None:
    """From the run rows: what ended lost after the kill, whose it was, and how late."""
    from console.runs.models import CommandRun

    if "killed_at" not in out:
        return
    killed_at: datetime = out.pop("killed_at")
    lost = list(CommandRun.objects.filter(status="lost", finished_at__gte=killed_at).select_related("user"))
    mine = [run for run in lost if run.worker == out["victim"] or _taken_by_the_dead(run, killed_at)]
    out["victim_lost"] = len(mine)
    out["victim_lost_queued"] = sum(1 for run in mine if not run.worker)
    out["others_lost"] = len(lost) - len(mine)
    out["load_runs_lost"] = sum(1 for run in mine if run.user.username != "load-stuck")
    out["last_lost_after"] = max(((run.finished_at - killed_at).total_seconds() for run in mine), default=0.0)
    out["still_running"] = CommandRun.objects.filter(status="running", worker=out["victim"]).count()


def _taken_by_the_dead(run: Any, killed_at: datetime) -> bool:
    """A run queued before the kill that no worker ever claimed, while a live worker drained
    the queue: its message was taken off the queue by the killed worker and died with it
    (Redis pops a message before the worker records it as unacknowledged, so it is in no
    queue and no `unacked` hash to be delivered again). It ends `lost` by the queue clock,
    CONSOLE_QUEUE_TIMEOUT, rather than by the heartbeat's."""
    return not run.worker and run.started_at is None and run.created_at <= killed_at
