"""The audit's tests share the cast of tests/conftest.py: Alice runs commands, Bob is staff
(the console's operator, who may see every run), Charlie is an outsider; tests of team
runs use tests/teams/conftest.py's cast (Alice owns `platform`, Carol audits it).
`run_line` runs a command the way the worker does, in this process, against the real
sandbox, and returns what its run recorded."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from console.commands import dispatch
from console.commands.record import Recorded, RunRecord
from console.interpreter import parse_command
from console.runs import lifecycle
from console.runs.execution import context_for
from console.runs.models import CommandRun
from tests.api.factories import make_run as make_finished_run
from tests.credentials.conftest import FakeSink, make_run
from tests.credentials.conftest import sts_calls as sts_calls  # the fixture, for these tests too
from tests.teams.conftest import carol, dana, profiles, team  # noqa: F401 (the team's cast, fixtures)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_bob(bob: Any) -> Any:
    bob.is_staff = True
    bob.save()
    return bob


def run_line(user: Any, line: str, sink: FakeSink | None = None) -> tuple[int, FakeSink, Recorded]:
    sink = sink if sink is not None else FakeSink()
    record = RunRecord()
    code = dispatch(parse_command(line), context_for(make_run(user, line), sink, record))
    return code, sink, record.snapshot()


def audited_run(user: Any, **fields: Any) -> CommandRun:
    """A finished run as the factory makes it, with its outcome audited as a worker's is
    (the stack's tests wait for every final run to have its `finished` event)."""
    run = make_finished_run(user, **fields)
    lifecycle.audit_outcome(run, run.status, run.exit_code, run.reason)
    return run


def stored_output_sha256(run: CommandRun) -> tuple[int, str]:
    """The size and SHA-256 of a run's stored chunks, read back (as a verifier would)."""
    data = "".join(run.chunks.order_by("seq").values_list("data", flat=True)).encode()
    return len(data), hashlib.sha256(data).hexdigest()
