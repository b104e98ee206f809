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
every way a run ends (the worker, the reaper, a crash) and drifts when one is missed.

The lock and the row's INSERT, which counts as it inserts (`INSERT … SELECT … WHERE count <
cap`), are two plain statements sent in one round trip with the run's audit event
(console/runs/batching.py): every command runs them, and the ORM's save and the count's
own round trip cost more than the statements (bench/README.md, "run row written")."""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from console import stages
from console.commands.workspacefiles import WorkspaceFiles
from console.interpreter import CommandError, Invocation, S3Command, parse_command, redact_line
from console.runs import audit, batching, lifecycle, plainsql, store, workers
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
    rerun_of: CommandRun | None = None,
    confirm: str = "",
) -> CommandRun:
    """Record the run and its audit event in one transaction, then queue it on commit.
    A caller may choose the run's id, to subscribe to its doorbell before it is queued.
    `rerun_of` is the run this one re-runs, which the caller has checked the user may see
    (console/audit/rerun.py). `confirm` is an API client's answer to the profile's
    guardrail, stored on the row for the worker (Celery carries the id only). Raises
    RunLimitReached, recording nothing, when the user has too many runs going."""
    line = check_command(command)
    run = _new_run(user, source, terminal_id, cols, run_id, rerun_of)
    try:
        # The parse reads `file://` values from the workspace, so a missing file is
        # rejected at once with the CLI's message (the worker reads them again).
        files = WorkspaceFiles(workspace.for_terminal(user, terminal_id)).read
        parsed = parse_command(line, files=files)
    except CommandError as exc:
        return _record_rejected(run, line, exc.message, exc.exit_code)
    run.command = parsed.redacted_line
    run.service, run.operation = _target_of(parsed)
    run.seal_command(line)
    run.seal_stdin(stdin)
    run.confirm = confirm
    problems: list[str] = []
    with transaction.atomic():
        # The run and its event travel together; a refused run's event is rolled back.
        with batching.one_round_trip():
            insert_within_limit(run)
            audit.record(
                audit.AuditAction.RUN_SUBMITTED,
                actor=user,
                run=run,
                data={"command": run.command, "source": source, **_rerun_data(rerun_of)},
            )
        transaction.on_commit(lambda: problems.extend(filter(None, [_enqueue(run)])))
    if problems:
        run.refresh_from_db()
    return run


def insert_within_limit(run: CommandRun) -> None:
    """Insert the new run unless its user already has their cap of runs queued or running;
    then raise RunLimitReached, having inserted nothing. Call it inside the transaction that
    records the run: it locks the user's row until that commits (on PostgreSQL; SQLite's
    transactions are IMMEDIATE, see settings, so they run one at a time)."""
    limit = settings.CONSOLE_MAX_RUNS_PER_USER
    fields, _, _ = plainsql.insert_columns(CommandRun)
    values = [f.get_db_prep_save(f.pre_save(run, add=True), connection) for f in fields]
    lock, cursor = connection.cursor(), connection.cursor()

    def inserted() -> None:
        try:
            count = cursor.rowcount
        finally:
            lock.close()
            cursor.close()
        if count == 0:
            _refuse(run.user_id, limit)
        run._state.adding, run._state.db = False, connection.alias

    # In the caller's batch, if it has one (submit_run's, with the audit event).
    with batching.one_round_trip():
        if limit > 0:
            # FOR NO KEY UPDATE, not FOR UPDATE: it must not block the key-share locks that
            # writes of rows referring to the user take (their foreign keys), which once
            # deadlocked with a writer waiting for the audit chain's head (whose events no
            # longer have foreign keys). The INSERT is a statement of its own, after the
            # lock, so that its count sees what the transaction it waited for committed.
            lock.execute(*_lock_sql(run.user_id))
            cursor.execute(_insert_sql(capped=True), [*values, run.user_id, *_ACTIVE, limit])
        else:
            cursor.execute(_insert_sql(capped=False), values)
        batching.when_answered(inserted)


def _refuse(user_id: int, limit: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [user_id, *_ACTIVE])
        active = int(cursor.fetchone()[0])
    log.warning("user %s was refused a run: %d already queued or running", user_id, active)
    raise RunLimitReached(
        f"console: too many commands at once: you have {active} queued or running, and one "
        f"user may have {limit} (CONSOLE_MAX_RUNS_PER_USER). Wait for one to end, or cancel "
        "one (Ctrl-C in its terminal, or POST /api/v1/runs/<id>/cancel)."
    )


_ACTIVE = sorted(ACTIVE_STATUSES)
_COUNT = (
    f"SELECT COUNT(*) FROM {CommandRun._meta.db_table} WHERE user_id = %s "
    f"AND status IN ({', '.join(['%s'] * len(_ACTIVE))})"
)


def _lock_sql(user_id: int) -> tuple[str, list[Any]]:
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    return f"SELECT id FROM {get_user_model()._meta.db_table} WHERE id = %s{lock}", [user_id]


@functools.cache
def _insert_sql(*, capped: bool) -> str:
    """The run's INSERT (built once per process): with the cap, it inserts only while the
    user's active runs, counted by the same statement, are fewer than the cap (its last
    parameters: the user's id, the active statuses, the cap)."""
    _, columns, marks = plainsql.insert_columns(CommandRun)
    table = CommandRun._meta.db_table
    if not capped:
        return f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    return f"INSERT INTO {table} ({columns}) SELECT {marks} WHERE ({_COUNT}) < %s"


def _target_of(parsed: object) -> tuple[str, str]:
    """The service and operation a line calls (`aws s3 <command>` counts as s3's)."""
    if isinstance(parsed, Invocation):
        return parsed.service_name, parsed.operation_name
    if isinstance(parsed, S3Command):
        return "s3", parsed.name
    return "", ""


def _new_run(
    user: Any, source: str, terminal_id: str, cols: int, run_id: uuid.UUID | None, rerun_of: CommandRun | None
) -> CommandRun:
    return CommandRun(
        id=run_id or uuid.uuid4(),
        user=user,
        source=source,
        terminal_id=terminal_id,
        cols=max(20, min(cols, 500)),
        rerun_of=rerun_of,
    )


def _rerun_data(rerun_of: CommandRun | None) -> dict[str, str]:
    return {"rerun_of": str(rerun_of.pk)} if rerun_of is not None else {}


def reject_line(
    user: Any,
    command: str,
    message: str,
    exit_code: int,
    *,
    source: str,
    terminal_id: str = "",
    cols: int = 80,
    run_id: uuid.UUID | None = None,
) -> CommandRun:
    """Record a line the console refuses before parsing it as a command (a `rerun` of a
    run that cannot be re-run): `rejected`, with `message` on stderr, audited like a line
    that does not parse, and never queued."""
    line = check_command(command)
    run = _new_run(user, source, terminal_id, cols, run_id, None)
    return _record_rejected(run, line, message, exit_code)


def _record_rejected(run: CommandRun, line: str, message: str, exit_code: int) -> CommandRun:
    run.command = redact_line(line)
    run.status = RunStatus.REJECTED
    run.exit_code = exit_code
    run.finished_at = timezone.now()
    digest = store.OutputDigest()
    digest.add(message)
    for column, value in digest.fields().items():
        setattr(run, column, value)
    with transaction.atomic():
        run.save()
        store.append_chunk(run.pk, OutputStream.STDERR, message, seq=0)
        audit.record(
            audit.AuditAction.RUN_REJECTED,
            actor=run.user,
            run=run,
            data={
                "command": run.command,
                "source": run.source,
                "exit_code": exit_code,
                **_rerun_data(run.rerun_of),
            },
        )
    return run


def _enqueue(run: CommandRun) -> str | None:
    stages.mark(run.pk, "written")
    problem = workers.enqueue_execution(run.pk)
    stages.mark(run.pk, "published")
    if problem:
        lifecycle.reject_queued_run(run, problem)
    return problem
