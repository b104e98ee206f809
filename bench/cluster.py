"""Processes standing in for hosts (bench/load.py): ASGI servers and Celery workers as
subprocesses sharing one Redis and one database, each started, named and stopped here.

A worker is known by the name it announces in the workers' sorted set (console/runs/
workers.py) and records on every run it claims (`CommandRun.worker`), so the split of
runs between workers and the runs a killed worker held are read from the run rows, not
guessed. With `production` on, every node gets CONSOLE_ENV=production and the settings it
requires (docs/deploy.md): the same keys in every process, as real hosts would share them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import harness

# Daphne behind a TLS proxy, as production expects (SECURE_SSL_REDIRECT): the probe says so.
FORWARDED_HTTPS = {"X-Forwarded-Proto": "https"}


@dataclass
class Node:
    kind: str  # "web" or "worker"
    process: subprocess.Popen[bytes]
    url: str = ""  # web: http://127.0.0.1:port
    name: str = ""  # worker: its announced name, as run rows record it

    @property
    def label(self) -> str:
        return self.url if self.kind == "web" else self.name


def production_env(base: dict[str, str], sandbox_url: str, extra_hosts: list[str]) -> dict[str, str]:
    """What CONSOLE_ENV=production requires (console/settings.py), with the sandbox as the
    only AWS endpoint: keys passed in (never generated), PostgreSQL, no sandbox defaults."""
    host = sandbox_url.split("://", 1)[1]
    env = dict(base)
    env.update(
        CONSOLE_ENV="production",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONSOLE_SANDBOX="false",
        CONSOLE_ALLOW_STATIC_KEYS="true",
        CONSOLE_ENDPOINT_ALLOWLIST=",".join([host, *extra_hosts]),
        LOG_LEVEL="WARNING",
    )
    return env


@dataclass
class Cluster:
    env: dict[str, str]
    log_dir: Path
    concurrency: int
    nodes: list[Node] = field(default_factory=list)

    @property
    def webs(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "web" and n.process.poll() is None]

    @property
    def workers(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "worker" and n.process.poll() is None]

    def _spawn(self, kind: str, command: list[str]) -> subprocess.Popen[bytes]:
        index = sum(1 for n in self.nodes if n.kind == kind) + 1
        log = (self.log_dir / f"{kind}{index}.log").open("wb")
        return subprocess.Popen(
            command,
            cwd=harness.ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )

    def start_web(self) -> Node:
        from console.processes import web_command

        port = harness.free_port()
        node = Node("web", self._spawn("web", web_command("127.0.0.1", port)), url=f"http://127.0.0.1:{port}")
        self.nodes.append(node)
        _wait(lambda: _answers(f"{node.url}/healthz"), f"web node {node.url}", node)
        return node

    def start_worker(self) -> Node:
        from console.processes import worker_command

        known = set(announced_workers())
        node = Node("worker", self._spawn("worker", worker_command(concurrency=self.concurrency)))
        self.nodes.append(node)

        def announced() -> bool:
            new = set(announced_workers()) - known
            node.name = min(new) if new else ""
            return bool(new)

        _wait(announced, "a Celery worker", node)
        return node

    def kill(self, node: Node) -> None:
        """SIGKILL: no shutdown handler runs, the worker's runs are left `running`."""
        os.killpg(node.process.pid, signal.SIGKILL)
        node.process.wait()

    def stop(self) -> None:
        for node in self.nodes:
            if node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGTERM)
        for node in self.nodes:
            try:
                node.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(node.process.pid, signal.SIGKILL)
                node.process.wait()


def announced_workers() -> list[str]:
    from console.runs import workers

    return [name.decode() for name in workers.redis_client().zrange(workers.workers_key(), 0, -1)]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url, headers=FORWARDED_HTTPS)
    try:
        with urllib.request.urlopen(request, timeout=1):  # noqa: S310 - our own loopback node
            return True
    except OSError:
        return False


def _wait(check: object, what: str, node: Node, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {node.process.returncode} (see its log)")
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:g} s")
