"""The run state machine. `TRANSITIONS` (models.py) is the rule, and `compare_and_set`
(or, for the claim, its form that returns the claimed row) is the only way a run's
status changes: it refuses a move the table does not allow and
applies a legal one only if the row still has the expected status, so a redelivered
task, a late worker and the reaper can race without a run ever being executed twice or
ending twice. Output is written to the DB before anyone is told."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from console import stages
from console.errors import ExitCode
from console.runs import audit, batching, notify, store
from console.runs.errors import IllegalTransition
from console.runs.models import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    TRANSITIONS,
    ApprovalRequest,
    CommandRun,
    RunStatus,
)

log = logging.getLogger(__name__)


def compare_and_set(run_id: uuid.UUID | str, expected: str, status: str, **fields: Any) -> bool:
    """Move a run from `expected` to `status` (with `fields`) if it still is `expected`.
    Plain SQL from the model's fields (every command runs two of these, and the ORM's
    compile of an UPDATE with the run's record in it costs more than the statement)."""
    _check_transition(expected, status)
    with connection.cursor() as cursor:
        cursor.execute(*_cas_sql(run_id, expected, {"status": status, **fields}))
        return bool(cursor.rowcount)


def _check_transition(expected: str, status: str) -> None:
    if status not in TRANSITIONS.get(expected, frozenset()):
        raise IllegalTransition(f"a run cannot go from {expected} to {status}")


def end_run(
    run: CommandRun,
    expected: str,
    status: str,
    exit_code: int | None,
    reason: str = "",
    output: Sequence[tuple[str, str]] = (),
    first_seq: int | None = None,
    digest: store.OutputDigest | None = None,
    recorded: Mapping[str, Any] | None = None,
    seal: store.OutputSeal | None = None,
) -> bool:
    """Compare-and-set a run into a final status. The run's last `output` is stored in
    the same transaction, so whoever sees the final status also sees all of the output.
    The same UPDATE stores what the run recorded (`recorded` columns, and the size and
    SHA-256 of its whole output from `digest`, which has seen every earlier chunk): no
    write of its own. A queued run has no output yet, so its digest is this output's.
    The winner rings the doorbell first and audits the outcome after: the outcome is
    already durable in the run row, and the user should not wait for its audit copy
    (`audit_missing_outcomes` repairs the rare event lost to a crash in between). A run
    whose output holds secrets stores its last output through its `seal` too."""
    if digest is None and expected == RunStatus.QUEUED:
        digest = store.OutputDigest()
    fields = dict(recorded or {})
    if digest is not None:
        for _stream, data in output:
            digest.add(data)
        fields.update(digest.fields())
    fields.update(exit_code=exit_code, reason=reason, finished_at=timezone.now())
    changed = _stored_ending(run.pk, expected, status, fields, output, seal, first_seq)
    if changed:
        stages.mark(run.pk, "stored")
        notify.notify_run(run.pk)
        stages.mark(run.pk, "doorbell")
        audit_outcome(run, status, exit_code, reason)
    return changed


def _stored_ending(
    run_id: uuid.UUID | str,
    expected: str,
    status: str,
    fields: Mapping[str, Any],
    output: Sequence[tuple[str, str]],
    seal: store.OutputSeal | None,
    first_seq: int | None,
) -> bool:
    """The final status and the last output, stored if the compare-and-set wins. A worker
    ending its own run knows the next seq: then the compare-and-set and the chunks travel
    together (console/runs/batching.py), and the transaction is rolled back if the run had
    ended already. Otherwise, or when another ending's last chunk took that seq, each
    write waits for the answer to the one before it."""
    if first_seq is not None:
        try:
            with transaction.atomic(), connection.cursor() as cas:
                _check_transition(expected, status)
                with batching.one_round_trip():
                    cas.execute(*_cas_sql(run_id, expected, {"status": status, **fields}))
                    _append_output(run_id, output, seal, first_seq)
                if cas.rowcount:
                    return True
                transaction.set_rollback(True)
                return False
        except IntegrityError:
            pass  # another ending won, and its last chunk took this one's seq: ask again
    with transaction.atomic():
        if not compare_and_set(run_id, expected, status, **fields):
            return False
        seq = first_seq if first_seq is not None else store.next_seq(run_id)
        _append_output(run_id, output, seal, seq)
    return True


def _append_output(
    run_id: uuid.UUID | str, output: Sequence[tuple[str, str]], seal: store.OutputSeal | None, seq: int
) -> None:
    for stream, data in output:
        seq = store.append_chunk(run_id, stream, data, seq=seq, seal=seal)


def audit_outcome(run: CommandRun, status: str, exit_code: int | None, reason: str) -> None:
    """The "finished" event: on PostgreSQL one statement, its own transaction (no BEGIN
    and COMMIT round trips: console/runs/audit.py)."""
    data = {"status": status, "exit_code": exit_code, "reason": reason}
    audit.record(audit.AuditAction.RUN_FINISHED, actor=run.user, run=run, data=data)


def reject_queued_run(run: CommandRun, message: str) -> bool:
    return end_run(
        run,
        RunStatus.QUEUED,
        RunStatus.REJECTED,
        ExitCode.OTHER,
        reason=message,
        output=[("stderr", f"console: {message}\n")],
    )


def claim_run(run_id: uuid.UUID | str, worker: str) -> CommandRun | None:
    """queued -> running, exactly once however often the task is delivered: one
    compare-and-set that returns the claimed row (UPDATE ... RETURNING, on PostgreSQL and
    SQLite alike) and whether it asked for approval before (`asked_for_approval`: an
    approved run, started again), then its user. Every command's first step in a worker,
    so two plain statements instead of the ORM's update, select and join and the
    approvals' own query."""
    _check_transition(RunStatus.QUEUED, RunStatus.RUNNING)
    now = timezone.now()
    fields = {"status": RunStatus.RUNNING, "worker": worker[:255], "started_at": now, "heartbeat_at": now}
    claimed = _update_returning(run_id, RunStatus.QUEUED, fields, also=_ASKED_FOR_APPROVAL)
    if claimed is None:
        return None
    user_model = CommandRun._meta.get_field("user").related_model
    claimed.user = next(
        iter(
            user_model.objects.raw(
                f"SELECT * FROM {user_model._meta.db_table} WHERE id = %s", [claimed.user_id]
            )
        )
    )
    return claimed


def _update_returning(
    run_id: uuid.UUID | str, expected: str, fields: Mapping[str, Any], also: str = ""
) -> CommandRun | None:
    """The compare-and-set as one statement that returns the changed row, if it changed,
    with the values of `also` (`, <expression> AS <attribute>`) as attributes."""
    sql, params = _cas_sql(run_id, expected, fields)
    return next(iter(CommandRun.objects.raw(f"{sql} RETURNING *{also}", params)), None)


_ASKED_FOR_APPROVAL = (
    f", EXISTS (SELECT 1 FROM {ApprovalRequest._meta.db_table} AS asked "
    f"WHERE asked.run_id = {CommandRun._meta.db_table}.id) AS asked_for_approval"
)


def _cas_sql(run_id: uuid.UUID | str, expected: str, fields: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """UPDATE the run's `fields` where it still has the status `expected`; values go
    through each field's own preparation, so the SQL is the same on PostgreSQL and SQLite."""
    meta = CommandRun._meta
    columns = [(meta.get_field(name), value) for name, value in fields.items()]  # names or attnames
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f, _ in columns)
    params = [f.get_db_prep_save(value, connection) for f, value in columns]
    key = meta.pk.get_db_prep_value(uuid.UUID(str(run_id)), connection)
    pk, status = (connection.ops.quote_name(meta.get_field(name).column) for name in (meta.pk.name, "status"))
    return f"UPDATE {meta.db_table} SET {assignments} WHERE {pk} = %s AND {status} = %s", [
        *params,
        key,
        expected,
    ]


def finish_run(
    run: CommandRun,
    status: str,
    exit_code: int,
    reason: str = "",
    output: Sequence[tuple[str, str]] = (),
    first_seq: int | None = None,
    digest: store.OutputDigest | None = None,
    recorded: Mapping[str, Any] | None = None,
    seal: store.OutputSeal | None = None,
) -> bool:
    """End a running run; `recorded` (what its command learnt: profile, team, principal,
    calls) is stored in the same write, and its last output through `seal` if it has one."""
    return end_run(
        run, RunStatus.RUNNING, status, exit_code, reason, output, first_seq, digest, recorded, seal
    )


def mark_lost(run: CommandRun, expected: str, why: str) -> bool:
    message = f"\nconsole: the command was lost: {why}. Check its effects before running it again.\n"
    return end_run(run, expected, RunStatus.LOST, ExitCode.OTHER, reason=why, output=[("stderr", message)])


def request_cancel(user: Any, run_id: uuid.UUID | str) -> CommandRun | None:
    """Ctrl-C. A queued run ends at once, and a run waiting for approval withdraws its
    request and ends; a running one is flagged for its worker. The request is audited
    (who, and the status it found) before anything is stopped."""
    run = get_user_run(user, run_id)
    if run is None or run.is_final:
        return run
    with transaction.atomic():
        audit.record(audit.AuditAction.RUN_CANCEL_REQUESTED, actor=user, run=run, data={"status": run.status})
    if run.status == RunStatus.AWAITING_APPROVAL:
        from console.runs import approvals  # approvals ends runs through this module

        approvals.withdraw(run, user)
    elif not end_run(
        run, RunStatus.QUEUED, RunStatus.CANCELLED, ExitCode.CANCELLED, "cancelled before it started"
    ):
        CommandRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(cancel_requested=True)
    notify.notify_run(run.pk)
    run.refresh_from_db()
    return run


def is_cancel_requested(run_id: uuid.UUID | str) -> bool:
    return CommandRun.objects.filter(pk=run_id, cancel_requested=True).exists()


def is_active(run_id: uuid.UUID | str) -> bool:
    """Still queued or running (a terminal runs one command at a time)."""
    return CommandRun.objects.filter(pk=run_id, status__in=ACTIVE_STATUSES).exists()


def heartbeat(run_id: uuid.UUID | str, *, profile: str = "", team_id: int | None = None) -> None:
    """The worker is alive. Once the command has resolved a team's profile, the beat also
    writes the profile and team, so the team's viewers may watch the run while it goes
    (console/audit/access.py reads `team`); the UPDATE that ends the run writes them again."""
    fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if team_id is not None:
        fields.update(profile=profile[:300], team_id=team_id)
    CommandRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(**fields)


def get_user_run(user: Any, run_id: uuid.UUID | str) -> CommandRun | None:
    try:
        key = uuid.UUID(str(run_id))
    except ValueError:
        return None
    return CommandRun.objects.filter(pk=key, user=user).first()


def log_denied(user: Any, run_id: Any, action: str) -> None:
    """Every refusal is logged and audited (the caller answers "not found" either way)."""
    log.warning("user %s was refused %s on run %r", user.pk, action, str(run_id)[:64])
    audit.record(
        audit.AuditAction.ACCESS_DENIED, actor=user, data={"action": action, "run": str(run_id)[:64]}
    )


def audit_missing_outcomes(within: timedelta = timedelta(hours=1)) -> int:
    """Record the outcome of recently ended runs whose `finished` event is missing."""
    since = timezone.now() - within
    missing = (
        CommandRun.objects.filter(status__in=FINAL_STATUSES, finished_at__gte=since)
        .exclude(
            audit__action__in=[audit.AuditAction.RUN_FINISHED.value, audit.AuditAction.RUN_REJECTED.value]
        )
        .select_related("user")
    )
    count = 0
    for run in missing:
        audit_outcome(run, run.status, run.exit_code, run.reason)
        count += 1
    return count


def take_stdin(run: CommandRun) -> str | None:
    """The run's stdin, opened once and then wiped from the row (it may be an MFA code)."""
    value = run.open_stdin()
    if value is not None:
        CommandRun.objects.filter(pk=run.pk).update(sealed_stdin="")
    return value
