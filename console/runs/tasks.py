"""Celery tasks: ids in, nothing secret in the message. Each task is a thin adapter over
console.runs.lifecycle / execution / reaper."""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.db import close_old_connections

from console.runs import execution, lifecycle, reaper, workers

log = logging.getLogger(__name__)

WORKER_NAME = workers.worker_name()
_announcer_stop = threading.Event()


@shared_task(name=workers.EXECUTE_RUN, ignore_result=True)
def execute_run(run_id: str) -> None:
    close_old_connections()
    run = lifecycle.claim_run(run_id, WORKER_NAME)
    if run is None:
        log.info("run %s was not queued any more; not running it again", run_id)
        return
    execution.execute(run)


@shared_task(name="console.runs.tasks.reap_runs", ignore_result=True)
def reap_runs() -> int:
    close_old_connections()
    reaped = reaper.reap_stale_runs()
    lifecycle.audit_missing_outcomes()
    return reaped


def _announce_forever() -> None:
    while not _announcer_stop.is_set():
        try:
            workers.announce_worker(WORKER_NAME)
        except Exception as exc:  # Redis may be restarting; keep trying
            log.warning("worker heartbeat failed: %s", type(exc).__name__)
        _announcer_stop.wait(3.0)


@worker_ready.connect
def _start_announcing(**_kwargs: object) -> None:
    threading.Thread(target=_announce_forever, name="worker-announce", daemon=True).start()


@worker_shutdown.connect
def _stop_announcing(**_kwargs: object) -> None:
    _announcer_stop.set()
    workers.retire_worker(WORKER_NAME)
