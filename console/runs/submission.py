"""Submitting a run: check the line, parse it, record the run and its audit event in one
transaction (audit before action), and queue it once that transaction commits. A line
that does not parse is recorded `rejected` with the CLI's message and never reaches a
worker. The raw line is sealed in the row (it may hold a secret parameter); the shown
and audited copy is the parse's redacted line.

Each user may have at most CONSOLE_MAX_RUNS_PER_USER runs queued or running, so one user
cannot take every worker slot. The count is taken inside the submitting transaction after
locking the user's row: two submissions of one user then count one after the other (the
lock is held until commit, when the new run is visible), and the DB stays the one truth
about which runs are active. A Redis counter would be faster but has to be given back on
every way a run ends (the worker, the reaper, a crash) and drifts when one is missed."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from console.commands.workspacefiles import WorkspaceFiles
from console.interpreter import CommandError, parse_command, redact_line
from console.runs import audit, lifecycle, store, workers
from console.runs.errors import RunInputError, RunLimitReached
from console.runs.models import ACTIVE_STATUSES, CommandRun, OutputStream, RunStatus
from console.workspace import service as workspace

log = logging.getLogger(__name__)


def check_command(command: str) -> str:
    if not isinstance(command, str) or not command.strip():
        raise RunInputError("empty command", code="empty_command")
    limit = settings.CONSOLE_MAX_COMMAND_LENGTH
    if len(command) > limit:
        raise RunInputError(
            f"console: the command line is {len(command)} characters long; the limit is {limit}",
            code="too_long",
        )
    return command.rstrip("\r\n")


def submit_run(
    user: Any,
    command: str,
    *,
    source: str,
    terminal_id: str = "",
    cols: int = 80,
    stdin: str | None = None,
    run_id: uuid.UUID | None = None,
) -> CommandRun:
    """Record the run and its audit event in one transaction, then queue it on commit.
    A caller may choose the run's id, to subscribe to its doorbell before it is queued.
    Raises RunLimitReached, recording nothing, when the user has too many runs going."""
    line = check_command(command)
    run = CommandRun(
        id=run_id or uuid.uuid4(),
        user=user,
        source=source,
        terminal_id=terminal_id,
        cols=max(20, min(cols, 500)),
    )
    try:
        # The parse reads `file://` values from the workspace, so a missing file is
        # rejected at once with the CLI's message (the worker reads them again).
        files = WorkspaceFiles(workspace.for_terminal(user, terminal_id)).read
        run.command = parse_command(line, files=files).redacted_line
    except CommandError as exc:
        return _record_rejected(run, line, exc.message, exc.exit_code)
    run.seal_command(line)
    run.seal_stdin(stdin)
    problems: list[str] = []
    with transaction.atomic():
        check_run_limit(user)
        run.save()
        audit.record(
            audit.AuditAction.RUN_SUBMITTED,
            actor=user,
            run=run,
            data={"command": run.command, "source": source},
        )
        transaction.on_commit(lambda: problems.extend(filter(None, [_enqueue(run)])))
    if problems:
        run.refresh_from_db()
    return run


def check_run_limit(user: Any) -> None:
    """Refuse a run past the user's cap on runs queued or running. Call it inside the
    transaction that records the run: it locks the user's row until that commits (on
    PostgreSQL; SQLite's transactions are IMMEDIATE, see settings, so they run one at a time)."""
    limit = settings.CONSOLE_MAX_RUNS_PER_USER
    if limit <= 0:
        return
    # FOR NO KEY UPDATE, not FOR UPDATE: a concurrent audit write that names this user holds
    # the chain head and takes a key-share lock on the user's row (its foreign key), which
    # FOR UPDATE would block while this transaction waits for the head: a deadlock.
    users = get_user_model().objects.select_for_update(no_key=True)
    list(users.filter(pk=user.pk).values_list("pk"))
    active = CommandRun.objects.filter(user=user, status__in=ACTIVE_STATUSES).count()
    if active >= limit:
        log.warning("user %s was refused a run: %d already queued or running", user.pk, active)
        raise RunLimitReached(
            f"console: too many commands at once: you have {active} queued or running, and one "
            f"user may have {limit} (CONSOLE_MAX_RUNS_PER_USER). Wait for one to end, or cancel "
            "one (Ctrl-C in its terminal, or POST /api/v1/runs/<id>/cancel)."
        )


def _record_rejected(run: CommandRun, line: str, message: str, exit_code: int) -> CommandRun:
    run.command = redact_line(line)
    run.status = RunStatus.REJECTED
    run.exit_code = exit_code
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        store.append_chunk(run.pk, OutputStream.STDERR, message, seq=0)
        audit.record(
            audit.AuditAction.RUN_REJECTED,
            actor=run.user,
            run=run,
            data={"command": run.command, "source": run.source, "exit_code": exit_code},
        )
    return run


def _enqueue(run: CommandRun) -> str | None:
    problem = workers.enqueue_execution(run.pk)
    if problem:
        lifecycle.reject_queued_run(run, problem)
    return problem
