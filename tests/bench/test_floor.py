"""bench/floor.py, small: each kind of round through its own path (daphne, the Celery
worker, the lean queue's worker, PostgreSQL, Redis) answers with its own row's output,
and the figures and the verdict are printed. The speed is the benchmark's business."""

from __future__ import annotations

from tests.bench.scripts import run_bench


def test_every_kind_of_round_comes_back_with_its_own_output() -> None:
    result = run_bench(
        ["bench/floor.py"],
        "console_bench_floor",
        timeout=240,
        FLOOR_ROUNDS="5",
        FLOOR_TERMINALS="4",
        FLOOR_COMMANDS="3",
        FLOOR_CONCURRENCY="4",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for kind in ("raw", "echo", "inline", "queue", "queued", "lean"):
        assert any(line.split()[:2] == [kind, "median"] for line in lines), (kind, result.stdout)
    for kind in ("inline", "queued", "lean"):
        assert any(line.split()[:1] == [kind] and "rounds/s" in line for line in lines), (kind, result.stdout)
    verdicts = [
        line for line in lines if "target" in line and ("within reach" in line or "OUT OF REACH" in line)
    ]
    assert len(verdicts) == 6, result.stdout
