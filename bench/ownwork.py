"""The console's own work on one command, with the websocket and the queue taken out: in
this one process, `aws sts get-caller-identity` is submitted as the terminal's consumer
submits it (console/audit/rerun.submit_line: rights to run, parse, per-user cap, run row
and audit event) and then executed as the worker's task executes it (tasks.execute_run:
claim, credentials, the AWS call, formatting, final state, doorbell), interleaved with raw
botocore calls against the same sandbox.

No worker runs: the id that would be published is taken here instead
(workers.enqueue_execution is replaced in this process only), so no figure holds a queue,
a websocket or a hand-off between processes. What is left, minus the AWS call itself, is
what a command costs the console wherever it runs; bench/floor.py measures the paths
around it. It prints raw's median, the command's, the medians of its stages
(console/stages.py) and its own work over raw. No budget: it measures what a design that
runs commands in the web process would start from. Usage: `make bench` (env:
BENCH_ROUNDS, 200; DATABASE_URL)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import harness

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
COMMAND = "aws sts get-caller-identity"
# The stages marked in one process (no publish, no pick-up), first to last.
STAGES = (
    "received",
    "written",
    "claimed",
    "credentials",
    "client",
    "called",
    "formatted",
    "stored",
    "doorbell",
)
AWS_CALL = "called"


def main() -> int:
    # Before anything imports console/stages.py, which reads it once.
    trace = Path(tempfile.mkdtemp(prefix="console-ownwork-")) / "stages.log"
    os.environ["CONSOLE_TRACE_STAGES"] = str(trace)
    harness.prepare_environment()
    from console import demo
    from sandbox.seed import enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    with SandboxProcess(port=int(os.environ["SANDBOX_PORT"])) as sandbox:
        seed = seed_demo(sandbox.url, secret=sandbox.control_secret)
        user = demo.ensure_demo_user(demo.generate_password(), username=harness.BENCH_USER)
        demo.install_sandbox_profiles(user, seed, sandbox.url)
        enforce_auth(sandbox.url, secret=sandbox.control_secret)
        raw, whole, run_ids = measure(user, sandbox.url, seed)
    print(f"{COMMAND}, submitted and executed in one process, beside raw botocore:")
    raw_median = harness.report("raw", raw)
    harness.report("command", whole)
    rows = stage_rows(read_marks(trace), run_ids)
    print(f"its stages (median ms since the stage before, {len(run_ids)} rounds):")
    for name, median in rows.items():
        print(f"  {name:<14} {median:8.2f}")
    own = sum(median for name, median in rows.items() if name != AWS_CALL) / 1000
    print(f"  own work (every stage but the AWS call) {own * 1000:.2f} ms = {own / raw_median:.2f} x raw")
    return 0


def measure(user: Any, sandbox_url: str, seed: Any) -> tuple[list[float], list[float], list[str]]:
    from latency import raw_client, time_raw

    from console.audit import rerun
    from console.runs import store, tasks, workers
    from console.runs.models import CommandRun, RunSource, RunStatus
    from console.stages import mark

    published: list[uuid.UUID] = []

    def take(run_id: uuid.UUID) -> None:
        published.append(run_id)

    workers.enqueue_execution = take  # type: ignore[assignment] - see the module's docstring

    def one() -> tuple[float, str]:
        run_id = uuid.uuid4()
        began = time.perf_counter()
        mark(run_id, "received")
        rerun.submit_line(user, COMMAND, source=RunSource.TERMINAL, terminal_id="ownwork", run_id=run_id)
        tasks.execute_run(str(published.pop()))
        elapsed = time.perf_counter() - began
        status, code = CommandRun.objects.values_list("status", "exit_code").get(pk=run_id)
        if status != RunStatus.SUCCEEDED:
            raise RuntimeError(
                f"the command ended {status} ({code}): {store.run_streams(CommandRun.objects.get(pk=run_id))}"
            )
        return elapsed, str(run_id)

    client = raw_client(sandbox_url, seed)
    for _ in range(20):  # warm: connections, botocore's models, the broker's caches
        one()
    raw, whole, run_ids = [], [], []
    for _ in range(ROUNDS):
        raw.append(time_raw(client))
        elapsed, run_id = one()
        whole.append(elapsed)
        run_ids.append(run_id)
    return raw, whole, run_ids


def read_marks(path: Path) -> dict[str, dict[str, int]]:
    from latency import read_stage_marks

    return read_stage_marks(path)


def stage_rows(marks: dict[str, dict[str, int]], run_ids: list[str]) -> dict[str, float]:
    complete = [marks[r] for r in run_ids if all(stage in marks.get(r, {}) for stage in STAGES)]
    if not complete:
        raise RuntimeError("no round had every stage marked (CONSOLE_TRACE_STAGES)")
    return {
        stage: statistics.median((m[stage] - m[before]) / 1e6 for m in complete)
        for before, stage in zip(STAGES, STAGES[1:], strict=False)
    }


if __name__ == "__main__":
    raise SystemExit(main())
