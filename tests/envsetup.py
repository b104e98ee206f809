"""Loaded with `-p tests.envsetup` (pyproject addopts), before pytest-django reads the
settings: the suite gets its own Redis database, local state directory and sandbox
port, so it never mixes with a console running on the same machine. Subprocesses the
tests start (worker, web) inherit the same environment, hence the same sealing key."""

from __future__ import annotations

import os
import socket
import tempfile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
# Own names in Redis and an own test database, so suites run side by side (two
# checkouts, CI beside a developer) without taking each other's queues or tables.
os.environ["CONSOLE_REDIS_PREFIX"] = f"test-{os.getpid()}"
os.environ["DATABASE_TEST_NAME"] = f"test_console_{os.getpid()}"
os.environ["CONSOLE_ENV"] = "local"
os.environ["CONSOLE_LOCAL_DIR"] = tempfile.mkdtemp(prefix="console-tests-")
os.environ["SANDBOX_PORT"] = str(_free_port())
os.environ.pop("CONSOLE_SANDBOX_URL", None)
# A port where a test server accepts connections and never answers: a command stuck in
# an AWS call, for the cancel and lost-worker tests. It must be on the allow-list.
os.environ["TEST_BLACKHOLE_PORT"] = str(_free_port())
os.environ["CONSOLE_ENDPOINT_ALLOWLIST"] = ",".join(
    [
        "*.amazonaws.com",
        f"127.0.0.1:{os.environ['SANDBOX_PORT']}",
        f"127.0.0.1:{os.environ['TEST_BLACKHOLE_PORT']}",
    ]
)
# A short reaper clock so "the worker vanished" is noticed in seconds, not half a minute.
os.environ["CONSOLE_HEARTBEAT_SECONDS"] = "1"
os.environ["CONSOLE_LOST_AFTER"] = "3"
# A run never picked up is the reaper's to end, but a loaded CI machine (two cores, compat
# oracle processes beside the worker) once kept runs queued over 5 s: they ended `lost`.
os.environ["CONSOLE_QUEUE_TIMEOUT"] = "30"
# The suite empties every table between tests (TRUNCATE), which deadlocked with the test
# stack worker's trail chore (a transaction over the chain head and its checkpoints) and
# failed the flush. The chore is tested directly (tests/audit/test_trail.py); the stack's
# workers leave it alone.
os.environ["CONSOLE_AUDIT_TRAIL_ON_WORKERS"] = "false"
# moto issues a requested ACM certificate only once it is read 60 s after its creation,
# so the compat suite's two sides (the oracle's prefetch, the console's run minutes later)
# saw PENDING_VALIDATION and ISSUED. Issued at once, both see the same certificate.
os.environ["MOTO_ACM_VALIDATION_WAIT"] = "0"
# A lock wait over a minute is a hang in this suite (a test's flush against a transaction
# left open, an audit append behind a stuck head lock): libpq passes these options to every
# connection, the workers' too, so the wait ends in an error naming the statement instead.
os.environ["PGOPTIONS"] = "-c lock_timeout=60s"
# Users are made in every test; the production hasher costs ~0.5 s each.
os.environ["PASSWORD_HASHERS"] = "django.contrib.auth.hashers.MD5PasswordHasher"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
