"""Drive the terminal websocket in-process with Channels' WebsocketCommunicator, the
way the browser does (session cookie + Origin) or the way a script does (bearer token)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from console.asgi import application

# The console's own origin, as a browser on the sign-in page would send it.
ORIGIN = settings.CONSOLE_ORIGINS[0].encode()

# Every terminal a test opens, disconnected when the test ends (tests/conftest.py): a
# consumer left to the event loop's teardown is cancelled in the middle of its channel
# layer read, which once kept a test's teardown waiting until CI's time ran out.
_opened: list[WebsocketCommunicator] = []


async def disconnect_opened_terminals() -> None:
    while _opened:
        comm = _opened.pop()
        # The consumer may have ended already (closed itself, or failed the test).
        with contextlib.suppress(Exception):
            await comm.disconnect()


@database_sync_to_async
def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_terminal(
    user: Any = None,
    *,
    token: str | None = None,
    origin: bytes | None = ORIGIN,
    terminal: str = "t1",
    mode: str | None = None,
) -> tuple[WebsocketCommunicator, bool, Any]:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    query = f"terminal={terminal}" + (f"&mode={mode}" if mode else "")
    comm = WebsocketCommunicator(application, f"/ws/terminal/?{query}", headers=headers)
    _opened.append(comm)
    connected, detail = await comm.connect(timeout=5)
    return comm, connected, detail


async def send(comm: WebsocketCommunicator, frame: dict[str, Any]) -> None:
    await comm.send_to(text_data=json.dumps(frame))


async def receive(comm: WebsocketCommunicator, timeout: float = 20) -> dict[str, Any]:
    return json.loads(await comm.receive_from(timeout=timeout))


@dataclass
class RunResult:
    run_id: str = ""
    frames: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit(self) -> dict[str, Any]:
        return self.frames[-1]

    @property
    def code(self) -> int:
        return int(self.exit["code"])

    def text(self, stream: str) -> str:
        return "".join(f["data"] for f in self.frames if f["type"] == "output" and f["stream"] == stream)

    @property
    def stdout(self) -> str:
        return self.text("stdout")

    @property
    def stderr(self) -> str:
        return self.text("stderr")

    @property
    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if "seq" in f]


async def collect_until_exit(
    comm: WebsocketCommunicator, result: RunResult, timeout: float = 30
) -> RunResult:
    while True:
        frame = await receive(comm, timeout)
        result.frames.append(frame)
        if frame["type"] == "started":
            result.run_id = frame["run_id"]
        if frame["type"] == "exit":
            return result


async def run_until(
    comm: WebsocketCommunicator, command: str, stop: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> tuple[RunResult, dict[str, Any]]:
    """Run `command` and collect its frames until one satisfies `stop` (a prompt, a line of
    output); returns what came so far and that frame. Fails if the run exits first."""
    await send(comm, {"type": "run", "command": command})
    result = RunResult()
    while True:
        frame = await receive(comm, timeout)
        result.frames.append(frame)
        if frame["type"] == "started":
            result.run_id = frame["run_id"]
        if stop(frame):
            return result, frame
        assert frame["type"] != "exit", f"the run ended first: {result.stderr}"


def is_prompt(frame: dict[str, Any]) -> bool:
    return bool(frame["type"] == "prompt")


def waiting_line(frame: dict[str, Any]) -> bool:
    """The guardrail's line of a run that waits for approval (docs/guardrails.md)."""
    return bool(frame["type"] == "output" and "Ctrl-C withdraws" in frame["data"])


async def run_command(comm: WebsocketCommunicator, command: str, timeout: float = 30) -> RunResult:
    await send(comm, {"type": "run", "command": command})
    return await collect_until_exit(comm, RunResult(), timeout)


async def start_stuck_command(comm: WebsocketCommunicator, timeout: float = 10) -> str:
    """Run a command whose AWS call never answers (profile `stuck`); return once it runs."""
    import asyncio
    import time

    from console.runs.models import CommandRun

    await send(comm, {"type": "run", "command": "aws sts get-caller-identity --profile stuck"})
    run_id = (await receive(comm))["run_id"]
    deadline = time.monotonic() + timeout
    status = database_sync_to_async(lambda: CommandRun.objects.get(pk=run_id).status)
    while await status() != "running":
        assert time.monotonic() < deadline, "the stuck command never started"
        await asyncio.sleep(0.05)
    return str(run_id)
