"""`CommandContext`: the one contract of a running command, whatever its kind.

Every command kind (an AWS operation, `aws s3`, `aws configure`, `aws sso`, a console
builtin) takes one typed object saying who runs it, what they selected and how it talks:
no thread-locals, no loose callables. The worker builds it from the claimed run
(console/runs/execution.py); a test builds it from plain values. `guardrail` is the run's
side of the guardrail check (console/commands/guardrail.py): how a confirmation is
answered and where its outcomes are audited."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from console.commands.record import RunRecord
from console.engine import Target
from console.interpreter import GlobalOptions


class CommandIO(Protocol):
    """How a command talks to whoever runs it (a terminal, or an API client)."""

    def write(self, stream: str, text: str) -> None:
        """Append `text` to "stdout" or "stderr" (stored in order, replayable)."""

    def ask(self, prompt: str, /, *, secret: bool) -> str | None:
        """A question: a prompt frame in the terminal, the next stdin line over the API.
        None when there is no answer (cancelled, timed out, stdin used up)."""

    def cancelled(self) -> bool:
        """True once the user pressed Ctrl-C or the run ended; stop between requests."""


class EnvironmentStore(Protocol):
    """The terminal's `export`ed variables, kept on the server (console/runs/environment.py)."""

    def load(self) -> dict[str, str]: ...

    def export(self, assignments: Mapping[str, str]) -> dict[str, str]: ...

    def unset(self, names: list[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class PastRun:
    """One of the user's earlier runs, as `history` lists it."""

    short_id: str
    created_at: datetime
    status: str
    exit_code: int | None
    command: str  # redacted, as stored


class RunHistory(Protocol):
    """The user's runs as the server keeps them (console/runs/history.py)."""

    def recent(self, limit: int) -> Sequence[PastRun]: ...


@dataclass(frozen=True)
class Caller:
    """Who runs the command: the console user, from which terminal, as which run."""

    user: Any
    run_id: str = ""
    terminal_id: str = ""
    source: str = "terminal"  # "terminal" or "api" (console.runs.models.RunSource)

    @property
    def has_terminal(self) -> bool:
        return bool(self.terminal_id)


@dataclass
class CommandContext:
    caller: Caller
    io: CommandIO
    environment: EnvironmentStore
    # What the user selected on the line (--profile, --region, --endpoint-url, --output, ...).
    options: GlobalOptions = field(default_factory=GlobalOptions)
    target: Target = field(default_factory=Target)
    # What the run learns as it goes (profile, team, principal, calls), stored with its
    # final state.
    record: RunRecord = field(default_factory=RunRecord)
    history: RunHistory | None = None
    # The run's stdin as bytes, read once (`aws s3 cp - s3://b/k`); None where there is
    # none: an API run may send one, a terminal has no pipe to read from.
    stdin: Callable[[], bytes | None] | None = None
    # The run's side of the guardrail check (a commands.guardrail.Guardrail; None outside
    # a run: refusals still happen, with nothing to audit), and the workspace.
    guardrail: Any = None
    workspace: Any = None
    _env: dict[str, str] | None = field(default=None, repr=False)

    @property
    def user(self) -> Any:
        return self.caller.user

    @property
    def env(self) -> Mapping[str, str]:
        """The terminal's environment as the command started (read once, then kept)."""
        if self._env is None:
            self._env = self.environment.load()
        return self._env

    def environment_changed(self) -> None:
        self._env = None

    def write(self, stream: str, text: str) -> None:
        self.io.write(stream, text)

    def ask(self, prompt: str, secret: bool = False) -> str | None:
        return self.io.ask(prompt, secret=secret)

    def ask_browser(self, action: Mapping[str, Any]) -> None:
        """Ask the browser terminal to act (open its file picker, start a download): an
        "action" chunk, stored in order with the output and sent as a `files` frame."""
        self.io.write("action", json.dumps(dict(action), ensure_ascii=False))

    @property
    def in_browser(self) -> bool:
        """Whether a browser terminal runs this command (not the API, not a run page)."""
        return self.caller.has_terminal and self.caller.source == "terminal"

    def cancelled(self) -> bool:
        return self.io.cancelled()


@dataclass
class ContextCall:
    """A hand-written CLI command (`aws configure`, `aws sso`) as its handlers see it: the
    context's user, environment and I/O, plus the names the command itself parsed."""

    ctx: CommandContext

    @property
    def user(self) -> Any:
        return self.ctx.user

    @property
    def env(self) -> Mapping[str, str]:
        return self.ctx.env

    def write(self, stream: str, text: str) -> None:
        self.ctx.write(stream, text)

    def ask(self, prompt: str, secret: bool) -> str | None:
        return self.ctx.ask(prompt, secret=secret)
