"""Latency benchmark: one run, side by side, against the sandbox.

  raw      botocore `get_caller_identity` in a warm process (client built once)
  console  websocket: `{"type":"run","command":"aws sts get-caller-identity"}` → exit frame,
           through the real ASGI server, Celery worker, PostgreSQL and Redis
  cli      `aws sts get-caller-identity` as a separate process (the awscli package)

Prints median and p95 of each and the ratios against the budget (console median at
most raw + 20 ms, and at most a tenth of the CLI process). Usage: `make bench`
(env: BENCH_ROUNDS, default 200; BENCH_CLI_ROUNDS, default 15; DATABASE_URL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import harness


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


def measure_side_by_side(console: harness.Console, rounds: int) -> tuple[list[float], list[float]]:
    """Raw and console calls interleaved, so the machine's noise falls on both alike."""
    client = raw_client(console.sandbox_url, console.seed)
    raw, timed = [], []
    with console.terminal() as ws:
        for _ in range(10):
            _run(ws)
        for _ in range(rounds):
            raw.append(time_raw(client))
            timed.append(_run(ws))
    return raw, timed


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


def _run(ws: Any, command: str = "aws sts get-caller-identity") -> float:
    began = time.perf_counter()
    ws.send(json.dumps({"type": "run", "command": command}))
    while True:
        frame = json.loads(ws.recv())
        if frame["type"] == "exit":
            elapsed = time.perf_counter() - began
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


def main() -> int:
    harness.prepare_environment()
    rounds = int(os.environ.get("BENCH_ROUNDS", "200"))
    cli_rounds = int(os.environ.get("BENCH_CLI_ROUNDS", "15"))
    with harness.running_console() as console:
        raw, timed = measure_side_by_side(console, rounds)
        role, sts_calls = measure_role_profile(console, min(rounds, 50))
        cli = measure_cli(console.sandbox_url, console.seed, cli_rounds)
    print("aws sts get-caller-identity against the sandbox, measured side by side:")
    raw_median = harness.report("raw", raw)
    console_median = harness.report("console", timed)
    overhead = (console_median - raw_median) * 1000
    print(f"  console - raw = {overhead:.2f} ms (budget: at most 20 ms)")
    ok = overhead <= 20
    if cli is not None:
        cli_median = harness.report("cli", cli)
        ratio = console_median / cli_median
        print(f"  console / cli = {ratio:.3f} (budget: at most 0.100)")
        ok = ok and ratio <= 0.1
    else:
        print("  cli      not measured: the awscli package is not installed")
    harness.report("console, role profile", role)
    print(f"  STS AssumeRole calls during {len(role)} warm role-profile commands: {sts_calls} (budget: 0)")
    ok = ok and sts_calls == 0
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
