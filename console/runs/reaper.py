"""Settling runs whose worker vanished (`running` with an old heartbeat) or that no worker
picked up (`queued` too long): they end `lost`, and requests for approval nobody decided in
time end their runs `rejected` (console/runs/approvals.py), with a line saying to check their effects.
Every worker runs `reap_stale_runs` on a thread of its own every CONSOLE_REAP_SECONDS
(tasks.py; never behind the commands in a worker slot), and every caller waiting for its
own run reaps that run too, so nobody waits on a dead one."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from console.runs import approvals, lifecycle
from console.runs.models import CommandRun, RunStatus


def reap_run_if_stale(run: CommandRun, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if run.status == RunStatus.RUNNING:
        beat = run.heartbeat_at or run.started_at or run.created_at
        if now - beat > timedelta(seconds=settings.CONSOLE_LOST_AFTER):
            return lifecycle.mark_lost(run, RunStatus.RUNNING, "its worker stopped responding")
    elif run.status == RunStatus.QUEUED:
        # An approved run was queued again at its heartbeat_at (console/runs/approvals.py).
        if now - (run.heartbeat_at or run.created_at) > timedelta(seconds=settings.CONSOLE_QUEUE_TIMEOUT):
            return lifecycle.mark_lost(run, RunStatus.QUEUED, "no worker picked it up")
    return False


def reap_if_stale(run_id: uuid.UUID | str) -> bool:
    run = CommandRun.objects.select_related("user").filter(pk=run_id).first()
    return run is not None and reap_run_if_stale(run)


def reap_stale_runs() -> int:
    """Settle every run whose worker vanished or that no worker picked up."""
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.CONSOLE_LOST_AFTER)
    queued_before = now - timedelta(seconds=settings.CONSOLE_QUEUE_TIMEOUT)
    stale = CommandRun.objects.filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=lost_before)
        | Q(status=RunStatus.QUEUED, created_at__lt=queued_before, heartbeat_at__isnull=True)
        | Q(status=RunStatus.QUEUED, heartbeat_at__lt=queued_before)
    ).select_related("user")
    return sum(reap_run_if_stale(run, now) for run in stale) + approvals.expire_due()


def wait_for_final(run_id: uuid.UUID | str, timeout: float) -> CommandRun:
    """Block until the run ends, waits for someone's approval (which may take minutes:
    the caller answers with its state, and polls), or `timeout` passes; polls, and reaps a
    run whose worker vanished so a caller is never left waiting on a dead run."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        run = CommandRun.objects.select_related("user").get(pk=run_id)
        if run.is_final or run.status == RunStatus.AWAITING_APPROVAL or time.monotonic() >= deadline:
            return run
        reap_run_if_stale(run)
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
