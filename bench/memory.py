"""Memory benchmark: does a worker grow with the commands it runs, and what does an idle
open terminal cost the web process?

  worker   its RSS after 200 commands and after 2,000 (a mix of sts, s3api and iam
           calls, over one websocket): the second within 10% of the first, or it leaks
  web      its RSS before and after opening 100 idle terminals (websockets that got
           their hello frame): the growth per terminal

Prints both and exits 1 when the worker grew past its budget. Usage: `make bench` (env:
BENCH_MEMORY_COMMANDS, default 2000; BENCH_MEMORY_TERMINALS, default 100; DATABASE_URL)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any

import harness

COMMANDS = (
    "aws sts get-caller-identity",
    "aws s3api list-buckets --output table",
    "aws iam list-roles --output text",
)
GROWTH_BUDGET = 0.10
FIRST = 200


def run(ws: Any, command: str) -> None:
    ws.send(json.dumps({"type": "run", "command": command}))
    while True:
        frame = json.loads(ws.recv(timeout=30))
        if frame["type"] == "exit":
            if frame["code"] != 0:
                raise RuntimeError(f"`{command}` failed in the console: {frame}")
            return
        if frame["type"] == "error":
            raise RuntimeError(f"the console refused `{command}`: {frame}")


def worker_growth(console: harness.Console, total: int) -> tuple[int, int]:
    """The worker's RSS after FIRST commands and after `total`."""
    pid = harness.child_pid(b"celery")
    with console.terminal() as ws:
        for i in range(FIRST):
            run(ws, COMMANDS[i % len(COMMANDS)])
        first = harness.rss_bytes(pid)
        for i in range(FIRST, total):
            run(ws, COMMANDS[i % len(COMMANDS)])
        return first, harness.rss_bytes(pid)


def per_terminal(console: harness.Console, count: int) -> tuple[int, int]:
    """The web process's RSS with one terminal open, and with `count` more open and idle."""
    pid = harness.child_pid(b"daphne")
    with contextlib.ExitStack() as stack:
        stack.enter_context(console.terminal())  # the first opening's one-off costs
        time.sleep(1)
        before = harness.rss_bytes(pid)
        for _ in range(count):
            stack.enter_context(console.terminal())
        time.sleep(1)
        return before, harness.rss_bytes(pid)


def main() -> int:
    harness.prepare_environment()
    total = int(os.environ.get("BENCH_MEMORY_COMMANDS", "2000"))
    terminals = int(os.environ.get("BENCH_MEMORY_TERMINALS", "100"))
    with harness.running_console() as console:
        first, last = worker_growth(console, total)
        idle_before, idle_after = per_terminal(console, terminals)
    mib = 2**20
    growth = last / first - 1
    print("memory:")
    print(f"  worker RSS after {FIRST} commands   {first / mib:7.1f} MiB")
    print(f"  worker RSS after {total} commands  {last / mib:7.1f} MiB")
    print(f"  worker growth = {growth * 100:+.1f}% (budget: at most {GROWTH_BUDGET * 100:.0f}%)")
    per = (idle_after - idle_before) / terminals
    print(
        f"  web RSS {idle_before / mib:.1f} MiB -> {idle_after / mib:.1f} MiB with {terminals} idle "
        f"terminals: {per / 1024:.1f} KiB per terminal"
    )
    ok = growth <= GROWTH_BUDGET
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
