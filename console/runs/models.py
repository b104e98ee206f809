"""Runs and their output. The DB is the truth for output: chunks carry a per-run `seq`,
so a client that reconnects replays exactly what it missed, and the channel layer is only
a doorbell. The raw command line is sealed (it may hold a secret parameter); `command` is
the redacted copy shown in lists and the audit log.

A run also records, for the audit (docs/audit.md), where it came from (`source`,
`rerun_of`), what it called (`service`, `operation`, set at submission), and what its
worker learnt: the profile chain, the principal AWS saw, region, endpoint, each API call
with its status and request id, and the size and SHA-256 of its stored output. The
worker's part is written by the UPDATE that ends the run, never by a write of its own
(the heartbeat's UPDATE also carries the profile and team once known, so a team's
viewers can watch a team run while it goes).

Sealed columns are declared and opened here, through credentials/crypto.py, so key
rotation finds them without importing this app."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models

from credentials import crypto


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    LOST = "lost"
    REJECTED = "rejected"
    # The profile's guardrail asks for a second person (console/runs/approvals.py): the run
    # holds no worker while it waits, and moves on to queued (approved), rejected (denied,
    # expired) or cancelled (withdrawn).
    AWAITING_APPROVAL = "awaiting_approval"


FINAL_STATUSES = frozenset(
    {
        RunStatus.SUCCEEDED,
        RunStatus.FAILED,
        RunStatus.CANCELLED,
        RunStatus.TIMED_OUT,
        RunStatus.LOST,
        RunStatus.REJECTED,
    }
)

# A waiting run is active: its terminal waits for it (and Ctrl-C withdraws it).
ACTIVE_STATUSES = frozenset({RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL})

# The only moves a run may make: console/runs/lifecycle.py's compare_and_set refuses others.
# A running command ends `rejected` when its profile's guardrail refuses it, before it
# sends anything (console/commands/guardrail.py), and waits for approval when it asks for
# one; an approved run is queued again and runs once (console/runs/approvals.py).
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.LOST, RunStatus.REJECTED}),
    RunStatus.RUNNING: frozenset(
        {
            RunStatus.SUCCEEDED,
            RunStatus.FAILED,
            RunStatus.CANCELLED,
            RunStatus.TIMED_OUT,
            RunStatus.LOST,
            RunStatus.REJECTED,
            RunStatus.AWAITING_APPROVAL,
        }
    ),
    RunStatus.AWAITING_APPROVAL: frozenset({RunStatus.QUEUED, RunStatus.REJECTED, RunStatus.CANCELLED}),
}


class RunSource(models.TextChoices):
    TERMINAL = "terminal"
    API = "api"
    PORTAL = "portal"  # a profile's "test" button (console/portal/services.py)
    RUN_PAGE = "run_page"  # a re-run button on /runs/<id>


class CommandRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    source = models.CharField(max_length=16, choices=RunSource.choices)
    terminal_id = models.CharField(max_length=64, blank=True, db_index=True)
    command = models.TextField(help_text="The command line with sensitive values redacted.")
    sealed_command = models.TextField(blank=True)
    sealed_stdin = models.TextField(blank=True)
    # An API client's answer to a guardrail that asks to confirm (the profile's name, not
    # a secret), read by the worker: Celery messages carry the run's id only.
    confirm = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    exit_code = models.IntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the console ended the run itself.")
    cols = models.PositiveSmallIntegerField(default=80)
    cancel_requested = models.BooleanField(default=False)
    # The profile the command acted through and its team (none: the user's own), set as
    # the run ends; the team keeps its runs attributable to it (auditors read them).
    profile = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    worker = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Where it came from and what it asks for (set when it is submitted).
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    service = models.CharField(max_length=64, blank=True, help_text="The botocore service, if any.")
    operation = models.CharField(max_length=128, blank=True)
    # What its worker learnt (set by the UPDATE that ends it; empty when never learnt),
    # beside `profile` and `team` above.
    profile_chain = models.JSONField(default=list, blank=True)
    principal = models.JSONField(
        default=dict, blank=True, help_text="type, arn, account, role, access_key_id: never a secret."
    )
    aws_account = models.CharField(max_length=32, blank=True, db_index=True)
    region = models.CharField(max_length=32, blank=True)
    endpoint = models.TextField(blank=True)
    aws_calls = models.JSONField(default=list, blank=True)
    aws_call_count = models.PositiveIntegerField(default=0)
    output_bytes = models.BigIntegerField(null=True, blank=True)
    output_sha256 = models.CharField(max_length=64, blank=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_command", "sealed_stdin")
    _PURPOSES: ClassVar[dict[str, str]] = {"sealed_command": "command", "sealed_stdin": "stdin"}

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            # The per-user cap counts a user's active runs on every submission
            # (console/runs/submission.py): an index of the active runs only, so the count
            # reads those few rows and not every run the user ever made (1.4 ms at 4,000).
            models.Index(
                fields=["user"],
                condition=models.Q(status__in=sorted(ACTIVE_STATUSES)),
                name="runs_active_by_user",
            ),
        ]

    # Not a column: whether the run asked for approval before its claim (an approved run,
    # started again); lifecycle.claim_run returns it with the claimed row.
    asked_for_approval: bool = False

    def __str__(self) -> str:
        return f"{self.id} {self.status} {self.command[:60]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def short_id(self) -> str:
        """The id as `history` shows it and `rerun` takes it (a prefix of the whole)."""
        return self.pk.hex[:8]

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    def secret_context(self, column: str) -> str:
        # The same associated data as before the declaration moved here: stored rows open.
        return f"run:{self.pk}:user:{self.user_id}:{self._PURPOSES[column]}"

    def seal_command(self, line: str) -> None:
        self.sealed_command = crypto.seal(line, self.secret_context("sealed_command"))

    def open_command(self) -> str:
        return crypto.open_sealed(self.sealed_command, self.secret_context("sealed_command"))

    def seal_stdin(self, stdin: str | None) -> None:
        """Seal the run's stdin; none is stored as an empty column."""
        self.sealed_stdin = crypto.seal(stdin, self.secret_context("sealed_stdin")) if stdin else ""

    def open_stdin(self) -> str | None:
        if not self.sealed_stdin:
            return None
        return crypto.open_sealed(self.sealed_stdin, self.secret_context("sealed_stdin"))


class ApprovalDecision(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class ApprovalRequest(models.Model):
    """A run's request for a second person's approval (console/runs/approvals.py): who
    asked, through which profile, for which access levels, until when, and who decided
    what. `command` is the run's redacted line, as lists show it. `consumed_at` is set,
    once, by the worker that starts the approved run, so an approval runs it at most once."""

    run = models.ForeignKey(CommandRun, on_delete=models.CASCADE, related_name="approvals")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="approval_requests")
    profile = models.CharField(max_length=300, help_text="The team profile's address, <team>/<name>.")
    levels = models.JSONField(default=list)
    command = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    decision = models.CharField(
        max_length=16, choices=ApprovalDecision.choices, default=ApprovalDecision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"approval {self.pk} {self.decision} {self.profile} {self.command[:40]}"


class OutputStream(models.TextChoices):
    STDOUT = "stdout"
    STDERR = "stderr"
    PROMPT = "prompt"
    # A request to the browser terminal (`upload`, `download`): JSON, sent as a `files` frame.
    ACTION = "action"


def output_context(run_id: uuid.UUID, user_id: int, seq: int) -> str:
    """The associated data of a sealed chunk: its run, the run's user, the purpose, and
    its place in the output, so a chunk copied to another run or moved within one fails to
    open."""
    return f"run:{run_id}:user:{user_id}:output:{seq}"


class OutputChunk(models.Model):
    """One piece of a run's output. `data` is what anyone who may see the run is shown.
    The stdout of an operation whose output holds secrets (console/interpreter/sensitivity.py)
    is kept in `sealed_data` instead, opened only for the run's own user; its `data` is
    then the one-line notice that says so (on the run's first sealed chunk) or empty."""

    run = models.ForeignKey(CommandRun, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    stream = models.CharField(max_length=8, choices=OutputStream.choices)
    data = models.TextField()
    sealed_data = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_data",)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="chunk_run_seq_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.seq} {self.stream}"

    def secret_context(self, column: str = "sealed_data") -> str:
        # Reads the run's user (one query per chunk; only key rotation asks, for sealed rows).
        return output_context(self.run_id, self.run.user_id, self.seq)

    @staticmethod
    def seal_data(plaintext: str, run_id: uuid.UUID, user_id: int, seq: int) -> str:
        return crypto.seal(plaintext, output_context(run_id, user_id, seq))

    @staticmethod
    def open_data(sealed: str, run_id: uuid.UUID, user_id: int, seq: int) -> str:
        return crypto.open_sealed(sealed, output_context(run_id, user_id, seq))


class AuditEvent(models.Model):
    """An append-only, hash-chained record: each event's hash covers every stored field
    and the previous event's hash, so editing, deleting or reordering rows breaks the chain
    (see console/runs/chain.py). `seq` is the event's place in the chain, without gaps.

    The actor and the run are references the database does not enforce and never changes:
    deleting a user or a run leaves the ids the events were hashed with, where SET_NULL
    would have edited the log (and broken its hashes) on every deletion."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    run = models.ForeignKey(
        CommandRun, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="audit"
    )
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.action} by {self.actor_name}"


class AuditChainHead(models.Model):
    """A single row locked while an event is appended, so concurrent writers chain in order;
    it names the newest event (place and hash), so deleting the newest events is detected."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head {self.last_seq} {self.last_hash[:12]}"


class TerminalEnvironment(models.Model):
    """A terminal's `export`ed variables, kept on the server per (user, terminal).

    The whole mapping is sealed as one value bound to the user and terminal (it may hold
    AWS_SECRET_ACCESS_KEY); only the variable names are stored in the clear, for people
    looking at the table. See console/runs/environment.py."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    terminal_id = models.CharField(max_length=64)
    names = models.JSONField(default=list, blank=True)
    sealed_values = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Sealed through credentials/crypto.py, each with its secret_context(column).
    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_values",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "terminal_id"], name="terminal_env_user_terminal")
        ]

    def __str__(self) -> str:
        return f"environment of terminal {self.terminal_id}: {', '.join(self.names) or 'empty'}"

    def secret_context(self, column: str = "sealed_values") -> str:
        return f"terminal-env:user:{self.user_id}:terminal:{self.terminal_id}"

    def seal_values(self, values: dict[str, str]) -> None:
        """Seal the whole mapping; an empty one is stored as an empty column."""
        self.sealed_values = crypto.seal_json(values, self.secret_context()) if values else ""

    def open_values(self) -> dict[str, str]:
        if not self.sealed_values:
            return {}
        return dict(crypto.open_json(self.sealed_values, self.secret_context()))
