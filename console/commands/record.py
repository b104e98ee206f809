"""What a command learns about its own run while it runs, for the audit: the profile (and
its team) and the chain its credentials came through, the principal AWS saw, the region and endpoint,
and every AWS API call with its HTTP status and request id.

It is collected in memory and stored once, with the run's final state (the same UPDATE
that ends the run), so recording costs no write of its own on the hot path. A run that
lists ten thousand pages keeps the first MAX_CALLS calls and the count of all of them.
The command's thread adds to it while the watcher may read it (a cancelled command can
still be inside a call), hence the lock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from credentials.types import ApiCall, ResolvedSession

MAX_CALLS = 500


@dataclass(frozen=True)
class Pending:
    """The guardrail met `approve` and the run has no approval yet: what the request for
    one says (console/runs/approvals.py opens it when the command has stopped)."""

    profile: str  # the team profile's address
    team_id: int
    levels: tuple[str, ...]
    command: str  # the command's words (`aws s3api create-bucket`), for the waiting line


@dataclass(frozen=True)
class Recorded:
    """A snapshot of a run's record; empty fields were never learnt (a builtin, a
    command refused before it reached AWS)."""

    profile: str = ""
    # The team whose profile the command acts through (its id; None for the user's own).
    team_id: int | None = None
    profile_chain: tuple[str, ...] = ()
    principal: dict[str, str] = field(default_factory=dict)
    region: str = ""
    endpoint: str = ""
    calls: tuple[ApiCall, ...] = ()
    call_count: int = 0
    # Why the profile's guardrail refused the command ("" when it did not): the run then
    # ends `rejected` rather than `failed` (console/runs/execution.py).
    refusal: str = ""
    # The approval it waits for (None when it needs none).
    pending: Pending | None = None


class RunRecord:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: dict[str, Any] = {}
        self._calls: list[ApiCall] = []
        self._count = 0
        self._refusal = ""
        self._pending: Pending | None = None

    def connected(self, session: ResolvedSession, endpoint: str | None) -> None:
        """The session the command resolved, and the endpoint its client calls."""
        with self._lock:
            self._session = {
                "profile": session.profile,
                "team_id": session.team_id,
                "profile_chain": session.profile_chain,
                "principal": session.credentials.principal(),
                "region": session.region or "",
                "endpoint": endpoint or session.endpoint_url or "",
            }

    def add_call(self, call: ApiCall) -> None:
        with self._lock:
            self._count += 1
            if len(self._calls) < MAX_CALLS:
                self._calls.append(call)

    def refused(self, reason: str) -> None:
        """The guardrail refused the command before it sent anything."""
        with self._lock:
            self._refusal = reason

    def awaits_approval(self, pending: Pending) -> None:
        """The guardrail stopped the command until another person approves it."""
        with self._lock:
            self._pending = pending

    def snapshot(self) -> Recorded:
        with self._lock:
            return Recorded(
                **self._session,
                calls=tuple(self._calls),
                call_count=self._count,
                refusal=self._refusal,
                pending=self._pending,
            )
