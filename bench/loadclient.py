"""Busy terminals for bench/load.py: each one a real websocket, signed in with its own
user's bearer token, running its commands back to back (the next only after the last
one's `exit` frame), and judging every command's output as a user would:

- lost: no `exit` frame within the timeout, or the run ended `lost`;
- out of order: a frame of another run, a `seq` that is not the next one (gaps,
  repeats), or output that is not the command's own and whole (its stdout is the JSON of
  `get-caller-identity`, whose Arn names this terminal's own IAM user);
- failed: any other end than `succeeded` with code 0.

asyncio, not a thread per terminal: fifty threads in the measuring process would take
CPU from the two cores the console is measured on."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

COMMAND = "aws sts get-caller-identity"
EXIT_TIMEOUT = 120.0


@dataclass(frozen=True)
class LoadUser:
    username: str
    token: str = field(repr=False)
    arn: str  # what get-caller-identity must answer for this user


@dataclass
class Outcome:
    run_id: str = ""
    latency: float = 0.0
    status: str = ""
    problem: str = ""  # "", "lost", "out_of_order", "failed"
    detail: str = ""
    web: str = ""


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    began: float = 0.0
    ended: float = 0.0

    @property
    def counts(self) -> Counter[str]:
        return Counter(o.problem or "ok" for o in self.outcomes)

    @property
    def throughput(self) -> float:
        return len(self.outcomes) / (self.ended - self.began) if self.ended > self.began else 0.0

    def latencies(self) -> list[float]:
        return [o.latency for o in self.outcomes if not o.problem]


async def open_terminal(web_url: str, user: LoadUser, name: str) -> ClientConnection:
    url = web_url.replace("http://", "ws://") + f"/ws/terminal/?terminal={name}"
    ws = await connect(url, additional_headers={"Authorization": f"Bearer {user.token}"}, max_size=None)
    hello = json.loads(await ws.recv())
    if hello.get("type") != "hello":
        raise RuntimeError(f"{user.username} was not admitted: {hello}")
    return ws


async def run_one(ws: ClientConnection, user: LoadUser, command: str = COMMAND) -> Outcome:
    outcome = Outcome()
    began = time.perf_counter()
    await ws.send(json.dumps({"type": "run", "command": command}))
    try:
        stdout = await asyncio.wait_for(follow_run(ws, outcome), EXIT_TIMEOUT)
    except TimeoutError:
        outcome.problem, outcome.detail = "lost", f"no exit frame within {EXIT_TIMEOUT:g} s"
        return outcome
    outcome.latency = time.perf_counter() - began
    if not outcome.problem:
        judge_output(outcome, stdout, user)
    return outcome


async def follow_run(ws: ClientConnection, outcome: Outcome) -> str:
    """Frames up to this run's exit; the stdout it carried, in order."""
    stdout: list[str] = []
    expected = 0
    while True:
        frame = json.loads(await ws.recv())
        kind = frame.get("type")
        if kind == "error":
            outcome.problem, outcome.detail = "failed", f"refused: {frame.get('code')}"
            return ""
        if kind == "started":
            outcome.run_id = frame["run_id"]
            continue
        if frame.get("run_id") != outcome.run_id:
            if kind in {"output", "exit"}:
                outcome.problem, outcome.detail = (
                    "out_of_order",
                    f"a {kind} frame of run {frame.get('run_id')}",
                )
            continue
        if kind == "exit":
            outcome.status = frame["status"]
            if frame["status"] == "lost":
                outcome.problem, outcome.detail = "lost", "ended lost"
            elif frame["code"] != 0 or frame["status"] != "succeeded":
                outcome.problem = outcome.problem or "failed"
                outcome.detail = outcome.detail or f"{frame['status']} (code {frame['code']})"
            return "".join(stdout)
        if "seq" in frame:
            if frame["seq"] != expected:
                outcome.problem, outcome.detail = (
                    "out_of_order",
                    f"seq {frame['seq']} where {expected} was next",
                )
            expected = frame["seq"] + 1
        if kind == "output" and frame.get("stream") == "stdout":
            stdout.append(frame["data"])


def judge_output(outcome: Outcome, stdout: str, user: LoadUser) -> None:
    try:
        arn = json.loads(stdout)["Arn"]
    except (ValueError, KeyError, TypeError):
        outcome.problem, outcome.detail = "out_of_order", f"stdout is not whole JSON: {stdout[:80]!r}"
        return
    if arn != user.arn:
        outcome.problem, outcome.detail = "out_of_order", f"another user's output ({arn})"


async def drive(web_url: str, user: LoadUser, commands: int, tally: Tally, ready: asyncio.Barrier) -> None:
    """One terminal: a warm-up command (not counted), then `commands` back to back."""
    async with await open_terminal(web_url, user, f"load-{user.username}") as ws:
        warm = await run_one(ws, user)
        if warm.problem:
            raise RuntimeError(f"{user.username}'s warm-up command failed: {warm.detail}")
        await ready.wait()
        for _ in range(commands):
            outcome = await run_one(ws, user)
            outcome.web = web_url
            tally.outcomes.append(outcome)


async def load(webs: list[str], users: list[LoadUser], commands: int, during: Any = None) -> Tally:
    """Every user's terminal on web node i % len(webs); the clock starts once all are warm.
    `during(tally)`, if given, runs beside the load (the kill, the follow across nodes)."""
    tally, ready = Tally(), asyncio.Barrier(len(users) + 1)
    tasks = [
        asyncio.create_task(drive(webs[i % len(webs)], user, commands, tally, ready))
        for i, user in enumerate(users)
    ]
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    if not waiter.done():  # a terminal failed before the start: say why
        waiter.cancel()
        await asyncio.gather(*tasks)
    tally.began = time.perf_counter()
    side = asyncio.create_task(during(tally)) if during is not None else None
    await asyncio.gather(*tasks)
    tally.ended = time.perf_counter()
    if side is not None:
        await side
    return tally
