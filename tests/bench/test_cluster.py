"""Two web nodes and two workers with production settings on one Redis and one
PostgreSQL, as `make bench-cluster` runs them but small (a few terminals) and with the
reaper's clock short: every command's output is its own, whole and in order through
either node; runs execute on both workers; a run started through web A is followed to
its end through web B; a worker killed with a run in flight has that run end `lost`
and no other. bench/load.py does the work; this reads the figures it writes. Speed is
not checked here (`--no-speed-targets`): that is the benchmark's business."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bench.scripts import run_bench

SHORT_REAPER = {"CONSOLE_HEARTBEAT_SECONDS": "1", "CONSOLE_LOST_AFTER": "3", "CONSOLE_REAP_SECONDS": "1"}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: Any) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("cluster") / "figures.json"
    command = ["bench/load.py", "--web", "2", "--workers", "2", "--no-speed-targets", "--json", str(out)]
    small = {"BENCH_TERMINALS": "4", "BENCH_COMMANDS": "3", "BENCH_CONCURRENCY": "4"}
    result = run_bench(command, "console_bench_cluster", timeout=240, **small, **SHORT_REAPER)
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(json.loads(out.read_text()))


def test_it_loses_nothing_and_keeps_every_output_its_own_on_two_nodes(figures: dict[str, Any]) -> None:
    assert figures["missed"] == []
    for name, phase in figures["phases"].items():
        assert phase["commands"] == 12, name
        assert phase["out_of_order"] == phase["failed"] == 0, name
    assert figures["phases"]["console, 2 workers"]["lost"] == 0


def test_it_runs_commands_on_both_workers(figures: dict[str, Any]) -> None:
    split = figures["split"]
    assert sorted(split) == ["worker1", "worker2"]
    assert all(count > 0 for count in split.values()), split
    assert sum(split.values()) == 12


def test_it_follows_a_run_started_through_one_node_through_the_other(figures: dict[str, Any]) -> None:
    follow = figures["follow"]
    assert follow["web_a"] != follow["web_b"]
    assert follow["status_a"] == follow["status_b"] == "succeeded"
    assert follow["identical"]


def test_it_ends_the_runs_of_a_killed_worker_lost_and_no_others(figures: dict[str, Any]) -> None:
    kill = figures["kill"]
    assert kill["stuck_status"] == "lost"
    assert kill["victim_lost"] >= 1
    assert kill["others_lost"] == 0
    assert kill["still_running"] == 0
    assert figures["phases"]["console, a worker killed"]["lost"] == kill["load_runs_lost"]
