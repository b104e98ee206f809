"""What every benchmark here shares: an isolated environment (own Redis namespace, own
database, fresh keys), a seeded sandbox, and the console's real worker and ASGI server as
subprocesses, plus medians and p95s. Import it before Django is set up."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_environment() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
    os.environ["CONSOLE_REDIS_PREFIX"] = f"bench-{os.getpid()}"
    os.environ["CONSOLE_ENV"] = "local"
    os.environ["CONSOLE_LOCAL_DIR"] = tempfile.mkdtemp(prefix="console-bench-")
    os.environ["SANDBOX_PORT"] = str(free_port())
    os.environ.pop("CONSOLE_SANDBOX_URL", None)
    os.environ.pop("CONSOLE_ENDPOINT_ALLOWLIST", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


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


def report(name: str, samples: list[float], unit: str = "ms") -> float:
    median, p95 = stats(samples)
    scale = 1000 if unit == "ms" else 1
    figures = f"median {median * scale:9.2f} {unit}   p95 {p95 * scale:9.2f} {unit}"
    print(f"  {name:<22} {figures}   (n={len(samples)})")
    return median


def child_pid(marker: bytes) -> int:
    """The pid of this process's child whose command line holds `marker` (b"celery" for
    the worker, b"daphne" for the web server)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if int(parent) == os.getpid() and marker in cmdline:
            return int(entry.name)
    raise RuntimeError(f"no child process running {marker.decode()}")


def rss_bytes(pid: int) -> int:
    """A process's resident set size, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"process {pid} has no VmRSS")


@dataclass
class Console:
    sandbox_url: str
    seed: Any
    web_url: str
    token: str
    # The sandbox's control secret, for moto's model data (bench/latency.py).
    sandbox_secret: str = field(repr=False, default="")
    username: str = "bench"

    def terminal(self) -> Any:
        from websockets.sync.client import connect

        ws_url = self.web_url.replace("http://", "ws://") + "/ws/terminal/?terminal=bench"
        headers = {"Origin": "http://localhost", "Authorization": f"Bearer {self.token}"}
        ws = connect(ws_url, additional_headers=headers, max_size=None)
        json.loads(ws.recv())  # hello
        return ws


# The run's own user: benchmarks running at once on one database each seal their user's
# profiles with their own fresh keys, so a shared `bench` user broke the other run.
BENCH_USER = f"bench-{os.getpid()}"


@contextlib.contextmanager
def running_console() -> Iterator[Console]:
    """A seeded sandbox, a user of this run's own (`bench-<pid>`) with the demo profiles and
    an API token, and the console's worker and web server."""
    from console import demo
    from console.api.tokens import create_token
    from sandbox.seed import enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    with SandboxProcess(port=int(os.environ["SANDBOX_PORT"])) as sandbox:
        seed = seed_demo(sandbox.url, secret=sandbox.control_secret)
        user = demo.ensure_demo_user(demo.generate_password(), username=BENCH_USER)
        demo.install_sandbox_profiles(user, seed, sandbox.url)
        enforce_auth(sandbox.url, secret=sandbox.control_secret)
        token = create_token(user, name="bench")
        children, web_url = _start_stack(dict(os.environ))
        try:
            yield Console(sandbox.url, seed, web_url, token, sandbox.control_secret, BENCH_USER)
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=15)
            _clear_namespace()


def _clear_namespace() -> None:
    from console.runs import workers

    client = workers.redis_client()
    for key in client.scan_iter(f"{os.environ['CONSOLE_REDIS_PREFIX']}*"):
        client.delete(key)


def _start_stack(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], str]:
    from console.runs import workers

    _clear_namespace()
    port = free_port()
    env["PORT"] = str(port)  # the web server's own origins (CONSOLE_ORIGINS), for a browser (pageload.py)
    logs = Path(os.environ["CONSOLE_LOCAL_DIR"])  # worker.log and web.log, for a failed run
    from console.processes import web_command, worker_command

    commands = (("worker", worker_command(concurrency=8)), ("web", web_command("127.0.0.1", port)))
    children = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(logs / f"{name}.log").open("wb")
        )
        for name, command in commands
    ]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            if workers.live_workers():
                return children, url
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the console did not start")
