"""Helpers for the broker's tests: a sink that records output and answers prompts from a
script, a counter of real STS requests (at botocore's send hook, so a cached session
provably costs none), and runs to hand to builtins."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from console.commands import dispatch
from console.interpreter import Builtin
from console.runs.execution import context_for
from console.runs.models import CommandRun, RunSource
from credentials.clients import botocore_session, clear_clients


@dataclass
class FakeSink:
    answers: list[str | None] = field(default_factory=list)
    out: list[tuple[str, str]] = field(default_factory=list)
    questions: list[tuple[str, bool]] = field(default_factory=list)

    def write(self, stream: str, data: str) -> None:
        self.out.append((stream, data))

    def cancelled(self) -> bool:
        return False

    def ask(self, text: str, *, secret: bool) -> str | None:
        self.questions.append((text, secret))
        self.write("prompt", json.dumps({"text": text, "secret": secret}))
        return self.answers.pop(0) if self.answers else None

    def text(self, stream: str) -> str:
        return "".join(d for s, d in self.out if s == stream)

    @property
    def stdout(self) -> str:
        return self.text("stdout")

    @property
    def stderr(self) -> str:
        return self.text("stderr")


def make_run(
    user: Any, command: str = "aws configure", terminal: str = "t1", source: str = RunSource.TERMINAL
) -> CommandRun:
    return CommandRun.objects.create(
        user=user,
        source=source,
        terminal_id=terminal if source == RunSource.TERMINAL else "",
        command=command,
        status="running",
    )


def builtin(
    user: Any, line: str, *, answers: list[str | None] | None = None, terminal: str = "t1"
) -> tuple[int, FakeSink]:
    """Run `line` (already split on spaces) as a builtin, the way the worker does."""
    words = line.split()
    if words[0] == "aws":
        words = words[1:]
    sink = FakeSink(answers=list(answers or []))
    run = make_run(user, line, terminal)
    code = dispatch(Builtin(name=words[0], args=tuple(words[1:]), redacted_line=line), context_for(run, sink))
    return code, sink


@dataclass
class StsCounter:
    calls: list[str] = field(default_factory=list)

    def __call__(self, request: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs.get("event_name", ""))

    def operations(self) -> list[str]:
        return [name.rsplit(".", 1)[-1] for name in self.calls]


@pytest.fixture
def sts_calls() -> Any:
    """Every STS request botocore sends from now on (clients are rebuilt to carry the hook)."""
    counter = StsCounter()
    clear_clients()
    botocore_session().register("before-send.sts", counter)
    yield counter
    botocore_session().unregister("before-send.sts", counter)
    clear_clients()
