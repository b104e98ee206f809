"""bench/ownwork.py, small: a command submitted and executed in the benchmark's own
process (no worker, no websocket) succeeds every round, and every stage of its path is
marked and printed with the own-work figure. The speed is the benchmark's business."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_command_run_in_one_process_marks_every_stage() -> None:
    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    name = f"console_bench_ownwork_{os.getpid()}"
    env = dict(os.environ, DATABASE_URL=f"{base}/{name}", BENCH_ROUNDS="5")
    env.pop("CONSOLE_TRACE_STAGES", None)
    try:
        result = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, "bench/ownwork.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for stage in ("written", "claimed", "credentials", "called", "stored", "doorbell"):
        assert any(line.split()[:1] == [stage] for line in lines), (stage, result.stdout)
    assert any("own work" in line and "x raw" in line for line in lines), result.stdout
