"""The terminal websocket (protocol: docs/protocol.md). A thin adapter: decode and check
a frame, call a runs service (submission, lifecycle, store), send. Output always comes
from the DB by `seq`; channel layer messages only say "look again", and a one-second
poll covers any that are dropped."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from console.commands.completion import complete_line
from console.runs import lifecycle, prompts, reaper, store, submission
from console.runs.errors import RunError
from console.runs.models import CommandRun, OutputStream, RunSource
from console.runs.notify import run_group, user_group

log = logging.getLogger(__name__)

TERMINAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
POLL_SECONDS = 1.0
CLOSE_UNAUTHENTICATED = 4401


class TerminalConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.run_id: str | None = None
        self.last_seq = -1
        self.cols = 80
        self.pump_lock = asyncio.Lock()
        self.poller: asyncio.Task[None] | None = None
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.terminal_id = self._terminal_id()
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        await self.send_json(
            {
                "type": "hello",
                "user": self.user.get_username(),
                "terminal": self.terminal_id,
                "limits": {
                    "max_command_length": settings.CONSOLE_MAX_COMMAND_LENGTH,
                    "max_frame_bytes": settings.CONSOLE_MAX_FRAME_BYTES,
                },
            }
        )

    def _terminal_id(self) -> str:
        query = self.scope.get("query_string", b"").decode("latin-1")
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == "terminal" and TERMINAL_ID.match(value):
                return value
        return secrets.token_urlsafe(12)

    async def disconnect(self, code: int) -> None:
        if self.poller:
            self.poller.cancel()
        if getattr(self, "user", None) is not None and self.user.is_authenticated:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        if self.run_id:
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def error(self, message: str, code: str) -> None:
        await self.send_json({"type": "error", "message": message, "code": code})

    # ---- frames from the client -------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            return await self.error("binary frames are not supported; send JSON text frames", "bad_frame")
        if len(text_data.encode()) > settings.CONSOLE_MAX_FRAME_BYTES:
            limit = settings.CONSOLE_MAX_FRAME_BYTES
            return await self.error(f"frame too large (the limit is {limit} bytes)", "too_large")
        try:
            frame = json.loads(text_data)
        except ValueError:
            return await self.error("malformed frame: not valid JSON", "bad_json")
        handler = self.HANDLERS.get(str(frame.get("type"))) if isinstance(frame, dict) else None
        if handler is None:
            return await self.error("unknown frame type; see docs/protocol.md", "bad_frame")
        await handler(self, frame)

    async def on_run(self, frame: dict[str, Any]) -> None:
        command = frame.get("command")
        if not isinstance(command, str):
            return await self.error("a run frame needs a command string", "bad_frame")
        if self.run_id and await database_sync_to_async(lifecycle.is_active)(self.run_id):
            return await self.error("a command is already running (Ctrl-C cancels it)", "busy")
        cols = frame.get("cols")
        if isinstance(cols, int) and not isinstance(cols, bool):
            self.cols = cols
        # Subscribe before the run exists, so a fast worker's doorbell cannot be missed.
        run_id = uuid.uuid4()
        await self.follow(str(run_id), after=-1, read_now=False)
        try:
            run = await _submit(self.user, command, self.terminal_id, self.cols, run_id)
        except RunError as exc:
            await self.unfollow()
            return await self.error(exc.message, exc.code)
        await self.send_json({"type": "started", "run_id": str(run.pk), "command": run.command})
        if run.is_final:  # rejected before it was queued; otherwise its doorbell will ring
            await self.pump()

    async def on_cancel(self, frame: dict[str, Any]) -> None:
        run_id = frame.get("run_id") or self.run_id
        if not run_id:
            return await self.error("no command is running", "not_running")
        if await database_sync_to_async(lifecycle.request_cancel)(self.user, run_id) is None:
            return await self._not_found(run_id, "cancel")
        await self.pump()

    async def on_attach(self, frame: dict[str, Any]) -> None:
        after = frame.get("after", -1)
        if not isinstance(after, int) or isinstance(after, bool):
            return await self.error("after must be an integer", "bad_frame")
        run = await database_sync_to_async(lifecycle.get_user_run)(self.user, frame.get("run_id"))
        if run is None:
            return await self._not_found(frame.get("run_id"), "attach")
        await self.follow(str(run.pk), after=after)

    async def on_answer(self, frame: dict[str, Any]) -> None:
        text = frame.get("text")
        if not isinstance(text, str):
            return await self.error("an answer frame needs a text string", "bad_frame")
        run_id = frame.get("run_id") or self.run_id
        if not await database_sync_to_async(prompts.answer)(self.user, run_id, text):
            return await self._not_found(run_id, "answer")

    async def on_resize(self, frame: dict[str, Any]) -> None:
        cols = frame.get("cols")
        if isinstance(cols, int) and not isinstance(cols, bool) and 1 <= cols <= 1000:
            self.cols = cols

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_complete(self, frame: dict[str, Any]) -> None:
        line, cursor = frame.get("line"), frame.get("cursor")
        if not isinstance(line, str) or not isinstance(cursor, int) or isinstance(cursor, bool):
            return await self.error("a complete frame needs a line string and a cursor integer", "bad_frame")
        if len(line) > settings.CONSOLE_MAX_COMMAND_LENGTH:
            return await self.error("the line is too long to complete", "too_long")
        cursor = max(0, min(cursor, len(line)))
        candidates = await database_sync_to_async(complete_line)(self.user, self.terminal_id, line, cursor)
        frame = {"type": "completions", "line": line, "cursor": cursor, "candidates": candidates}
        await self.send_json(frame)

    HANDLERS = {
        "run": on_run,
        "cancel": on_cancel,
        "attach": on_attach,
        "answer": on_answer,
        "resize": on_resize,
        "ping": on_ping,
        "complete": on_complete,
    }

    async def _not_found(self, run_id: Any, action: str) -> None:
        await database_sync_to_async(lifecycle.log_denied)(self.user, run_id, action)
        await self.error("no such run", "not_found")

    # ---- following a run --------------------------------------------------------
    async def follow(self, run_id: str, after: int, read_now: bool = True) -> None:
        if self.run_id and self.run_id != run_id:
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)
        self.run_id, self.last_seq = run_id, after
        await self.channel_layer.group_add(run_group(run_id), self.channel_name)
        if read_now:
            await self.pump()
        if self.run_id and (self.poller is None or self.poller.done()):
            self.poller = asyncio.create_task(self._poll())

    async def unfollow(self) -> None:
        if self.run_id:
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)
            self.run_id = None

    async def _forget(self, run_id: str) -> None:
        # Only when the run's submission failed before its row was written.
        await self.channel_layer.group_discard(run_group(run_id), self.channel_name)
        self.run_id = None

    async def pump(self) -> None:
        """Send what the DB has beyond `last_seq`; send `exit` once the run has ended."""
        async with self.pump_lock:
            if not self.run_id:
                return
            run_id = self.run_id
            try:
                snapshot = await database_sync_to_async(store.read_since)(run_id, self.last_seq)
            except CommandRun.DoesNotExist:
                return await self._forget(run_id)
            for chunk in snapshot.chunks:
                await self.send_json(_chunk_frame(run_id, chunk))
                self.last_seq = chunk.seq
            if snapshot.is_final:
                await self.send_json(
                    {"type": "exit", "run_id": run_id, "code": snapshot.exit_code, "status": snapshot.status}
                )
                await self.channel_layer.group_discard(run_group(run_id), self.channel_name)
                self.run_id = None

    async def _poll(self) -> None:
        while self.run_id:
            await asyncio.sleep(POLL_SECONDS)
            if self.run_id:
                await database_sync_to_async(reaper.reap_if_stale)(self.run_id)
                await self.pump()

    # ---- channel layer messages -------------------------------------------------
    async def run_changed(self, message: dict[str, Any]) -> None:
        if message.get("run_id") == self.run_id:
            await self.pump()

    async def terminal_close(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)


def _chunk_frame(run_id: str, chunk: Any) -> dict[str, Any]:
    if chunk.stream == OutputStream.PROMPT:
        question = json.loads(chunk.data)
        return {"type": "prompt", "run_id": run_id, "seq": chunk.seq, **question}
    return {"type": "output", "run_id": run_id, "seq": chunk.seq, "stream": chunk.stream, "data": chunk.data}


@database_sync_to_async
def _submit(user: Any, command: str, terminal_id: str, cols: int, run_id: uuid.UUID) -> CommandRun:
    return submission.submit_run(
        user, command, source=RunSource.TERMINAL, terminal_id=terminal_id, cols=cols, run_id=run_id
    )
