"""bench/ownwork.py, small: a command submitted and executed in the benchmark's own
process (no worker, no websocket) succeeds every round, and every stage of its path is
marked and printed with the own-work figure. The speed is the benchmark's business."""

from __future__ import annotations

from tests.bench.scripts import run_bench


def test_a_command_run_in_one_process_marks_every_stage() -> None:
    result = run_bench(["bench/ownwork.py"], "console_bench_ownwork", timeout=300, BENCH_ROUNDS="5")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for stage in ("written", "claimed", "credentials", "called", "stored", "doorbell"):
        assert any(line.split()[:1] == [stage] for line in lines), (stage, result.stdout)
    assert any("own work" in line and "x raw" in line for line in lines), result.stdout
