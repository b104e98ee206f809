"""The floor under the console's speed: what its path costs with no command in it, side by
side with raw botocore in one run (bench/floorapp.py says what each kind does).

  latency  interleaved rounds of raw `get_caller_identity` and of each kind over one
           websocket; medians, p95s and each kind's median over raw's
  load     FLOOR_TERMINALS (50) websockets, each FLOOR_COMMANDS (10) rounds back to back,
           for each kind in FLOOR_LOADED (inline,queued,lean), then raw botocore from
           FLOOR_CONCURRENCY (16, the worker's --concurrency) threads against the same
           moto server; rounds/s and CPU per round of each

A command costs at least its kind's floor plus its AWS call, so the console's latency
target (at most twice raw, bench/latency.py) can be met only if the floor is under raw's
median. Its CPU is at least the floor's (web server, worker, PostgreSQL, Redis) plus the
call's (botocore's side and moto's), so the machine's cores can do at most cores / (both)
commands a second: the load target (half raw's throughput, bench/load.py) can be met only
if that is at least half raw's rate. It prints, for each path, whether each target is
within reach (the load verdicts for the kinds loaded). No budget of its own: it exits 1
only when a round fails (no answer within 30 s, or an answer that is not its own).
Usage: `make bench` (env: FLOOR_ROUNDS, 200; DATABASE_URL, REDIS_URL as in
bench/latency.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness

ROUNDS = int(os.environ.get("FLOOR_ROUNDS", "200"))
TERMINALS = int(os.environ.get("FLOOR_TERMINALS", "50"))
COMMANDS = int(os.environ.get("FLOOR_COMMANDS", "10"))
CONCURRENCY = int(os.environ.get("FLOOR_CONCURRENCY", "16"))
ANSWER_TIMEOUT = 30.0
LOADED_KINDS = tuple(os.environ.get("FLOOR_LOADED", "inline,queued,lean").split(","))


OWN_CPU = "terminals (bench)"  # loadreport.CpuUse's label for this process


@dataclass
class Load:
    rate: float  # rounds (or calls) per second
    cpu: float  # core-seconds per round


class FloorError(RuntimeError):
    """A round that got no answer, or another round's."""


def main() -> int:
    harness.prepare_environment()
    import floorapp

    from sandbox.seed import enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    floorapp.fresh_table()
    with SandboxProcess(port=int(os.environ["SANDBOX_PORT"])) as sandbox:
        seed = seed_demo(sandbox.url, secret=sandbox.control_secret)
        enforce_auth(sandbox.url, secret=sandbox.control_secret)
        with floor_stack() as (ws_url, nodes):
            try:
                latency = measure_latency(ws_url, sandbox.url, seed)
                loads = measure_load(ws_url, sandbox.url, seed, nodes)
            except FloorError as exc:
                print(f"FAILED: {exc}")
                return 1
    print_verdict(latency, loads)
    return 0


@contextmanager
def floor_stack() -> Iterator[tuple[str, dict[int, str]]]:
    """floorapp's Celery worker and web server, as the console's are started
    (console/processes.py), and its lean queue's worker."""
    from console.processes import web_command, worker_command

    harness._clear_namespace()
    port = harness.free_port()
    bench_dir = Path(__file__).resolve().parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(bench_dir), str(harness.ROOT)]))
    logs = Path(os.environ["CONSOLE_LOCAL_DIR"])
    commands = {
        "worker": worker_command(concurrency=CONCURRENCY, app="floorapp"),
        "web": web_command("127.0.0.1", port, application="floorapp:application"),
        "lean worker": [sys.executable, str(bench_dir / "floorapp.py"), "lean", str(CONCURRENCY)],
    }
    children = [
        subprocess.Popen(  # noqa: S603 - our own processes
            command,
            cwd=harness.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / f"{name}.log").open("wb"),
        )
        for name, command in commands.items()
    ]
    ws_url = f"ws://127.0.0.1:{port}/floor/"
    try:
        _wait_until_answering(ws_url, logs)
        yield ws_url, {child.pid: name for child, name in zip(children, commands, strict=True)}
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=15)
        harness._clear_namespace()


def _wait_until_answering(ws_url: str, logs: Path) -> None:
    from websockets.sync.client import connect

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with connect(ws_url) as ws:
                _round(ws, "queue", timeout=1.0)
                _round(ws, "lean", timeout=1.0)
                return
        except (OSError, TimeoutError, FloorError):
            time.sleep(0.2)
    raise RuntimeError(f"the floor's web server or worker did not start (logs in {logs})")


def _round(ws: Any, kind: str, timeout: float = ANSWER_TIMEOUT) -> float:
    row_id = str(uuid.uuid4())
    began = time.perf_counter()
    ws.send(json.dumps({"kind": kind, "id": row_id}))
    answer = json.loads(ws.recv(timeout=timeout))
    elapsed = time.perf_counter() - began
    _check(answer, row_id, kind)
    return elapsed


def _check(answer: dict[str, Any], row_id: str, kind: str) -> None:
    import floorapp

    if answer.get("id") != row_id or answer.get("output") != floorapp.OUTPUT:
        raise FloorError(f"a {kind} round got {answer!r} for {row_id}")


def measure_latency(ws_url: str, sandbox_url: str, seed: Any) -> dict[str, float]:
    """Medians (s) of raw and of each kind, interleaved so the machine's noise falls on all."""
    from floorapp import KINDS
    from latency import raw_client, time_raw
    from websockets.sync.client import connect

    client = raw_client(sandbox_url, seed)
    samples: dict[str, list[float]] = {name: [] for name in ("raw", *KINDS)}
    with connect(ws_url) as ws:
        for _ in range(10):  # warm: connections, the worker's threads, botocore's models
            client.get_caller_identity()
            for kind in KINDS:
                _round(ws, kind)
        for _ in range(ROUNDS):
            samples["raw"].append(time_raw(client))
            for kind in KINDS:
                samples[kind].append(_round(ws, kind))
    print(f"the path with no command in it, beside raw botocore ({ROUNDS} rounds, interleaved):")
    medians = {name: harness.report(name, values) for name, values in samples.items()}
    for kind in KINDS:
        print(f"  {kind:<22} / raw = {medians[kind] / medians['raw']:.2f}")
    return medians


def measure_load(ws_url: str, sandbox_url: str, seed: Any, nodes: dict[int, str]) -> dict[str, Load]:
    """Each loaded kind from TERMINALS websockets, then raw from CONCURRENCY threads: rounds
    per second, and CPU per round of the processes that did its work (the kinds: the web
    server, the worker, PostgreSQL and Redis; raw: moto and this process, botocore's side
    of the call, which a command makes in the worker)."""
    from loadreport import CpuUse
    from loadsetup import measure_raw

    cpu = CpuUse(nodes)
    loads: dict[str, Load] = {}
    print(f"under load ({TERMINALS} terminals x {COMMANDS} rounds; raw from {CONCURRENCY} threads):")
    for kind in LOADED_KINDS:
        with cpu:
            rate = asyncio.run(_load(ws_url, kind))
        loads[kind] = Load(rate, sum(v for k, v in cpu.used.items() if k not in ("moto", OWN_CPU)) / rate)
        print(f"  {kind:<22} {rate:9.1f} rounds/s   CPU {loads[kind].cpu * 1000:5.1f} core-ms per round")
    keys = [(seed.access_key_id, seed.secret_access_key)]
    rate = measure_raw(sandbox_url, keys, TERMINALS * COMMANDS, CONCURRENCY, around=cpu)
    loads["raw"] = Load(rate, (cpu.used.get("moto", 0.0) + cpu.used.get(OWN_CPU, 0.0)) / rate)
    print(f"  {'raw':<22} {rate:9.1f} calls/s    CPU {loads['raw'].cpu * 1000:5.1f} core-ms per call")
    return loads


async def _load(ws_url: str, kind: str) -> float:
    from websockets.asyncio.client import connect

    sockets = [await connect(ws_url) for _ in range(TERMINALS)]
    try:
        began = time.perf_counter()
        await asyncio.gather(*(_terminal(ws, kind) for ws in sockets))
        return TERMINALS * COMMANDS / (time.perf_counter() - began)
    finally:
        for ws in sockets:
            await ws.close()


async def _terminal(ws: Any, kind: str) -> None:
    for _ in range(COMMANDS):
        row_id = str(uuid.uuid4())
        await ws.send(json.dumps({"kind": kind, "id": row_id}))
        try:
            answer = json.loads(await asyncio.wait_for(ws.recv(), ANSWER_TIMEOUT))
        except TimeoutError as exc:
            raise FloorError(f"a {kind} round had no answer within {ANSWER_TIMEOUT:.0f} s") from exc
        _check(answer, row_id, kind)


def print_verdict(latency: dict[str, float], loads: dict[str, Load]) -> None:
    """A command costs at least its path's floor plus its AWS call, in time and in CPU."""
    cores = os.cpu_count() or 1
    raw = loads["raw"]
    print("what the floor leaves within reach:")
    paths = (("queued", "through Celery"), ("lean", "through a Redis list"), ("inline", "in the web process"))
    for kind, path in paths:
        extra = latency[kind] / latency["raw"]
        print(f"  {path}: latency floor {extra:.2f} x raw, so console / raw >= {1 + extra:.2f}", end="")
        print(f" (target at most 2: {'within reach' if extra < 1 else 'OUT OF REACH'})")
        if kind not in loads:  # not loaded this run (FLOOR_LOADED)
            continue
        # The machine's cores can do at most this many commands a second, each doing the
        # floor's work and the AWS call's (even with nothing else on the machine).
        ceiling = cores / (loads[kind].cpu + raw.cpu) / raw.rate
        print(f"  {path}: {cores} cores / (floor + call) CPU = {ceiling:.2f} x raw's throughput", end="")
        print(f" (target at least 0.5: {'within reach' if ceiling >= 0.5 else 'OUT OF REACH'})")


if __name__ == "__main__":
    sys.exit(main())
