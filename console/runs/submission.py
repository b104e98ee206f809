"""Submitting a run: check the line, parse it, record the run and its audit event in one
transaction (audit before action), and queue it once that transaction commits. A line
that does not parse is recorded `rejected` with the CLI's message and never reaches a
worker. The raw line is sealed in the row (it may hold a secret parameter); the shown
and audited copy is the parse's redacted line."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.interpreter import CommandError, parse_command, redact_line
from console.runs import audit, lifecycle, store, workers
from console.runs.errors import RunInputError
from console.runs.models import CommandRun, OutputStream, RunStatus


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
    A caller may choose the run's id, to subscribe to its doorbell before it is queued."""
    line = check_command(command)
    run = CommandRun(
        id=run_id or uuid.uuid4(),
        user=user,
        source=source,
        terminal_id=terminal_id,
        cols=max(20, min(cols, 500)),
    )
    try:
        run.command = parse_command(line).redacted_line
    except CommandError as exc:
        return _record_rejected(run, line, exc.message, exc.exit_code)
    run.seal_command(line)
    run.seal_stdin(stdin)
    problems: list[str] = []
    with transaction.atomic():
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
