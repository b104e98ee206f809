"""Figures of a load phase, and where PostgreSQL's backends spent it: pg_stat_activity
sampled every 50 ms while the terminals run (active backends of the bench database by
wait event; "CPU" is a backend running, not waiting), with the statements that waited on
a lock. One connection of its own, on a thread, so it costs the console nothing but the
samples' reads."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from loadclient import Tally

SAMPLE_SECONDS = 0.05
CONNECTIONS = "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"
# What the backends that others wait on are doing: running a statement, or idle in their
# transaction (waiting for the client, e.g. a worker thread waiting for the GIL).
HOLDERS = (
    "SELECT DISTINCT ON (h.pid) CASE WHEN h.state = 'active' THEN 'in ' || coalesce(h.wait_event, 'CPU') "
    "ELSE h.state END, h.query FROM pg_stat_activity w "
    "CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid) JOIN pg_stat_activity h ON h.pid = b.pid "
    "WHERE w.datname = current_database() AND w.wait_event_type = 'Lock' "
    "AND h.wait_event_type IS DISTINCT FROM 'Lock'"
)


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def print_phase(name: str, tally: Tally, raw: float, *, timed: bool = True) -> dict[str, Any]:
    """One line of figures; `timed` off for a phase whose clock includes waiting on the reaper."""
    counts = tally.counts
    latencies = tally.latencies()
    figures = {
        "commands": len(tally.outcomes),
        "throughput": tally.throughput,
        "ratio": tally.throughput / raw if raw else 0.0,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "lost": counts["lost"],
        "out_of_order": counts["out_of_order"],
        "failed": counts["failed"],
    }
    speed = (
        f"{figures['throughput']:8.1f} commands/s   console / raw = {figures['ratio']:.2f}   "
        f"p50 {figures['p50_ms']:7.1f} ms   p99 {figures['p99_ms']:7.1f} ms   "
        if timed
        else f"{figures['commands']} commands (not timed: the reaper's wait is in the clock)   "
    )
    problems = f"lost {figures['lost']}   out of order {figures['out_of_order']}   failed {figures['failed']}"
    print(f"  {name:<22} {speed}{problems}")
    for outcome in [o for o in tally.outcomes if o.problem][:5]:
        print(f"      {outcome.problem}: run {outcome.run_id or '?'}: {outcome.detail}")
    return figures


class PgWaits:
    def __init__(self) -> None:
        self.events: Counter[str] = Counter()
        self.locked: Counter[str] = Counter()
        self.holders: Counter[str] = Counter()
        self.samples = 0
        self.peak_connections = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.events, self.locked, self.holders, self.samples = Counter(), Counter(), Counter(), 0
        self.peak_connections = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self) -> None:
        import psycopg

        # A backend idle in a transaction waits for its client's next statement: if it
        # holds a lock others wait on, the lock is held while that process is busy.
        query = (
            "SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type, 'CPU') "
            "ELSE 'Idle in transaction' END, "
            "CASE WHEN state = 'active' THEN coalesce(wait_event, '') ELSE 'client busy' END, "
            "left(query, 90) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not self._stop.wait(SAMPLE_SECONDS):
                self.samples += 1
                for kind, event, statement in conn.execute(query).fetchall():
                    self.events[f"{kind}:{event}".rstrip(":")] += 1
                    if kind == "Lock":
                        self.locked[" ".join(statement.split())] += 1
                (connections,) = conn.execute(CONNECTIONS).fetchone() or (0,)
                self.peak_connections = max(self.peak_connections, int(connections))
                for state, statement in conn.execute(HOLDERS).fetchall():
                    self.holders[f"{state}: {' '.join(statement.split())[:48]}"] += 1

    def report(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        busy = sum(self.events.values()) / self.samples
        print(
            f"      PostgreSQL: {self.peak_connections} connections at most to the bench database; "
            f"{busy:.1f} backends in a statement or transaction on average; by wait:"
        )
        for event, count in self.events.most_common(6):
            print(f"        {event:<28} {count / self.samples:5.2f}")
        for statement, count in self.locked.most_common(3):
            print(f"        lock wait {count / self.samples:5.2f}: {statement}")
        for holder, count in self.holders.most_common(4):
            print(f"        the lock's holder {count / self.samples:5.2f}: {holder}")
        return {
            "active": busy,
            "events": dict(self.events.most_common(10)),
            "holders": dict(self.holders.most_common(5)),
            "peak_connections": self.peak_connections,
            "samples": self.samples,
        }


class CpuUse:
    """CPU seconds per process kind over a phase, from /proc: the console's nodes by pid,
    the sandbox by its command line, PostgreSQL and Redis by name (every backend, so
    other users of the same servers count too), and this process (the terminals)."""

    def __init__(self, nodes: dict[int, str]) -> None:
        self.nodes = nodes
        self.before: dict[str, float] = {}
        self.wall = 0.0
        self.used: dict[str, float] = {}  # the last report's

    def start(self) -> None:
        self.before, self.wall = self._sample(), time.monotonic()

    def __enter__(self) -> CpuUse:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.report()

    def report(self) -> dict[str, float]:
        after, wall = self._sample(), time.monotonic() - self.wall
        used = self.used = {k: (after.get(k, 0.0) - self.before.get(k, 0.0)) / wall for k in after}
        shown = "   ".join(
            f"{k} {v * 100:.0f}%" for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v > 0.005
        )
        print(f"      CPU (100% = one core, of {os.cpu_count()}): {shown}")
        return used

    def _sample(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        totals: dict[str, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            label = self._label(int(entry))
            if label is None:
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            totals[label] = totals.get(label, 0.0) + (int(fields[11]) + int(fields[12])) / tick
        return totals

    def _label(self, pid: int) -> str | None:
        if pid in self.nodes:
            return self.nodes[pid]
        if pid == os.getpid():
            return "terminals (bench)"
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return None
        if "sandbox.server" in cmdline and f"--exit-with-parent={os.getpid()}" in cmdline:
            return "moto"
        name = cmdline.split(" ", 1)[0].rsplit("/", 1)[-1]
        if name.startswith("postgres") or cmdline.startswith("postgres:"):
            return "postgresql (all)"
        if name.startswith("redis-server"):
            return "redis (all)"
        return None
