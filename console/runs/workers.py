"""Handing runs to workers. Workers announce themselves in a Redis sorted set every few
seconds; before publishing, the web side checks that at least one is alive, so a command
submitted while every worker is down is rejected at once instead of sitting `queued`.
Publishing never retries: with Redis down the user hears about it within a second or two.
The task is published by name, so submitting a run does not import the worker's code."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from functools import lru_cache

import redis
from celery import current_app
from django.conf import settings

log = logging.getLogger(__name__)

WORKER_TTL = 15.0
EXECUTE_RUN = "console.runs.tasks.execute_run"


def key(name: str) -> str:
    """A Redis key in this console's namespace (CONSOLE_REDIS_PREFIX)."""
    return f"{settings.CONSOLE_REDIS_PREFIX}:{name}"


def workers_key() -> str:
    return key("workers")


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


def announce_worker(name: str) -> None:
    now = time.time()
    pipe = redis_client().pipeline()
    pipe.zadd(workers_key(), {name: now})
    pipe.zremrangebyscore(workers_key(), 0, now - WORKER_TTL * 4)
    pipe.execute()


def retire_worker(name: str) -> None:
    try:
        redis_client().zrem(workers_key(), name)
    except redis.RedisError:
        pass


def live_workers() -> int:
    return int(redis_client().zcount(workers_key(), time.time() - WORKER_TTL, "+inf"))


def worker_name() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


def enqueue_execution(run_id: uuid.UUID) -> str | None:
    """Publish `execute_run(run_id)`; returns why it could not be queued, or None."""
    try:
        if live_workers() == 0:
            return (
                "no worker is running to execute commands "
                "(start one with `make worker`, or ask an administrator)"
            )
        current_app.send_task(EXECUTE_RUN, (str(run_id),), ignore_result=True, retry=False)
    except Exception as exc:  # kombu/redis raise many types; all mean "not queued"
        log.warning("could not queue run %s: %s", run_id, type(exc).__name__)
        return "the command queue is unavailable right now (Redis did not answer); try again in a moment"
    return None
