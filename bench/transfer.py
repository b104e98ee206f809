"""Transfer benchmark: one run, side by side, against the sandbox (issue 12).

  upload   the browser's path: POST /files/uploads, then PUT chunks with Content-Range
           (as static/terminal/files-panel.js sends them, with the API token instead of
           the session cookie and CSRF header), through the real ASGI server
  console  `aws s3 cp big.bin s3://b/` and back through a websocket terminal (run frame
           to exit frame), through the Celery worker, workspace storage and s3transfer
  cli      the same two `aws s3 cp` by the `aws` CLI process (the awscli package) in a
           temporary folder holding the same file (process start-up included, as for a
           person typing it)

Prints MB/s of each, then one line per budget, each ending `ok` or `OVER`: `console /
cli` throughput for each direction (at least 0.8) and the worker's peak RSS while each of
the console's copies runs (under 200 MB = 10^6 bytes, shown with MiB and the growth over
the RSS before the copy; sampled from /proc every 20 ms). Exits 1 when one is over (or
the CLI could not be measured). Usage: `.venv/bin/python bench/transfer.py` (env: BENCH_TRANSFER_MB,
default 100; DATABASE_URL)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import harness

MB = 1_000_000
BUCKET = "bench-transfer"
PIECE = bytes(range(256)) * 4096  # 1 MiB that does not compress to nothing


def content(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        piece = PIECE[: size - sent]
        sent += len(piece)
        yield piece


def upload(console: harness.Console, name: str, size: int) -> float:
    """The files panel's resumable upload: start, then one PUT per chunk."""
    import httpx

    headers = {"Authorization": f"Bearer {console.token}"}
    with httpx.Client(base_url=console.web_url, headers=headers, timeout=120) as http:
        chunk = (
            http.get("/files/list", params={"path": ""}).raise_for_status().json()["limits"]["chunk_bytes"]
        )
        began = time.perf_counter()
        started = http.post("/files/uploads", json={"path": name, "size": size}).raise_for_status().json()
        data = b"".join(content(size))  # the browser holds the File; the bench holds its bytes
        for first in range(0, size, chunk):
            last = min(first + chunk, size) - 1
            answer = http.put(
                f"/files/uploads/{started['id']}",
                content=data[first : last + 1],
                headers={"Content-Range": f"bytes {first}-{last}/{size}"},
            ).raise_for_status()
        elapsed = time.perf_counter() - began
    if not answer.json()["done"]:
        raise RuntimeError(f"the upload did not finish: {answer.json()}")
    return elapsed


def run(ws: Any, command: str) -> float:
    began = time.perf_counter()
    ws.send(json.dumps({"type": "run", "command": command}))
    while True:
        frame = json.loads(ws.recv())
        if frame["type"] == "exit":
            if frame["code"] != 0:
                raise RuntimeError(f"`{command}` failed in the console: {frame}")
            return time.perf_counter() - began
        if frame["type"] == "error":
            raise RuntimeError(f"the console refused `{command}`: {frame}")


@contextmanager
def peak_rss(pid: int) -> Iterator[list[int]]:
    """The process's highest resident size while the block runs: [baseline, peak]."""
    figures = [harness.rss_bytes(pid), 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            figures[1] = max(figures[1], harness.rss_bytes(pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield figures
    finally:
        done.set()
        sampler.join()


def console_copies(console: harness.Console, name: str) -> tuple[float, float, list[int], list[int]]:
    """Both copies, and the worker's RSS [before, peak] during each."""
    pid = harness.child_pid(b"celery")  # the worker the harness started
    with console.terminal() as ws:
        run(ws, f"aws s3 mb s3://{BUCKET} --profile admin")
        with peak_rss(pid) as up_rss:
            up = run(ws, f"aws s3 cp {name} s3://{BUCKET}/console.bin --no-progress --profile admin")
        with peak_rss(pid) as down_rss:
            down = run(ws, f"aws s3 cp s3://{BUCKET}/console.bin back.bin --no-progress --profile admin")
    return up, down, up_rss, down_rss


def cli_copies(console: harness.Console, size: int) -> tuple[float, float] | None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        with (folder / "big.bin").open("wb") as file:
            for piece in content(size):
                file.write(piece)
        env = cli_environment(console, folder)

        def copy(*args: str) -> float:
            began = time.perf_counter()
            subprocess.run(
                [aws, "s3", "cp", *args, "--no-progress", "--profile", "admin"],
                cwd=folder,
                env=env,
                check=True,
                capture_output=True,
            )
            return time.perf_counter() - began

        return copy("big.bin", f"s3://{BUCKET}/cli.bin"), copy(f"s3://{BUCKET}/cli.bin", "back.bin")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cli_environment(console: harness.Console, folder: Path) -> dict[str, str]:
    """The demo keys, and `admin` as the role the console's `admin` profile assumes."""
    seed, common = console.seed, f"region = us-east-1\nendpoint_url = {console.sandbox_url}\n"
    admin = f"role_arn = {seed.admin_role_arn}\nsource_profile = default\n"
    (folder / "config").write_text(f"[default]\n{common}\n[profile admin]\n{common}{admin}")
    keys = f"aws_access_key_id = {seed.access_key_id}\naws_secret_access_key = {seed.secret_access_key}\n"
    (folder / "credentials").write_text(f"[default]\n{keys}")
    return dict(
        os.environ,
        HOME=str(folder),
        AWS_CONFIG_FILE=str(folder / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "credentials"),
    )


def forget_usage() -> None:
    """Each run has a new, empty workspace folder: the bench database's quota counters
    (kept from earlier runs) no longer describe it, and would refuse the upload."""
    from console.workspace.models import WorkspaceReservation, WorkspaceUsage

    WorkspaceUsage.objects.all().delete()
    WorkspaceReservation.objects.all().delete()


def rate(size: int, seconds: float) -> str:
    return f"{size / MB / seconds:8.1f} MB/s  ({seconds:6.2f} s)"


def main() -> int:
    size = int(float(os.environ.get("BENCH_TRANSFER_MB", "100")) * MB)
    # The upload and the download's copy are both in the bench user's workspace: room for
    # two copies of a 1 GB file (the default quota is 1 GiB).
    os.environ.setdefault("CONSOLE_WORKSPACE_QUOTA", str(max(1024**3, 3 * size)))
    harness.prepare_environment()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per chunk otherwise
    forget_usage()
    try:
        with harness.running_console() as console:
            uploaded = upload(console, "big.bin", size)
            up, down, up_rss, down_rss = console_copies(console, "big.bin")
            cli = cli_copies(console, size)
    finally:  # the run's files (two copies of the data); worker.log and web.log stay
        shutil.rmtree(Path(os.environ["CONSOLE_LOCAL_DIR"]) / "workspace", ignore_errors=True)
    print(f"{size / MB:.0f} MB against the sandbox, one run (compare figures from one run only):")
    print(f"  browser upload (chunked HTTP)      {rate(size, uploaded)}")
    print(f"  console  aws s3 cp  to S3          {rate(size, up)}")
    print(f"  console  aws s3 cp  from S3        {rate(size, down)}")
    if cli is not None:
        print(f"  cli      aws s3 cp  to S3          {rate(size, cli[0])}")
        print(f"  cli      aws s3 cp  from S3        {rate(size, cli[1])}")
    else:
        print("  cli      not measured: the awscli package is not installed")
    return 0 if budget_lines(up, down, cli, up_rss, down_rss) else 1


RATIO_BUDGET = 0.8
RSS_BUDGET = 200 * MB


def budget_lines(
    up: float, down: float, cli: tuple[float, float] | None, up_rss: list[int], down_rss: list[int]
) -> bool:
    """One line per budget, each ending `ok` or `OVER`; True when all are met."""
    print("budgets:")
    met = [cli is not None]
    if cli is not None:
        for direction, mine, theirs in (("to S3", up, cli[0]), ("from S3", down, cli[1])):
            ratio = theirs / mine  # throughput console / cli
            met.append(ratio >= RATIO_BUDGET)
            print(
                f"  console / cli throughput, {direction:<8} {ratio:5.2f}"
                f"            (at least {RATIO_BUDGET:.2f})   {'ok' if met[-1] else 'OVER'}"
            )
    for direction, (before, peak) in (("to S3", up_rss), ("from S3", down_rss)):
        met.append(peak < RSS_BUDGET)
        print(
            f"  worker peak RSS, cp {direction:<8} {peak / MB:5.0f} MB ({peak / 2**20:.0f} MiB;"
            f" {before / MB:.0f} MB before, +{(peak - before) / MB:.0f} MB)"
            f"  (under {RSS_BUDGET / MB:.0f} MB)   {'ok' if met[-1] else 'OVER'}"
        )
    print("within budget" if all(met) else "OVER BUDGET")
    return all(met)


if __name__ == "__main__":
    raise SystemExit(main())
