"""Figures of a load phase, and where PostgreSQL's backends spent it: pg_stat_activity
sampled every 50 ms while the terminals run (active backends of the bench database by
wait event; "CPU" is a backend running, not waiting), with the statements that waited on
a lock. One connection of its own, on a thread, so it costs the console nothing but the
samples' reads."""

from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any

from loadclient import Tally

SAMPLE_SECONDS = 0.05


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
    print(f"  {name:<22} {speed}lost {figures['lost']}   out of order {figures['out_of_order']}   failed {figures['failed']}")
    for outcome in [o for o in tally.outcomes if o.problem][:5]:
        print(f"      {outcome.problem}: run {outcome.run_id or '?'}: {outcome.detail}")
    return figures


class PgWaits:
    def __init__(self) -> None:
        self.events: Counter[str] = Counter()
        self.locked: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.events, self.locked, self.samples = Counter(), Counter(), 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self) -> None:
        import psycopg

        query = (
            "SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, ''), left(query, 90) "
            "FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not self._stop.wait(SAMPLE_SECONDS):
                self.samples += 1
                for kind, event, statement in conn.execute(query).fetchall():
                    self.events[f"{kind}:{event}".rstrip(":")] += 1
                    if kind == "Lock":
                        self.locked[" ".join(statement.split())] += 1

    def report(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        busy = sum(self.events.values()) / self.samples
        print(f"      PostgreSQL: {busy:.1f} active backends on average; by wait event:")
        for event, count in self.events.most_common(6):
            print(f"        {event:<28} {count / self.samples:5.2f}")
        for statement, count in self.locked.most_common(3):
            print(f"        lock wait {count / self.samples:5.2f}: {statement}")
        return {"active": busy, "events": dict(self.events.most_common(10)), "samples": self.samples}
