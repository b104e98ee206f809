"""The Celery app, and the worker's start-up.

Design decision: a worker caps glibc's malloc arenas at MALLOC_ARENAS before its pool's
threads start. glibc gives each new thread an arena of its own, up to eight per core, and
memory freed in an arena stays in it: a worker of 8 to 16 command threads, each command
with s3transfer's ten threads, otherwise keeps the high-water mark of every thread that
ever moved a part (bench/transfer.py, 100 MB: the worker stayed at 193 MiB after an upload
and reached 220 MiB during the download that followed; with two arenas it went back to
144 MiB and peaked at 166 MiB). `mallopt` at start-up does what MALLOC_ARENA_MAX=2 in the
environment does, however the worker is launched (runstack, docker-compose, a unit file)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Any

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["console.runs"])

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc's malloc to `arenas` arenas for threads started from now on; False
    where the C library is not glibc (musl, macOS), which has no such setting."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))


@celeryd_init.connect
def _on_worker_start(**kwargs: Any) -> None:
    cap_malloc_arenas()
