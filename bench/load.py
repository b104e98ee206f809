"""Load benchmark: busy terminals against raw botocore, side by side, in one run.

  raw      botocore `get_caller_identity` from the worker's number of threads (one
           client each), the same number of calls, against the same moto server
  console  N terminals (BENCH_TERMINALS, 50), each its own user over a real websocket,
           M commands each (BENCH_COMMANDS, 10) back to back

Prints throughput (commands/s) of both and their ratio (target with PostgreSQL: at least
0.5), the console's p50/p99 latency, and lost and out-of-order output (target: none;
bench/loadclient.py says how each command is judged). Exits 1 when a target is missed.

`--sqlite` runs the same against the embedded SQLite default (figures only: it has no
throughput target, see bench/README.md). `--web 2 --workers 2` (make bench-cluster)
runs two ASGI servers and two Celery workers with production settings on one Redis and
one PostgreSQL: throughput with one worker and with two, the split of runs between the
workers, a run started through web A followed to its end through web B, and one worker
SIGKILLed during the load, whose runs must end `lost` within a minute while nothing else
is lost. `--json PATH` writes the figures (tests/bench/test_cluster.py reads them);
`--no-speed-targets` checks only correctness (CI, where time is not measured)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
from cluster import Cluster, production_env
from loadclient import Tally, load
from loadreport import CpuUse, PgWaits, print_phase
from loadscenes import LOST_WITHIN, follow_across_nodes, kill_a_worker, runs_per_worker, summarize_kill

RATIO_TARGET = 0.5


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--web", type=int, default=1, help="ASGI servers (terminals spread over them)")
    parser.add_argument("--workers", type=int, default=1, help="Celery workers")
    parser.add_argument("--sqlite", action="store_true", help="the embedded SQLite default")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--no-speed-targets", action="store_true", help="check correctness only")
    args = parser.parse_args(argv)
    args.cluster = args.web > 1 or args.workers > 1
    if args.cluster and args.sqlite:
        parser.error("more than one node needs PostgreSQL (SQLite is one machine's file)")
    return args


def prepare(args: argparse.Namespace) -> None:
    """Keys in the environment (every node must open what another sealed), then Django."""
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault(
        "CONSOLE_ENCRYPTION_KEYS", "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='console-load-')}/console.sqlite3"
    else:  # its own database: a latency run beside it must not share the audit chain's head
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench_load")
    harness.prepare_environment()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    prepare(args)
    terminals = int(os.environ.get("BENCH_TERMINALS", "50"))
    commands = int(os.environ.get("BENCH_COMMANDS", "10"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "16"))
    import loadsetup

    with loadsetup.load_sandbox(terminals) as sandbox:
        cluster = start_cluster(args, sandbox, concurrency)
        try:
            figures = measure(args, cluster, sandbox, terminals, commands)
        finally:
            cluster.stop()
            harness._clear_namespace()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    print("within targets" if not figures["missed"] else "TARGETS MISSED: " + "; ".join(figures["missed"]))
    return 1 if figures["missed"] else 0


def start_cluster(args: argparse.Namespace, sandbox: Any, concurrency: int) -> Cluster:
    env = dict(os.environ)
    if args.cluster:
        env = production_env(env, sandbox.url, [sandbox.blackhole_host])
    log_dir = Path(os.environ["CONSOLE_LOCAL_DIR"])
    cluster = Cluster(env, log_dir, concurrency)
    try:
        for _ in range(args.web):
            cluster.start_web()
        cluster.start_worker()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@dataclass
class Bench:
    """One run's parts and figures; each phase is a load beside which a scene may run."""

    args: argparse.Namespace
    cluster: Cluster
    sandbox: Any
    commands: int
    raw: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def webs(self) -> list[str]:
        return [node.url for node in self.cluster.webs]

    def phase(self, name: str, during: Any = None, *, timed: bool = True) -> Tally:
        waits = None if self.args.sqlite or not timed else PgWaits()
        cpu = CpuUse({node.process.pid: f"{node.kind} {node.label}" for node in self.cluster.nodes})
        for probe in (waits, cpu):
            if probe is not None:
                probe.start()
        tally = asyncio.run(load(self.webs, self.sandbox.users, self.commands, during))
        if waits is not None:
            waits.stop()
        shown = self.figures["phases"][name] = print_phase(name, tally, self.raw, timed=timed)
        if timed:
            shown["cpu"] = cpu.report()
        if waits is not None:
            shown["pg_waits"] = waits.report()
        return tally


def measure(
    args: argparse.Namespace, cluster: Cluster, sandbox: Any, terminals: int, commands: int
) -> dict[str, Any]:
    import loadsetup

    database = "SQLite" if args.sqlite else "PostgreSQL"
    concurrency = cluster.concurrency
    print(
        f"{terminals} terminals x {commands} x `aws sts get-caller-identity`, {database}, "
        f"{len(cluster.webs)} web node(s), worker concurrency {concurrency}"
        + (" (production settings)" if args.cluster else "")
    )
    bench = Bench(args, cluster, sandbox, commands)
    bench.raw = loadsetup.measure_raw(
        sandbox.url, sandbox.keys[: len(sandbox.users)], terminals * commands, concurrency
    )
    print(f"  raw botocore           {bench.raw:8.1f} commands/s   ({concurrency} threads)")
    bench.figures = {"raw": bench.raw, "database": database, "phases": {}, "missed": []}
    one = bench.phase("console, 1 worker")
    judge(bench.figures, one, args, target=not args.cluster and not args.sqlite)
    if args.cluster:
        measure_cluster(bench, one)
    return bench.figures


def measure_cluster(bench: Bench, one: Tally) -> None:
    cluster, figures, workers = bench.cluster, bench.figures, bench.args.workers
    while len(cluster.workers) < workers:
        cluster.start_worker()
    follow: dict[str, Any] = {}
    two = bench.phase(
        f"console, {workers} workers",
        lambda tally: follow_across_nodes(bench.webs, bench.sandbox.follower, follow),
    )
    judge(figures, two, bench.args, target=True)
    ratio = two.throughput / one.throughput if one.throughput else 0.0
    print(
        f"  throughput side by side: 1 worker {one.throughput:.1f} commands/s, {workers} workers "
        f"{two.throughput:.1f} commands/s (x{ratio:.2f})"
    )
    figures["split"] = runs_per_worker(two, cluster)
    figures["follow"] = follow
    if not follow.get("identical"):
        figures["missed"].append("the run followed through web B did not match what web A saw")
    if sum(1 for count in figures["split"].values() if count) < min(workers, 2):
        figures["missed"].append("the runs did not execute on every worker")
    kill: dict[str, Any] = {}
    after = len(bench.sandbox.users) * bench.commands // 3
    killed = bench.phase(
        "console, a worker killed",
        lambda tally: kill_a_worker(cluster, bench.webs, bench.sandbox.stuck, tally, kill, after=after),
        timed=False,
    )
    summarize_kill(kill)
    figures["kill"] = kill
    judge_kill(figures, killed, kill, timed=not bench.args.no_speed_targets)


def judge(figures: dict[str, Any], tally: Tally, args: argparse.Namespace, *, target: bool) -> None:
    counts = tally.counts
    for problem in ("lost", "out_of_order", "failed"):
        if counts[problem]:
            figures["missed"].append(f"{counts[problem]} command(s) {problem.replace('_', ' ')}")
    ratio = tally.throughput / figures["raw"] if figures["raw"] else 0.0
    if target and not args.no_speed_targets and not args.sqlite and ratio < RATIO_TARGET:
        figures["missed"].append(f"console / raw throughput {ratio:.2f} < {RATIO_TARGET}")


def judge_kill(figures: dict[str, Any], tally: Tally, kill: dict[str, Any], *, timed: bool) -> None:
    counts = tally.counts
    for problem in ("out_of_order", "failed"):
        if counts[problem]:
            figures["missed"].append(
                f"killed worker: {counts[problem]} command(s) {problem.replace('_', ' ')}"
            )
    if kill.get("others_lost"):
        figures["missed"].append(f"{kill['others_lost']} run(s) of the surviving worker ended lost")
    if not kill.get("victim_lost"):
        figures["missed"].append("the killed worker's in-flight runs did not end lost")
    if kill.get("still_running"):
        figures["missed"].append("runs of the killed worker are still `running`")
    if timed and kill.get("last_lost_after", LOST_WITHIN + 1) > LOST_WITHIN:
        figures["missed"].append(f"the killed worker's runs were not all lost within {LOST_WITHIN:g} s")
    if counts["lost"] != kill.get("load_runs_lost", -1):
        figures["missed"].append("terminals saw other runs lost than the killed worker's")
    print(
        f"  kill: SIGKILL {kill.get('victim')} with {kill.get('in_flight')} run(s) in flight; "
        f"{kill.get('victim_lost')} ended lost ({kill.get('victim_lost_queued')} of them queued: "
        f"taken off the queue by it, never claimed), "
        f"the last {kill.get('last_lost_after', 0):.1f} s after the kill; "
        f"runs of other workers lost: {kill.get('others_lost')}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
