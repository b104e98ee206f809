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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare_environment() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
    os.environ["CONSOLE_REDIS_PREFIX"] = f"bench-{os.getpid()}"
    os.environ["CONSOLE_ENV"] = "local"
    os.environ["CONSOLE_LOCAL_DIR"] = tempfile.mkdtemp(prefix="console-bench-")
    os.environ["SANDBOX_PORT"] = str(_free_port())
    os.environ.pop("CONSOLE_SANDBOX_URL", None)
    os.environ.pop("CONSOLE_ENDPOINT_ALLOWLIST", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


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


def measure_side_by_side(
    url: str, seed: Any, web_url: str, token: str, rounds: int
) -> tuple[list[float], list[float]]:
    """Raw and console calls interleaved, so the machine's noise falls on both alike."""
    from websockets.sync.client import connect

    client = raw_client(url, seed)
    ws_url = web_url.replace("http://", "ws://") + "/ws/terminal/?terminal=bench"
    headers = {"Origin": "http://localhost", "Authorization": f"Bearer {token}"}
    raw, console = [], []
    with connect(ws_url, additional_headers=headers, max_size=None) as ws:
        json.loads(ws.recv())  # hello
        for _ in range(10):
            _run(ws)
        for _ in range(rounds):
            raw.append(time_raw(client))
            console.append(_run(ws))
    return raw, console


def _run(ws: Any) -> float:
    began = time.perf_counter()
    ws.send(json.dumps({"type": "run", "command": "aws sts get-caller-identity"}))
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


def start_stack(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], str]:
    from console.runs import queue

    client = queue.redis_client()
    for key in client.scan_iter(f"{os.environ['CONSOLE_REDIS_PREFIX']}*"):
        client.delete(key)
    port = _free_port()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "console",
            "--quiet",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "8",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--access-log",
            os.devnull,
            "console.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            if queue.live_workers():
                return [worker, web], url
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the console did not start")


def report(name: str, samples: list[float]) -> float:
    median, p95 = stats(samples)
    print(f"  {name:<8} median {median * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms   (n={len(samples)})")
    return median


def main() -> int:
    _prepare_environment()
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from console import demo
    from console.api.tokens import create_token
    from sandbox.seed import enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    call_command("migrate", verbosity=0, interactive=False)
    rounds = int(os.environ.get("BENCH_ROUNDS", "200"))
    cli_rounds = int(os.environ.get("BENCH_CLI_ROUNDS", "15"))
    with SandboxProcess(port=int(os.environ["SANDBOX_PORT"])) as sandbox:
        seed = seed_demo(sandbox.url)
        user = demo.ensure_demo_user(demo.generate_password(), username="bench")
        demo.install_sandbox_profiles(user, seed, sandbox.url)
        enforce_auth(sandbox.url)
        token = create_token(user, name="bench")
        children, web_url = start_stack(dict(os.environ))
        try:
            raw, console = measure_side_by_side(sandbox.url, seed, web_url, token, rounds)
            cli = measure_cli(sandbox.url, seed, cli_rounds)
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=15)
    print("aws sts get-caller-identity against the sandbox, measured side by side:")
    raw_median = report("raw", raw)
    console_median = report("console", console)
    overhead = (console_median - raw_median) * 1000
    print(f"  console - raw = {overhead:.2f} ms (budget: at most 20 ms)")
    ok = overhead <= 20
    if cli is not None:
        cli_median = report("cli", cli)
        ratio = console_median / cli_median
        print(f"  console / cli = {ratio:.3f} (budget: at most 0.100)")
        ok = ok and ratio <= 0.1
    else:
        print("  cli      not measured: the awscli package is not installed")
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
