"""Canary secrets never leave memory in plaintext.

Canary keys, tokens and passwords are stored through every door a user has (profiles,
a team profile's keys entered by its admin, `aws configure set`, `export`, a sensitive
parameter, an MFA answer), then commands that
succeed, fail and are cancelled run through the whole stack: websocket → DB → Celery
(a worker with botocore's debug logging on) → the sandbox. Afterwards no canary may be
found, raw, base64- or URL-encoded, in: any DB table, anything that passed through Redis
(watched with MONITOR, so Celery messages and channel-layer traffic are included even
after they are consumed), the worker's and web server's logs, or the websocket frames."""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from console.runs import environment
from console.teams import services as teams
from credentials.services import save_profile
from tests.wsclient import RunResult, collect_until_exit, open_terminal, receive, run_command, send

pytestmark = [pytest.mark.django_db(transaction=True)]


def _canary(label: str) -> str:
    # '/' and '+' make the URL and base64 encodings differ from the raw value.
    return f"Canary{label}{secrets.token_hex(8)}/+x{secrets.token_hex(4)}"


CANARIES = {
    "profile_secret": _canary("ProfileSecret"),
    "team_secret": _canary("TeamSecret"),
    "configure_secret": _canary("ConfigureSecret"),
    "env_secret": _canary("EnvSecret"),
    "env_token": _canary("EnvToken"),
    "web_token": _canary("WebToken"),
    "password": _canary("Password"),
    "mfa_code": "9" + "".join(secrets.choice("0123456789") for _ in range(5)),
}


def _forms(value: str) -> set[str]:
    raw = value.encode()
    return {
        value,
        quote(value, safe=""),
        quote_plus(value),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        json.dumps(value)[1:-1],
    }


class RedisMonitor:
    """Everything sent to Redis while it runs (MONITOR sees all databases and clients)."""

    def __init__(self) -> None:
        url = urlsplit(settings.REDIS_URL)
        self.sock = socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379))
        self.sock.sendall(b"MONITOR\r\n")
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.chunks.append(data)

    def stop(self) -> str:
        time.sleep(0.3)
        self.sock.close()
        self.thread.join(2)
        # MONITOR escapes non-printable bytes as \xNN; canaries are printable ASCII.
        return b"".join(self.chunks).decode("latin-1")


@pytest.fixture
def debug_worker(stack):
    """The stack's worker, restarted with botocore's debug log (headers, bodies) on."""

    def restart(env):
        stack.worker.terminate()
        stack.worker.wait(timeout=15)
        from console.runs import workers

        workers.redis_client().delete(workers.workers_key())
        saved = stack.env
        stack.env = env
        try:
            stack.start_worker()
        finally:
            stack.env = saved

    restart({**stack.env, "BOTOCORE_LOG_LEVEL": "DEBUG", "LOG_LEVEL": "DEBUG"})
    log = stack.log_dir / "worker.log"
    start = log.stat().st_size
    yield lambda: log.read_bytes()[start:].decode("utf-8", "replace")
    restart(stack.env)


def _database_text() -> str:
    with connection.cursor() as cursor:
        parts = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608 - names from the catalog
            parts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def canary_user(alice_profiles, sandbox, blackhole):
    common = {"region": "us-east-1", "endpoint_url": sandbox.url}
    save_profile(
        alice_profiles,
        "canary",
        {
            **common,
            "aws_access_key_id": "AKIACANARYPROFILE01",
            "aws_secret_access_key": CANARIES["profile_secret"],
        },
    )
    save_profile(
        alice_profiles,
        "canaryhole",
        {
            "region": "us-east-1",
            "endpoint_url": blackhole.url,
            "aws_access_key_id": "AKIACANARYHOLE0001",
            "aws_secret_access_key": CANARIES["profile_secret"],
        },
    )
    save_profile(
        alice_profiles,
        "canaryweb",
        {
            **common,
            "role_arn": sandbox.seed.admin_role_arn,
            "web_identity_token": CANARIES["web_token"],
            "max_attempts": "1",
        },
    )
    save_profile(
        alice_profiles,
        "mfa",
        {
            **common,
            "role_arn": sandbox.seed.admin_role_arn,
            "source_profile": "default",
            "mfa_serial": f"arn:aws:iam::{sandbox.seed.account_id}:mfa/demo",
        },
    )
    # A team's keys, entered by its owner through the team services (audited, by key name).
    team = teams.create_team(alice_profiles, "canaries", "Canaries")
    teams.save_team_profile(
        alice_profiles,
        team,
        "keys",
        {
            **common,
            "aws_access_key_id": "AKIACANARYTEAM0001",
            "aws_secret_access_key": CANARIES["team_secret"],
        },
    )
    teams.save_team_profile(
        alice_profiles,
        team,
        "role",
        {**common, "role_arn": sandbox.seed.admin_role_arn, "source_profile": "keys"},
    )
    environment.export(
        alice_profiles,
        "envterm",
        {
            "AWS_ACCESS_KEY_ID": "AKIACANARYENV00001",
            "AWS_SECRET_ACCESS_KEY": CANARIES["env_secret"],
            "AWS_SESSION_TOKEN": CANARIES["env_token"],
        },
    )
    return alice_profiles


async def _terminal(user, terminal="t1"):
    comm, connected, _ = await open_terminal(user, terminal=terminal)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def _run_mfa(comm, command, code):
    await send(comm, {"type": "run", "command": command})
    result = RunResult()
    while True:
        frame = await receive(comm)
        result.frames.append(frame)
        if frame["type"] == "started":
            result.run_id = frame["run_id"]
        if frame["type"] == "prompt":
            await send(comm, {"type": "answer", "run_id": result.run_id, "text": code})
        if frame["type"] == "exit":
            return result


async def _run_and_cancel(comm, command):
    await send(comm, {"type": "run", "command": command})
    result = RunResult()
    result.frames.append(await receive(comm))
    result.run_id = result.frames[0]["run_id"]
    await _wait_running(result.run_id)
    await send(comm, {"type": "cancel", "run_id": result.run_id})
    return await collect_until_exit(comm, result)


@database_sync_to_async
def _status(run_id):
    from console.runs.models import CommandRun

    return CommandRun.objects.get(pk=run_id).status


async def _wait_running(run_id):
    deadline = time.monotonic() + 10
    while await _status(run_id) != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # inside the hanging AWS call


async def test_it_keeps_every_canary_out_of_db_redis_logs_and_frames(canary_user, debug_worker, stack):
    monitor = RedisMonitor()
    frames: list[dict] = []
    comm = await _terminal(canary_user)
    outcomes = {}
    texts = {}
    for command in (
        "aws sts get-caller-identity",  # succeeds
        "aws s3api list-buckets --profile admin",  # succeeds with an assumed role
        "aws sts get-caller-identity --profile canary",  # fails: canary keys are unknown to AWS
        "aws sts get-caller-identity --profile canaryweb",  # fails: the sandbox refuses unsigned calls
        f"aws configure set aws_secret_access_key {CANARIES['configure_secret']} --profile canary2",
        "aws configure list --profile canary",
        "aws sts get-caller-identity --profile canaries/role",  # fails: the team's keys are unknown to AWS
        "aws configure get aws_secret_access_key --profile canaries/keys",
        "aws configure list --profile canaries/keys",
        f"aws iam create-login-profile --user-name demo --password {CANARIES['password']} --profile admin",
        f"export AWS_SECRET_ACCESS_KEY={CANARIES['env_secret']}",
        "env",
    ):
        result = await run_command(comm, command)
        frames += result.frames
        outcomes[command] = result.exit["status"]
        texts[command] = result.stderr
    result = await _run_mfa(comm, "aws sts get-caller-identity --profile mfa", CANARIES["mfa_code"])
    frames += result.frames
    assert result.code == 0, result.stderr
    cancelled = await _run_and_cancel(comm, "aws sts get-caller-identity --profile canaryhole")
    frames += cancelled.frames
    await comm.disconnect()
    env_comm = await _terminal(canary_user, terminal="envterm")
    result = await run_command(env_comm, "aws sts get-caller-identity")
    frames += result.frames
    await env_comm.disconnect()

    assert outcomes["aws sts get-caller-identity"] == "succeeded", texts
    assert outcomes["aws s3api list-buckets --profile admin"] == "succeeded", texts
    assert outcomes["aws sts get-caller-identity --profile canary"] == "failed"
    assert "InvalidClientTokenId" in texts["aws sts get-caller-identity --profile canary"]
    assert "InvalidClientTokenId" in texts["aws sts get-caller-identity --profile canaries/role"]
    assert outcomes["aws sts get-caller-identity --profile canaryweb"] == "failed"
    assert "inside the console" not in "".join(texts.values())
    assert cancelled.exit["status"] == "cancelled"
    assert result.exit["status"] == "failed"  # the canary env keys are unknown to AWS
    worker_log = debug_worker()
    assert "DEBUG botocore" in worker_log  # the debug log was really on
    logs = "\n".join(p.read_text("utf-8", "replace") for p in Path(stack.log_dir).glob("*.log"))
    places = {
        "database": await database_sync_to_async(_database_text)(),
        "redis": monitor.stop() + _redis_now(),
        "logs": logs,
        "frames": json.dumps(frames),
    }
    assert "execute_run" in places["redis"]  # Celery's messages were watched
    leaks = [
        f"{name} in {place}"
        for name, value in CANARIES.items()
        for place, text in places.items()
        if any(form in text for form in _forms(value))
    ]
    assert leaks == []


def _redis_now() -> str:
    from console.runs import workers

    client = workers.redis_client()
    parts = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            parts.append(client.get(key) or b"")
        elif kind == b"list":
            parts.extend(client.lrange(key, 0, -1))
        elif kind == b"hash":
            parts.extend(v for pair in client.hgetall(key).items() for v in pair)
        elif kind in (b"set", b"zset"):
            parts.extend(client.zrange(key, 0, -1) if kind == b"zset" else client.smembers(key))
    return b"\n".join(parts).decode("latin-1")
