"""Latency benchmark: one run, side by side, against the sandbox.

  raw      botocore `get_caller_identity` in a warm process (client built once)
  console  websocket: `{"type":"run","command":"aws sts get-caller-identity"}` → exit frame,
           through the real ASGI server, Celery worker, PostgreSQL and Redis
  cli      `aws sts get-caller-identity` as a separate process (the awscli package)

Prints median and p95 of each and the ratios against their budgets, both taken in this
run so the machine's speed cancels out: the console's median at most twice raw's (the
console's overhead no larger than the AWS call itself) and at most 0.05 of the CLI
process's. Then where the console's time went: the median of each stage of the command's
path (console/stages.py marks them in the web and worker processes; the client adds when
it sent the frame and read the exit). Usage: `make bench` (env: BENCH_ROUNDS, default
200; BENCH_CLI_ROUNDS, default 15; DATABASE_URL)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import harness

RAW_BUDGET = 2.0  # console median / raw median
CLI_BUDGET = 0.05  # console median / cli median
RECV_TIMEOUT = 30.0  # a round that hears nothing for this long fails the run


def raw_client(url: str, seed: Any) -> Any:
    import botocore.session

    client = botocore.session.get_session().create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=seed.access_key_id,
        aws_secret_access_key=seed.secret_access_key,
    )
    for _ in range(5):
        client.get_caller_identity()
    return client


def time_raw(client: Any) -> float:
    began = time.perf_counter()
    client.get_caller_identity()
    return time.perf_counter() - began


class Rounds:
    """The console's rounds: their times, and each run's client-side marks (wall clock,
    ns) for the stage breakdown."""

    def __init__(self) -> None:
        self.timed: list[float] = []
        self.marks: dict[str, dict[str, int]] = {}

    def run(self, ws: Any, command: str = "aws sts get-caller-identity") -> float:
        marks: dict[str, int] = {}
        elapsed = _run(ws, command, marks)
        self.timed.append(elapsed)
        marks.pop("started", None)
        self.marks[marks.pop("run_id")] = marks
        return elapsed


def measure_side_by_side(console: harness.Console, rounds: int) -> tuple[list[float], Rounds]:
    """Raw and console calls interleaved, so the machine's noise falls on both alike."""
    client = raw_client(console.sandbox_url, console.seed)
    raw, measured = [], Rounds()
    with console.terminal() as ws:
        for _ in range(10):
            _run(ws)
        for _ in range(rounds):
            raw.append(time_raw(client))
            measured.run(ws)
    return raw, measured


def assume_role_calls(console: harness.Console) -> int:
    """How many AssumeRole calls the sandbox has answered (moto's model data, a control path)."""
    from sandbox import control

    request = urllib.request.Request(
        f"{console.sandbox_url}/moto-api/data.json", headers={control.HEADER: console.sandbox_secret}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return len(json.load(answer).get("sts", {}).get("AssumedRole", []))


def measure_role_profile(console: harness.Console, rounds: int) -> tuple[list[float], int]:
    """A role profile (`admin`, assumed from the demo user): after the first command the
    sealed session cache answers, so warm commands make no STS call."""
    command = "aws sts get-caller-identity --profile admin"
    with console.terminal() as ws:
        _run(ws, command)  # the cold one assumes the role
        before = assume_role_calls(console)
        timed = [_run(ws, command) for _ in range(rounds)]
    return timed, assume_role_calls(console) - before


def _run(ws: Any, command: str = "aws sts get-caller-identity", marks: dict[str, Any] | None = None) -> float:
    marks = {} if marks is None else marks
    began = time.perf_counter()
    marks["frame"] = time.time_ns()
    ws.send(json.dumps({"type": "run", "command": command}))
    while True:
        try:
            frame = json.loads(ws.recv(timeout=RECV_TIMEOUT))
        except TimeoutError:
            raise RuntimeError(f"no exit frame within {RECV_TIMEOUT} s of `{command}`: {marks}") from None
        if frame["type"] == "started":
            marks["started"] = frame["run_id"]
        if frame["type"] == "exit":
            elapsed = time.perf_counter() - began
            marks["exit"], marks["run_id"] = time.time_ns(), frame["run_id"]
            if frame["code"] != 0:
                raise RuntimeError(f"the console's run failed: {frame}")
            return elapsed
        if frame["type"] == "error":
            raise RuntimeError(f"the console refused the run: {frame}")


def measure_cli(url: str, seed: Any, rounds: int) -> list[float] | None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        return None
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=seed.access_key_id,
        AWS_SECRET_ACCESS_KEY=seed.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    command = [aws, "sts", "get-caller-identity", "--endpoint-url", url]
    subprocess.run(command, env=env, check=True, capture_output=True)
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - began)
    return samples


# The breakdown's rows: the client's marks around the server's (console/stages.py).
CLIENT_FIRST, CLIENT_LAST = "frame", "exit"
STAGE_NAMES = {
    "received": "frame received",
    "written": "run row written",
    "published": "task published",
    "picked": "task picked up",
    "claimed": "claimed",
    "credentials": "credentials resolved",
    "client": "client ready",
    "called": "AWS call done",
    "formatted": "output formatted",
    "stored": "final state stored",
    "doorbell": "doorbell rung",
    "sent": "exit frame sent",
    "exit": "exit frame read (client)",
}


def read_stage_marks(path: Path) -> dict[str, dict[str, int]]:
    """Each run's server-side marks: the first of each stage (a later one is another page or call)."""
    runs: dict[str, dict[str, int]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            run_id, stage, ns = line.split()
            runs.setdefault(run_id, {}).setdefault(stage, int(ns))
    return runs


def stage_breakdown(measured: Rounds, server: dict[str, dict[str, int]]) -> list[tuple[str, float]]:
    """The median (ms) of each stage's time since the stage before it, over the rounds
    whose every stage was marked; the last row is the median of the whole."""
    from console.stages import STAGES

    order = (CLIENT_FIRST, *STAGES, CLIENT_LAST)
    complete = []
    for run_id, client in measured.marks.items():
        marks = {**server.get(run_id, {}), **client}
        if all(stage in marks for stage in order):
            complete.append(marks)
    if not complete:
        return []
    rows = [
        (STAGE_NAMES[stage], statistics.median((m[stage] - m[before]) / 1e6 for m in complete))
        for before, stage in zip(order, order[1:], strict=False)
    ]
    rows.append(("total", statistics.median((m[CLIENT_LAST] - m[CLIENT_FIRST]) / 1e6 for m in complete)))
    return rows


def print_breakdown(rows: list[tuple[str, float]], rounds: int) -> None:
    if not rows:
        print("  stage breakdown: no round had every stage marked (CONSOLE_TRACE_STAGES)")
        return
    print(f"where the console's time goes (median ms since the stage before, {rounds} rounds):")
    for name, median in rows:
        print(f"  {name:<26} {median:8.2f}")


def main() -> int:
    harness.prepare_environment()
    trace = Path(os.environ["CONSOLE_LOCAL_DIR"]) / "stages.log"
    os.environ["CONSOLE_TRACE_STAGES"] = str(trace)  # for the stack's processes (console/stages.py)
    rounds = int(os.environ.get("BENCH_ROUNDS", "200"))
    cli_rounds = int(os.environ.get("BENCH_CLI_ROUNDS", "15"))
    with harness.running_console() as console:
        raw, measured = measure_side_by_side(console, rounds)
        role, sts_calls = measure_role_profile(console, min(rounds, 50))
        cli = measure_cli(console.sandbox_url, console.seed, cli_rounds)
    print("aws sts get-caller-identity against the sandbox, measured side by side:")
    raw_median = harness.report("raw", raw)
    console_median = harness.report("console", measured.timed)
    ratio = console_median / raw_median
    print(
        f"  console / raw = {ratio:.2f} (budget: at most {RAW_BUDGET:.2f}); "
        f"console - raw = {(console_median - raw_median) * 1000:.2f} ms"
    )
    ok = ratio <= RAW_BUDGET
    if cli is not None:
        cli_median = harness.report("cli", cli)
        cli_ratio = console_median / cli_median
        print(f"  console / cli = {cli_ratio:.3f} (budget: at most {CLI_BUDGET:.3f})")
        ok = ok and cli_ratio <= CLI_BUDGET
    else:
        print("  cli      not measured: the awscli package is not installed")
    harness.report("console, role profile", role)
    print(f"  STS AssumeRole calls during {len(role)} warm role-profile commands: {sts_calls} (budget: 0)")
    ok = ok and sts_calls == 0
    print_breakdown(stage_breakdown(measured, read_stage_marks(trace)), rounds)
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
