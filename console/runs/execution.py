"""Running a claimed command inside a worker.

The command runs on a long-lived pool thread (so its DB connection and botocore clients
are reused across commands) while the task thread watches it: heartbeats for the reaper,
Ctrl-C, and the run's time limit. A cancelled or timed-out command is ended at once; its
thread may still be inside an AWS call, and anything it writes afterwards is dropped by
the sink, so the user sees the run end when they asked, not when AWS answers.

The sink is the command's I/O (`CommandIO`): it stores output, asks questions (a prompt
frame in the terminal; the next line of the run's stdin over the API) and says whether
the run was cancelled. The command itself is found and run by console.commands.

A run stores at most CONSOLE_MAX_RUN_OUTPUT_BYTES of output, counted as the sink takes
it. The write that reaches the limit is cut there and the sink stops as a cancel does:
later writes are dropped (nothing more is held in memory or stored) and `cancelled()`
turns true, so the engine stops before its next page; the watcher ends the run `failed`
with the CLI's exit code for other errors (255) and says why on stderr.

Before an AWS operation runs, the worker asks whether botocore marks anything in its
output sensitive (console/interpreter/sensitivity.py); if so the sink seals the run's
stdout as it stores it (console/runs/store.py, `OutputSeal`). The command writes what
the CLI would: sealing is the store's business, and the runner's own views open it."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction

from console import stages
from console.commands import Caller, CommandContext, CommandIO, dispatch
from console.commands.record import Recorded, RunRecord
from console.commands.workspacefiles import WorkspaceFiles
from console.engine import Cancelled, Target
from console.errors import ExitCode
from console.interpreter import CommandError, Invocation, output_is_sensitive, parse_command
from console.output.errors import OutputLimitExceeded, describe_size
from console.runs import approvals, audit, lifecycle, notify, prompts, store
from console.runs.environment import RunEnvironment
from console.runs.history import RunHistoryOf
from console.runs.models import CommandRun, OutputStream, RunSource, RunStatus
from console.workspace.service import for_terminal

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.2
FLUSH_AFTER = 0.05
# Output shown in a terminal view (the terminal, or the run page a re-run button opens)
# is a TTY for `--color auto`; an API client's is not, as for the CLI in a pipe.
SHOWN_IN_A_TERMINAL = frozenset({RunSource.TERMINAL, RunSource.RUN_PAGE})
# Chunks that are JSON documents for the browser: stored whole and sent at once, never held.
WHOLE = frozenset({OutputStream.PROMPT, OutputStream.ACTION})


class DaemonThreadPool:
    """Long-lived daemon threads that run commands. Reusing threads keeps each one's DB
    connection and warm state; being daemons matters because a cancelled command may
    still sit inside an AWS call, and that must not keep the worker from shutting down
    (ThreadPoolExecutor joins its threads at exit)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Any, tuple[Any, ...]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._idle == 0 and self._threads < self._limit:
                self._threads += 1
                threading.Thread(target=self._work, name=f"run-{self._threads}", daemon=True).start()
        self._tasks.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, fn, args = self._tasks.get()
            with self._lock:
                self._idle -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the waiting task thread
                future.set_exception(exc)


_pool = DaemonThreadPool(limit=64)


class RunSink:
    """Writes a run's output to the DB in order and rings the doorbell.

    The newest chunk is held back for at most FLUSH_AFTER: most commands write their
    whole output just before they end, and that last chunk is then stored in the same
    transaction as the final status and announced by one doorbell, which saves a full
    notify-and-read round for every one-shot command. Streaming output still shows
    within FLUSH_AFTER, and questions (prompts) are never held."""

    def __init__(self, run: CommandRun) -> None:
        self.run = run
        self.run_id = run.pk
        self.next_seq: int | None = 0
        self.digest = store.OutputDigest()
        self.seal: store.OutputSeal | None = None
        self.limit_reached: OutputLimitExceeded | None = None
        self._limit = settings.CONSOLE_MAX_RUN_OUTPUT_BYTES
        self._room = self._limit
        self._pending: tuple[str, str, float] | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def seal_output(self) -> None:
        """Store stdout sealed from now on (the command's output holds secrets)."""
        with self._lock:
            self.seal = store.OutputSeal(self.run_id, self.run.user_id)
            self.digest.sealed = True

    def write(self, stream: str, data: str) -> None:
        if not data:
            return
        with self._lock:
            if self._stopped.is_set():
                return
            data = self._within_limit_locked(stream, data)
            flushed = self._flush_locked()
            if data:
                self._pending = (stream, data, time.monotonic())
            if stream in WHOLE:
                flushed = self._flush_locked() or flushed
        if flushed:
            notify.notify_run(self.run_id)

    def _within_limit_locked(self, stream: str, data: str) -> str:
        """`data`, or the part of it that fits in the run's output limit; reaching the
        limit stops the sink. A prompt or an action is a JSON document: all of it fits, or none."""
        size = len(data) if data.isascii() else len(data.encode("utf-8", "surrogatepass"))
        if size <= self._room:
            self._room -= size
            return data
        self.limit_reached = OutputLimitExceeded(
            f"console: the command's output reached {describe_size(self._limit)}, the most this "
            "console keeps for one run, so the command was stopped and the rest was not kept. "
            "Ask for less: a filter, --query, or --max-items.",
            self._limit,
        )
        self._stopped.set()
        if stream in WHOLE:
            return ""
        kept = data.encode("utf-8", "surrogatepass")[: self._room].decode("utf-8", "ignore")
        self._room = 0
        return kept

    def flush_if_due(self) -> float | None:
        """Flush a held chunk whose time is up; returns seconds until the next is due."""
        with self._lock:
            if self._pending is None:
                return None
            wait = self._pending[2] + FLUSH_AFTER - time.monotonic()
            if wait > 0:
                return wait
            self._flush_locked()
        notify.notify_run(self.run_id)
        return None

    def _flush_locked(self) -> bool:
        if self._pending is None:
            return False
        stream, data, _ = self._pending
        self._pending = None
        try:
            self.next_seq = store.append_chunk(
                self.run_id, stream, data, seq=self.next_seq, digest=self.digest, seal=self.seal
            )
        except Exception:
            # The insert may have been stored before the error (a dropped connection):
            # from now on take the next free seq instead of guessing.
            self.next_seq = None
            raise
        return True

    def close(self) -> list[tuple[str, str]]:
        """Stop accepting output; returns what is still held, to store with the final status."""
        with self._lock:
            self._stopped.set()
            pending, self._pending = self._pending, None
        return [(pending[0], pending[1])] if pending else []

    def cancelled(self) -> bool:
        return self._stopped.is_set()

    def ask(self, prompt: str, *, secret: bool) -> str | None:
        """Ask the user a question through a `prompt` frame and wait for the answer."""
        return prompts.ask(self.run, self, prompt, secret=secret)


class StdinAnswers:
    """An API run's I/O: nobody can be asked, so its answers are the lines of the run's
    stdin, in order (opened once, then wiped from the row); output goes to the sink."""

    def __init__(self, run: CommandRun, sink: CommandIO) -> None:
        self.run = run
        self.sink = sink
        self._lines: list[str] | None = None

    def write(self, stream: str, text: str) -> None:
        self.sink.write(stream, text)

    def cancelled(self) -> bool:
        return self.sink.cancelled()

    def ask(self, prompt: str, *, secret: bool) -> str | None:
        if self._lines is None:
            self._lines = (lifecycle.take_stdin(self.run) or "").splitlines()
        return self._lines.pop(0) if self._lines else None

    def read_all(self) -> bytes | None:
        """The whole stdin as bytes (`aws s3 cp - ...`); what answers took is gone."""
        if self._lines is None:
            text = lifecycle.take_stdin(self.run)
            self._lines = []
            return text.encode() if text is not None else None
        rest, self._lines = self._lines, []
        return "".join(line + "\n" for line in rest).encode() if rest else None


def execute(run: CommandRun) -> None:
    sink = RunSink(run)
    if run.asked_for_approval:  # set by lifecycle.claim_run
        sink.next_seq = None  # an approved run goes on after its waiting line
    record = RunRecord()
    future = _pool.submit(_run_command, run, sink, record)
    status, code, reason = _watch(run, sink, future, record)
    recorded = record.snapshot()
    if status == RunStatus.FAILED and recorded.pending is not None:
        # Stopped before anything was sent, to wait for approval without a worker slot.
        if approvals.open_request(run, recorded.pending, sink.close(), sink.next_seq) is not None:
            return
    if status == RunStatus.FAILED and recorded.refusal:
        status, reason = RunStatus.REJECTED, recorded.refusal  # its guardrail refused it
    output = sink.close()
    if sink.limit_reached is not None:
        output.append((OutputStream.STDERR, f"\n{sink.limit_reached.message}\n"))
    elif status == RunStatus.TIMED_OUT:
        output.append((OutputStream.STDERR, f"\nconsole: {reason}\n"))
    lifecycle.finish_run(
        run,
        status,
        code,
        reason,
        output=output,
        first_seq=sink.next_seq,
        digest=sink.digest,
        recorded=recorded_columns(recorded),
        seal=sink.seal,
    )


def recorded_columns(recorded: Recorded) -> dict[str, Any]:
    """The run's columns for what its command learnt (console/commands/record.py)."""
    return {
        "profile": recorded.profile[:300],
        "team_id": recorded.team_id,
        "profile_chain": list(recorded.profile_chain),
        "principal": recorded.principal,
        "aws_account": recorded.principal.get("account", "")[:32],
        "region": recorded.region[:32],
        "endpoint": recorded.endpoint,
        "aws_calls": [call.to_json() for call in recorded.calls],
        "aws_call_count": recorded.call_count,
    }


def _watch(run: CommandRun, sink: RunSink, future: Future[int], record: RunRecord) -> tuple[str, int, str]:
    deadline = time.monotonic() + settings.CONSOLE_RUN_TIMEOUT
    next_beat = time.monotonic() + settings.CONSOLE_HEARTBEAT_SECONDS
    next_check = time.monotonic() + WATCH_INTERVAL
    while True:
        flush_in = sink.flush_if_due()
        ended = _outcome(run, sink, future, timeout=min(WATCH_INTERVAL, flush_in or WATCH_INTERVAL))
        # Checked first: a command stopped by the limit ends as Cancelled, or not at all yet.
        if sink.limit_reached is not None:
            return RunStatus.FAILED, ExitCode.OTHER, "output limit reached"
        if ended is not None:
            return ended
        now = time.monotonic()
        if now >= next_check:
            next_check = now + WATCH_INTERVAL
            if lifecycle.is_cancel_requested(run.pk):
                return RunStatus.CANCELLED, ExitCode.CANCELLED, "cancelled"
        if now > deadline:
            return (
                RunStatus.TIMED_OUT,
                ExitCode.OTHER,
                f"the command timed out after {settings.CONSOLE_RUN_TIMEOUT} seconds",
            )
        if now > next_beat:
            learnt = record.snapshot()
            lifecycle.heartbeat(run.pk, profile=learnt.profile, team_id=learnt.team_id)
            next_beat = now + settings.CONSOLE_HEARTBEAT_SECONDS


def _outcome(
    run: CommandRun, sink: RunSink, future: Future[int], timeout: float
) -> tuple[str, int, str] | None:
    """How the command ended, if it ends within `timeout`."""
    try:
        code = future.result(timeout=timeout)
    except TimeoutError:
        return None
    except Cancelled:
        return RunStatus.CANCELLED, ExitCode.CANCELLED, "cancelled"
    except Exception:
        log.exception("run %s failed inside the console", run.pk)
        sink.write("stderr", "\nconsole: the command failed inside the console; the error was logged.\n")
        return RunStatus.FAILED, ExitCode.OTHER, "internal error"
    return (RunStatus.SUCCEEDED if code == 0 else RunStatus.FAILED), code, ""


def _run_command(run: CommandRun, sink: RunSink, record: RunRecord) -> int:
    close_old_connections()
    # The worker parses the sealed line again rather than receiving the parse: Celery
    # messages carry ids only, and a parse holds the line's secret values in the clear.
    # `file://` values are read again too, from the workspace as it is now.
    ctx = context_for(run, sink, record)
    try:
        parsed = parse_command(run.open_command(), files=WorkspaceFiles(ctx.workspace).read)
    except CommandError as exc:
        sink.write("stderr", exc.message)
        return exc.exit_code
    if isinstance(parsed, Invocation) and output_is_sensitive(parsed.service_name, parsed.operation_name):
        sink.seal_output()
    try:
        return dispatch(parsed, ctx)
    finally:
        stages.mark(run.pk, "formatted")


class RunGuardrail:
    """The guardrail check's view of its run (console/commands/guardrail.py): an API run
    answers with the `confirm` it was sent, a portal test with none; a terminal's person
    is asked. Outcomes go to
    the audit log, naming the run."""

    OUTCOMES = {
        "denied": audit.AuditAction.GUARDRAIL_DENIED,
        "confirmed": audit.AuditAction.GUARDRAIL_CONFIRMED,
        "unconfirmed": audit.AuditAction.GUARDRAIL_UNCONFIRMED,
        "elevated": audit.AuditAction.GUARDRAIL_ELEVATED,
    }

    def __init__(self, run: CommandRun) -> None:
        self.run = run

    def sent_confirmation(self) -> str | None:
        if self.run.source == RunSource.API:
            return self.run.confirm
        # The portal's test button has nobody to ask: a confirmation it cannot give refuses.
        return "" if self.run.source == RunSource.PORTAL else None

    def audit(self, outcome: str, data: Mapping[str, Any]) -> None:
        with transaction.atomic():
            audit.record(self.OUTCOMES[outcome], actor=self.run.user, run=self.run, data=dict(data))

    def approval(self, profile: str) -> str:
        # The portal's test button has nobody waiting for it.
        return (
            "impossible" if self.run.source == RunSource.PORTAL else approvals.consume(self.run.pk, profile)
        )


def typed_stdin(run: CommandRun, io: CommandIO) -> Callable[[], bytes | None]:
    """A terminal run's stdin (`aws s3 cp - s3://b/k`): what the person types or pastes
    until Ctrl-D, asked for only when the command reads it; None when they cancel."""

    def read() -> bytes | None:
        text = prompts.ask(run, io, STDIN_HINT, secret=False, stdin=True)
        return text.encode() if text is not None else None

    return read


# Shown above the lines typed as stdin; a client that knows no stdin prompt shows it too.
STDIN_HINT = "(reading stdin: type or paste the text, then Ctrl-D on a new line; Ctrl-C cancels)"


def context_for(run: CommandRun, io: CommandIO, record: RunRecord | None = None) -> CommandContext:
    """The command's context for a claimed run: who, from where, its I/O, and its record."""
    answers = StdinAnswers(run, io) if run.source == RunSource.API else None
    stdin = answers.read_all if answers is not None else None
    if run.source == RunSource.TERMINAL:
        stdin = typed_stdin(run, io)
    return CommandContext(
        caller=Caller(run.user, str(run.pk), run.terminal_id, run.source),
        io=answers or io,
        stdin=stdin,
        environment=RunEnvironment(run.user, run.terminal_id),
        workspace=for_terminal(run.user, run.terminal_id),
        target=Target(
            width=run.cols,
            tty=run.source in SHOWN_IN_A_TERMINAL,
            query_limit=settings.CONSOLE_QUERY_MAX_BYTES,
        ),
        record=record or RunRecord(),
        history=RunHistoryOf(run.user),
        guardrail=RunGuardrail(run),
    )
