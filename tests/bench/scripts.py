"""Running a benchmark script as the tests here do: a subprocess from the project's root,
on a PostgreSQL database of its own (created by the script's harness, dropped after)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent


def run_bench(args: list[str], database: str, timeout: float, **env: str) -> subprocess.CompletedProcess[str]:
    """`python bench/<args>` with `env` added, on the database `<database>_<pid>`."""
    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    name = f"{database}_{os.getpid()}"
    try:
        return subprocess.run(  # noqa: S603 - our own script
            [sys.executable, *args],
            cwd=ROOT,
            env=dict(os.environ, DATABASE_URL=f"{base}/{name}", **env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
