"""Celery tasks: ids in, nothing secret in the message. Each task is a thin adapter over
console.runs.lifecycle / execution / reaper.

The reaper is not a task. As a Celery beat task it waited on the same queue and the same
slots as the commands, so the flood it exists to clean up (every slot taken by commands
that never end) starved it too. Each worker runs it on a background thread of its own,
beside the announcer: it needs no slot, no queue and no Redis (only the DB), and wherever
commands run, something settles the runs of workers that died. Several workers reaping at
once is safe: every ending is a compare-and-set, so a run is settled once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

from console import stages
from console.runs import execution, lifecycle, reaper, workers

log = logging.getLogger(__name__)

WORKER_NAME = workers.worker_name()
_stopping = threading.Event()


@shared_task(name=workers.EXECUTE_RUN, ignore_result=True)
def execute_run(run_id: str) -> None:
    stages.mark(run_id, "picked")
    close_old_connections()
    run = lifecycle.claim_run(run_id, WORKER_NAME)
    stages.mark(run_id, "claimed")
    if run is None:
        log.info("run %s was not queued any more; not running it again", run_id)
        return
    execution.execute(run)


# Periodic chores of apps above this one, run on the reaper's thread after each round
# (console/teams adds the ending of expired grants), so no app needs a thread of its own.
_chores: list[Callable[[], object]] = []


def add_chore(chore: Callable[[], object]) -> None:
    if chore not in _chores:
        _chores.append(chore)


def reap_once() -> int:
    """Settle dead runs, repair missing outcome events and do the chores; returns how
    many runs were reaped."""
    close_old_connections()
    reaped = reaper.reap_stale_runs()
    lifecycle.audit_missing_outcomes()
    for chore in _chores:
        try:
            chore()
        except Exception:  # one failing chore must not stop the reaper's own work
            log.warning("the chore %s failed", getattr(chore, "__name__", chore), exc_info=True)
    return reaped


def _reap_forever() -> None:
    while not _stopping.wait(settings.CONSOLE_REAP_SECONDS):
        try:
            reap_once()
        except Exception:  # the DB may be restarting; the next round tries again
            log.warning("the reaper's round failed", exc_info=True)


def _announce_forever() -> None:
    while not _stopping.is_set():
        try:
            workers.announce_worker(WORKER_NAME)
        except Exception as exc:  # Redis may be restarting; keep trying
            log.warning("worker heartbeat failed: %s", type(exc).__name__)
        _stopping.wait(3.0)


@worker_ready.connect
def _start_background_threads(**_kwargs: object) -> None:
    threading.Thread(target=_announce_forever, name="worker-announce", daemon=True).start()
    threading.Thread(target=_reap_forever, name="worker-reaper", daemon=True).start()


@worker_shutdown.connect
def _stop_background_threads(**_kwargs: object) -> None:
    _stopping.set()
    workers.retire_worker(WORKER_NAME)
