"""The load benchmark's world: a seeded sandbox with one IAM user per terminal (so each
command's output names whose it is), a console user per terminal with that user's keys
as its `default` profile and a bearer token, and raw botocore against the same server.

Two more users serve the cluster scenes: `load-follow` (a run followed across web
nodes) and `load-stuck`, whose `stuck` profile points at a blackhole (a port that
accepts and never answers), so a run is surely in flight on the worker that is killed."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from loadclient import LoadUser

STUCK_COMMAND = "aws sts get-caller-identity --profile stuck"


@dataclass
class LoadSandbox:
    url: str
    blackhole_host: str
    users: list[LoadUser]
    follower: LoadUser
    stuck: LoadUser
    keys: list[tuple[str, str]] = field(repr=False)


class Blackhole:
    """Accepts connections and never answers: an AWS call that takes forever."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.host = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self._held.append(self._sock.accept()[0])

    def close(self) -> None:
        self._sock.close()
        for conn in self._held:
            conn.close()


@contextlib.contextmanager
def load_sandbox(terminals: int) -> Iterator[LoadSandbox]:
    from sandbox.bootstrap import Bootstrap
    from sandbox.seed import demo_user_policy, enforce_auth, seed_demo
    from sandbox.server import SandboxProcess

    names = [f"load-{i:03d}" for i in range(terminals)] + ["load-follow", "load-stuck"]
    blackhole = Blackhole()
    with SandboxProcess(port=int(os.environ["SANDBOX_PORT"])) as sandbox:
        seed = seed_demo(sandbox.url, secret=sandbox.control_secret)
        iam = Bootstrap(sandbox.url, sandbox.control_secret).client("iam")
        keys = {}
        for name in names:
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName="LoadUser", PolicyDocument=demo_user_policy())
            key = iam.create_access_key(UserName=name)["AccessKey"]
            keys[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        enforce_auth(sandbox.url, secret=sandbox.control_secret)
        users = [_console_user(name, keys[name], seed, sandbox.url, blackhole) for name in names]
        try:
            yield LoadSandbox(
                sandbox.url, blackhole.host, users[:terminals], users[-2], users[-1], [keys[n] for n in names]
            )
        finally:
            blackhole.close()


def _console_user(name: str, key: tuple[str, str], seed: Any, url: str, blackhole: Blackhole) -> LoadUser:
    from django.contrib.auth import get_user_model

    from console.api.tokens import create_token
    from credentials.services import save_profile

    user, _ = get_user_model().objects.get_or_create(username=name)
    keys = {"aws_access_key_id": key[0], "aws_secret_access_key": key[1]}
    save_profile(user, "default", {"region": seed.region, "output": "json", "endpoint_url": url, **keys})
    if name == "load-stuck":
        save_profile(
            user, "stuck", {"region": seed.region, "endpoint_url": f"http://{blackhole.host}", **keys}
        )
    arn = f"arn:aws:iam::{seed.account_id}:user/{name}"
    return LoadUser(name, create_token(user, name="bench-load"), arn)


def measure_raw(
    url: str,
    keys: Sequence[tuple[str, str]],
    calls: int,
    threads: int,
    around: AbstractContextManager[object] | None = None,
) -> float:
    """Commands/s of raw botocore: `calls` get_caller_identity from `threads` threads, each
    with its own warm client (as each worker thread has its own connection), signed with
    `keys` in turn; `around` is entered around the timed calls only (bench/floor.py samples
    their CPU)."""
    import botocore.session

    local = threading.local()

    def call(index: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            key_id, secret = keys[index % len(keys)]
            client = local.client = botocore.session.get_session().create_client(
                "sts",
                region_name="us-east-1",
                endpoint_url=url,
                aws_access_key_id=key_id,
                aws_secret_access_key=secret,
            )
        client.get_caller_identity()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(threads * 2)))  # every thread's client warm
        with around or contextlib.nullcontext():
            began = time.perf_counter()
            list(pool.map(call, range(calls)))
            return calls / (time.perf_counter() - began)
