"""The life of a run (see ../shared/ARCHITECTURE.md, "The life of a command").

Every status change is a compare-and-set on the row (`filter(status=...).update(...)`), so
a redelivered task, a late worker and the reaper can race without a run ever being
executed twice or ending twice. Output is written to the DB before anyone is told."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from console.interpreter import CommandError, parse_command, redact_line
from console.runs import audit, notify, queue
from console.runs.errors import RunInputError
from console.runs.models import FINAL_STATUSES, CommandRun, OutputChunk, OutputStream, RunStatus
from credentials import crypto

log = logging.getLogger(__name__)

EXIT_REJECTED = 255
MAX_CHUNK_CHARS = 64 * 1024


def _context(run: CommandRun, purpose: str) -> str:
    return f"run:{run.pk}:user:{run.user_id}:{purpose}"


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
    A line that does not parse is recorded as `rejected` with the CLI's message.
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
    run.sealed_command = crypto.seal(line, _context(run, "command"))
    if stdin:
        run.sealed_stdin = crypto.seal(stdin, _context(run, "stdin"))
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
        append_chunk(run.pk, OutputStream.STDERR, message, seq=0)
        audit.record(
            audit.AuditAction.RUN_REJECTED,
            actor=run.user,
            run=run,
            data={"command": run.command, "source": run.source, "exit_code": exit_code},
        )
    return run


def _enqueue(run: CommandRun) -> str | None:
    problem = queue.enqueue_execution(run.pk)
    if problem:
        reject_queued_run(run, problem)
    return problem


def reject_queued_run(run: CommandRun, message: str) -> bool:
    ended = _transition(
        run,
        RunStatus.QUEUED,
        RunStatus.REJECTED,
        EXIT_REJECTED,
        reason=message,
        output=[(OutputStream.STDERR, f"console: {message}\n")],
    )
    return ended


def _transition(
    run: CommandRun,
    expected: str,
    status: str,
    exit_code: int | None,
    reason: str = "",
    output: Sequence[tuple[str, str]] = (),
    first_seq: int | None = None,
) -> bool:
    """Compare-and-set a run into a final status. The run's last `output` is stored in
    the same transaction, so whoever sees the final status also sees all of the output.
    The winner rings the doorbell first and audits the outcome after: the outcome is
    already durable in the run row, and the user should not wait for its audit copy
    (`audit_missing_outcomes` repairs the rare event lost to a crash in between)."""
    with transaction.atomic():
        changed = CommandRun.objects.filter(pk=run.pk, status=expected).update(
            status=status, exit_code=exit_code, reason=reason, finished_at=timezone.now()
        )
        if changed:
            seq = first_seq if first_seq is not None else _next_seq(run.pk)
            for stream, data in output:
                seq = append_chunk(run.pk, stream, data, seq=seq)
    if changed:
        notify.notify_run(run.pk)
        _audit_outcome(run, status, exit_code, reason)
    return bool(changed)


def _audit_outcome(run: CommandRun, status: str, exit_code: int | None, reason: str) -> None:
    data = {"status": status, "exit_code": exit_code, "reason": reason}
    with transaction.atomic():
        audit.record(audit.AuditAction.RUN_FINISHED, actor=run.user, run=run, data=data)


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
        _audit_outcome(run, run.status, run.exit_code, run.reason)
        count += 1
    return count


def claim_run(run_id: uuid.UUID | str, worker: str) -> CommandRun | None:
    """queued -> running, exactly once however often the task is delivered."""
    now = timezone.now()
    claimed = CommandRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, worker=worker[:255], started_at=now, heartbeat_at=now
    )
    if not claimed:
        return None
    return _load_run_with_user(run_id)


def _load_run_with_user(run_id: uuid.UUID | str) -> CommandRun:
    """The claimed run and its user: two plain reads (every command's first step in a
    worker), which cost half of the ORM's compiled join on a busy machine."""
    key = CommandRun._meta.pk.get_db_prep_value(uuid.UUID(str(run_id)), connection)
    run = next(
        iter(CommandRun.objects.raw(f"SELECT * FROM {CommandRun._meta.db_table} WHERE id = %s", [key]))
    )
    user_model = CommandRun._meta.get_field("user").related_model
    run.user = next(
        iter(
            user_model.objects.raw(f"SELECT * FROM {user_model._meta.db_table} WHERE id = %s", [run.user_id])
        )
    )
    return run


def finish_run(
    run: CommandRun,
    status: str,
    exit_code: int,
    reason: str = "",
    output: Sequence[tuple[str, str]] = (),
    first_seq: int | None = None,
) -> bool:
    return _transition(run, RunStatus.RUNNING, status, exit_code, reason, output, first_seq)


def open_command(run: CommandRun) -> str:
    return crypto.open_sealed(run.sealed_command, _context(run, "command"))


def take_stdin(run: CommandRun) -> str | None:
    """The run's stdin, opened once and then wiped from the row (it may be an MFA code)."""
    if not run.sealed_stdin:
        return None
    value = crypto.open_sealed(run.sealed_stdin, _context(run, "stdin"))
    CommandRun.objects.filter(pk=run.pk).update(sealed_stdin="")
    return value


def append_chunk(run_id: uuid.UUID | str, stream: str, data: str, seq: int | None = None) -> int:
    """Store output; returns the next free seq. Without `seq`, takes the next one (retrying
    when a concurrent writer took it first)."""
    if seq is not None:
        # The run's one writer knows its seq: a single INSERT, no savepoint.
        pieces = _pieces(data)
        OutputChunk.objects.bulk_create(
            [OutputChunk(run_id=run_id, seq=seq + i, stream=stream, data=p) for i, p in enumerate(pieces)]
        )
        return seq + len(pieces)
    for _attempt in range(5):
        start = seq if seq is not None else _next_seq(run_id)
        try:
            with transaction.atomic():
                OutputChunk.objects.bulk_create(
                    [
                        OutputChunk(run_id=run_id, seq=start + i, stream=stream, data=piece)
                        for i, piece in enumerate(_pieces(data))
                    ]
                )
            return start + len(_pieces(data))
        except IntegrityError:
            if seq is not None:
                raise
    raise IntegrityError(f"could not append output to run {run_id}")


def _pieces(data: str) -> list[str]:
    return [data[i : i + MAX_CHUNK_CHARS] for i in range(0, len(data), MAX_CHUNK_CHARS)] or [""]


def _next_seq(run_id: uuid.UUID | str) -> int:
    last = OutputChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"]
    return 0 if last is None else last + 1


def request_cancel(user: Any, run_id: uuid.UUID | str) -> CommandRun | None:
    """Ctrl-C. A queued run ends at once; a running one is flagged for its worker."""
    run = get_user_run(user, run_id)
    if run is None or run.is_final:
        return run
    if not _transition(run, RunStatus.QUEUED, RunStatus.CANCELLED, 130, "cancelled before it started"):
        CommandRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(cancel_requested=True)
    notify.notify_run(run.pk)
    run.refresh_from_db()
    return run


def is_cancel_requested(run_id: uuid.UUID | str) -> bool:
    return CommandRun.objects.filter(pk=run_id, cancel_requested=True).exists()


def heartbeat(run_id: uuid.UUID | str) -> None:
    CommandRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())


def get_user_run(user: Any, run_id: uuid.UUID | str) -> CommandRun | None:
    try:
        key = uuid.UUID(str(run_id))
    except ValueError:
        return None
    return CommandRun.objects.filter(pk=key, user=user).first()


class Chunk(NamedTuple):
    seq: int
    stream: str
    data: str


class RunSnapshot(NamedTuple):
    status: str
    exit_code: int | None
    chunks: list[Chunk]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


_READ_SINCE = """
    SELECT r.status, r.exit_code, c.seq, c.stream, c.data
    FROM runs_commandrun r
    LEFT JOIN runs_outputchunk c ON c.run_id = r.id AND c.seq > %s
    WHERE r.id = %s
    ORDER BY c.seq
"""


def read_since(run_id: uuid.UUID | str, after: int) -> RunSnapshot:
    """A run's status and its chunks after `after`, in one statement, so the two agree:
    a run is final only once its last chunk is stored. This is the terminal's hot path
    (every doorbell reads it), hence plain SQL instead of two ORM queries."""
    key = uuid.UUID(str(run_id))
    with connection.cursor() as cursor:
        cursor.execute(_READ_SINCE, [after, key.hex if connection.vendor == "sqlite" else key])
        rows = cursor.fetchall()
    if not rows:
        raise CommandRun.DoesNotExist(str(run_id))
    chunks = [Chunk(seq, stream, data) for _s, _c, seq, stream, data in rows if seq is not None]
    return RunSnapshot(rows[0][0], rows[0][1], chunks)


def read_chunks(run: CommandRun, after: int = -1) -> list[OutputChunk]:
    return list(OutputChunk.objects.filter(run=run, seq__gt=after).order_by("seq"))


def run_streams(run: CommandRun) -> tuple[str, str]:
    chunks = read_chunks(run)
    stdout = "".join(c.data for c in chunks if c.stream == OutputStream.STDOUT)
    stderr = "".join(c.data for c in chunks if c.stream == OutputStream.STDERR)
    return stdout, stderr


def wait_for_final(run_id: uuid.UUID | str, timeout: float) -> CommandRun:
    """Block until the run ends or `timeout` passes; polls, and reaps a run whose worker
    vanished so a caller is never left waiting on a dead run."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        run = CommandRun.objects.select_related("user").get(pk=run_id)
        if run.is_final or time.monotonic() >= deadline:
            return run
        reap_run_if_stale(run)
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def reap_run_if_stale(run: CommandRun, now: Any = None) -> bool:
    now = now or timezone.now()
    if run.status == RunStatus.RUNNING:
        beat = run.heartbeat_at or run.started_at or run.created_at
        if now - beat > timedelta(seconds=settings.CONSOLE_LOST_AFTER):
            return _mark_lost(run, RunStatus.RUNNING, "its worker stopped responding")
    elif run.status == RunStatus.QUEUED:
        if now - run.created_at > timedelta(seconds=settings.CONSOLE_QUEUE_TIMEOUT):
            return _mark_lost(run, RunStatus.QUEUED, "no worker picked it up")
    return False


def _mark_lost(run: CommandRun, expected: str, why: str) -> bool:
    message = f"\nconsole: the command was lost: {why}. Check its effects before running it again.\n"
    return _transition(
        run, expected, RunStatus.LOST, EXIT_REJECTED, reason=why, output=[(OutputStream.STDERR, message)]
    )


def log_denied(user: Any, run_id: Any, action: str) -> None:
    """Every refusal is logged and audited (the caller answers "not found" either way)."""
    log.warning("user %s was refused %s on run %r", user.pk, action, str(run_id)[:64])
    audit.record(
        audit.AuditAction.ACCESS_DENIED, actor=user, data={"action": action, "run": str(run_id)[:64]}
    )


def reap_stale_runs() -> int:
    """Settle every run whose worker vanished or that no worker picked up."""
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.CONSOLE_LOST_AFTER)
    queued_before = now - timedelta(seconds=settings.CONSOLE_QUEUE_TIMEOUT)
    stale = CommandRun.objects.filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=lost_before)
        | Q(status=RunStatus.QUEUED, created_at__lt=queued_before)
    ).select_related("user")
    return sum(reap_run_if_stale(run, now) for run in stale)
