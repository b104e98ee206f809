"""The console's path with no command in it, for bench/floor.py: an ASGI app (daphne serves
`floorapp:application`) and a Celery task (a worker started with `-A floorapp`), both on
the console's own settings, Celery app and channel layer.

A websocket frame `{"kind": K, "id": ID}` is answered with `{"id": ID, "output": ...}`
after doing only what each kind names, by the same mechanisms the console's command path
uses (console/terminal/consumers.py, console/runs):

  echo    nothing: the frame goes back (daphne and the websocket)
  inline  in a thread off the event loop, commit a row, then commit its output; read the
          row on the thread every DB call of the consumer shares (a command run by the
          process that holds its websocket: audit before action, the DB as the truth)
  queue   publish a Celery task with the id; the task rings the consumer's channel on
          the channel layer, and the consumer answers (the queue and the doorbell)
  queued  both: commit the row, publish, the task commits the output and rings, the
          consumer reads the row (the least a queued command can cost)
  lean    as `queued`, with the queue a Redis list instead of Celery: LPUSH, and a worker
          of threads blocked in BLMOVE (the message kept on a list of taken ones until it
          is done, as a queue that survives a killed worker must), started as
          `python floorapp.py lean THREADS` (the least any queue on Redis can cost)

Each is the cheapest form of its mechanism (one statement per commit, no parse, no
rights check, no claim, no credentials, a doorbell sent to the consumer's own channel
rather than to a group), so the figures are a floor under the console's own."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import uuid
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django.setup()

from channels.db import database_sync_to_async  # noqa: E402 - after django.setup()
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import path  # noqa: E402

from console.celery import app  # noqa: E402
from console.runs.notify import send_to_channel  # noqa: E402
from console.runs.workers import redis_client  # noqa: E402
from console.terminal.consumers import DatabaseConsumer  # noqa: E402

TASK = "floor.finish"
KINDS = ("echo", "inline", "queue", "queued", "lean")
LEAN_QUEUE = f"{settings.CONSOLE_REDIS_PREFIX}.floor.lean"
LEAN_TAKEN = f"{LEAN_QUEUE}.taken"
OUTPUT = json.dumps(
    {"UserId": "AIDAFLOOR", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/floor"}
)


def fresh_table() -> None:
    """The rounds' table, created if missing and emptied of an earlier run's rows."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_floor (id uuid PRIMARY KEY, output text)")
        cursor.execute("TRUNCATE bench_floor")


def _insert(row_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_floor (id) VALUES (%s)", [row_id])


def _store_output(row_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_floor SET output = %s WHERE id = %s", [OUTPUT, row_id])


def _read(row_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT output FROM bench_floor WHERE id = %s", [row_id])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


@app.task(name=TASK, ignore_result=True)
def finish(row_id: str, channel: str, store: bool) -> None:
    """The worker's side: the output committed (if the kind stores it), then the doorbell,
    rung on the consumer's own channel: a cheaper send than the console's to a run's group."""
    if store:
        _store_output(row_id)
    send_to_channel(channel, {"type": "floor.done", "id": row_id})


# Autocommit (no ATOMIC_REQUESTS here): each statement is its own transaction, committed
# when it returns, like the console's one-statement commits.
def _submit_inline(row_id: str) -> None:
    _insert(row_id)
    _store_output(row_id)


def _submit_queued(row_id: str, channel: str, store: bool) -> None:
    if store:
        _insert(row_id)
    app.send_task(TASK, (row_id, channel, store), ignore_result=True, retry=False)


_lean_redis: Any = None


def _submit_lean(row_id: str, channel: str) -> None:
    global _lean_redis
    _insert(row_id)
    if _lean_redis is None:
        _lean_redis = redis_client()
    _lean_redis.lpush(LEAN_QUEUE, json.dumps([row_id, channel]))


def lean_worker(threads: int) -> None:
    """The lean queue's worker: `threads` threads, each taking one message at a time."""

    def take_forever() -> None:
        client = redis_client()
        while True:
            message = client.blmove(LEAN_QUEUE, LEAN_TAKEN, timeout=0.5, src="RIGHT", dest="LEFT")
            if message is None:
                continue
            row_id, channel = json.loads(message)
            _store_output(row_id)
            send_to_channel(channel, {"type": "floor.done", "id": row_id})
            client.lrem(LEAN_TAKEN, 1, message)

    workers = [threading.Thread(target=take_forever, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


# As the console's consumer does: submissions off the shared DB thread, reads on it.
_inline = database_sync_to_async(_submit_inline, thread_sensitive=False)
_publish = database_sync_to_async(_submit_queued, thread_sensitive=False)
_publish_lean = database_sync_to_async(_submit_lean, thread_sensitive=False)
_read_row = database_sync_to_async(_read)


class FloorConsumer(DatabaseConsumer):  # dispatched as the terminal's consumer is
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        kind, row_id = frame.get("kind"), str(uuid.UUID(frame["id"]))
        if kind == "echo":
            await self._answer(row_id, OUTPUT)
        elif kind == "inline":
            await _inline(row_id)
            await self._answer(row_id, await _read_row(row_id))
        elif kind in ("queue", "queued"):
            self.pending_kind = kind
            await _publish(row_id, self.channel_name, kind == "queued")
        elif kind == "lean":
            self.pending_kind = kind
            await _publish_lean(row_id, self.channel_name)
        else:
            await self.send(text_data=json.dumps({"error": f"unknown kind {kind!r}; one of {KINDS}"}))

    async def floor_done(self, message: dict[str, Any]) -> None:
        row_id = message["id"]
        output = OUTPUT if self.pending_kind == "queue" else await _read_row(row_id)
        await self._answer(row_id, output)

    async def _answer(self, row_id: str, output: str) -> None:
        await self.send(text_data=json.dumps({"id": row_id, "output": output}))


application = ProtocolTypeRouter({"websocket": URLRouter([path("floor/", FloorConsumer.as_asgi())])})

if __name__ == "__main__" and sys.argv[1:2] == ["lean"]:
    lean_worker(int(sys.argv[2]))
