"""The terminal websocket (protocol: docs/protocol.md). A thin adapter: decode and check
a frame, call a runs service (submission, lifecycle, store), send. Output always comes
from the DB by `seq`; channel layer messages only say "look again", and a one-second
poll covers any that are dropped. Frames are decoded and checked by frames.py; the
rights a terminal was opened with are checked again before it acts (rights.py). Parsing
(submission, completion) runs on pool threads, never on the event loop.

A connection opened with `?mode=watch` (the run page's live view) only watches: it takes
`watch` and `ping` frames and nothing else, so a viewer can follow any run they may see
(console/audit/access.py, checked again at every poll) but never type into it, answer
its questions or cancel it, even their own."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from console import stages
from console.audit import access, rerun
from console.commands.completion import complete_line
from console.runs import environment, lifecycle, prompts, reaper, store
from console.runs.errors import RunError
from console.runs.models import CommandRun, OutputStream, RunSource
from console.runs.notify import run_group, user_group
from console.terminal.frames import Frame, FrameError, decode_frame
from console.terminal.rights import Rights, rights_hold, rights_of, signin_deadline

log = logging.getLogger(__name__)

TERMINAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
POLL_SECONDS = 1.0
CLOSE_UNAUTHENTICATED = 4401
# Frames that act as the user, so the rights are checked again first (one query). A `run`
# frame's check is made in the same thread hop as its submission (`_submit_now`), so a
# command pays for one hop to the database threads, not two.
RECHECKED = frozenset({"attach", "watch", "answer"})
SESSION_ENDED = (
    "your sign-in has ended (signed out, expired, password changed or account deactivated); "
    "sign in again to run commands"
)
SECOND_STEP_OWED = (
    "finish signing in first: this account's sign-in needs its second step (a code from the "
    "authenticator app, or setting one up) in the browser"
)
# A message about a token, not one:
TOKEN_ENDED = (
    "the API token of this connection was revoked or its user deactivated; connect with a live token"  # noqa: S105
)


class DatabaseConsumer(AsyncWebsocketConsumer):
    """A consumer whose every DB call goes through database_sync_to_async, which closes old
    connections before and after in its own thread (CONN_MAX_AGE honoured, broken
    connections dropped). So it dispatches without Channels' `aclose_old_connections()`
    before each handler: a hop onto the one thread every terminal's DB reads share, for
    each frame and each doorbell (two per command)."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']!r}")
        await handler(message)


class TerminalConsumer(DatabaseConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.run_id: str | None = None
        self.last_seq = -1
        self.cols = 80
        self.pump_lock = asyncio.Lock()
        self.poller: asyncio.Task[None] | None = None
        self.polled: str | None = None  # the run self.poller polls
        self.signin_watch: asyncio.Task[None] | None = None
        self.watch_only = self._query("mode") == "watch"
        self.context_changes = False  # the followed run may change what the prompt shows
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.terminal_id = self._terminal_id()
        self.rights = await database_sync_to_async(rights_of)(self.scope)
        if not await self.rights_hold():
            return await self.end_session()
        if not await self.rights_hold(second_factor=True):
            return await self.owe_second_step()
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        if not self.rights.by_token:
            self.signin_watch = asyncio.create_task(self._watch_signin())
        await self.send_json(
            {
                "type": "hello",
                "user": self.user.get_username(),
                "terminal": self.terminal_id,
                "limits": {
                    "max_command_length": settings.CONSOLE_MAX_COMMAND_LENGTH,
                    "max_command_tokens": settings.CONSOLE_MAX_COMMAND_TOKENS,
                    "max_frame_bytes": settings.CONSOLE_MAX_FRAME_BYTES,
                },
                **(
                    {} if self.watch_only else {"context": await _prompt_context(self.user, self.terminal_id)}
                ),
            }
        )

    def _query(self, name: str) -> str:
        query = self.scope.get("query_string", b"").decode("latin-1")
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == name:
                return value
        return ""

    def _terminal_id(self) -> str:
        value = self._query("terminal")
        return value if TERMINAL_ID.match(value) else secrets.token_urlsafe(12)

    async def disconnect(self, code: int) -> None:
        if self.poller:
            self.poller.cancel()
        if getattr(self, "signin_watch", None):
            self.signin_watch.cancel()  # type: ignore[union-attr]
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
        self.received_ns = stages.clock()  # the benchmark's first stage mark (console/stages.py)
        try:
            frame = decode_frame(text_data, settings.CONSOLE_MAX_FRAME_BYTES)
        except FrameError as exc:
            return await self.error(exc.message, exc.code)
        handlers = self.WATCH_HANDLERS if self.watch_only else self.HANDLERS
        if frame.type not in handlers:
            return await self.error(*self._refusal(frame.type))
        if frame.type in RECHECKED and not await self.rights_hold(activity=True):
            return await self.end_session()
        await handlers[frame.type](self, frame)

    def _refusal(self, kind: str) -> tuple[str, str]:
        """Why this connection does not take a frame that is valid on the other kind."""
        if self.watch_only:
            return "this connection only watches runs; it takes no commands", "read_only"
        return f"a terminal connection takes no {kind} frames; see docs/protocol.md", "bad_frame"

    async def on_run(self, frame: Frame) -> None:
        if self.run_id and await database_sync_to_async(lifecycle.is_active)(self.run_id):
            return await self.error("a command is already running (Ctrl-C cancels it)", "busy")
        if frame.cols is not None:
            self.cols = frame.cols
        # Subscribe before the run exists, so a fast worker's doorbell cannot be missed.
        run_id = uuid.uuid4()
        stages.mark(run_id, "received", at=self.received_ns)
        await self.follow(str(run_id), after=-1, read_now=False)
        try:
            run = await _submit(
                self.rights, self.user, frame.command, self.terminal_id, self.cols, run_id, frame.rerun_of
            )
        except RunError as exc:
            await self.unfollow()
            return await self.error(exc.message, exc.code)
        if run is None:  # the rights it was opened with no longer hold: nothing was recorded
            await self.unfollow()
            return await self.end_session()
        await self.send_json({"type": "started", "run_id": str(run.pk), "command": run.command})
        # Only these builtins change the default profile: other commands cost no extra read.
        self.context_changes = run.command.split(maxsplit=1)[:1] in (["export"], ["unset"])
        if run.is_final:  # rejected before it was queued; otherwise its doorbell will ring
            await self.pump()
        self.start_polling()

    async def on_cancel(self, frame: Frame) -> None:
        run_id = frame.run_id or self.run_id
        if not run_id:
            return await self.error("no command is running", "not_running")
        if await database_sync_to_async(lifecycle.request_cancel)(self.user, run_id) is None:
            return await self._not_found(run_id, "cancel")
        await self.pump()

    async def on_attach(self, frame: Frame) -> None:
        run = await database_sync_to_async(lifecycle.get_user_run)(self.user, frame.run_id)
        if run is None:
            return await self._not_found(frame.run_id, "attach")
        await self.follow(str(run.pk), after=frame.after)

    async def on_watch(self, frame: Frame) -> None:
        """Follow a run one may see, read-only: replay after `after`, then live."""
        run = await database_sync_to_async(access.visible_run)(self.user, frame.run_id)
        if run is None:
            return await self._not_found(frame.run_id, "watch")
        await self.follow(str(run.pk), after=frame.after)

    async def on_answer(self, frame: Frame) -> None:
        run_id = frame.run_id or self.run_id
        if not await database_sync_to_async(prompts.answer)(self.user, run_id, frame.text):
            return await self._not_found(run_id, "answer")

    async def on_resize(self, frame: Frame) -> None:
        if frame.cols is not None:
            self.cols = frame.cols

    async def on_ping(self, frame: Frame) -> None:
        await self.send_json({"type": "pong"})

    async def on_complete(self, frame: Frame) -> None:
        if len(frame.line) > settings.CONSOLE_MAX_COMMAND_LENGTH:
            return await self.error("the line is too long to complete", "too_long")
        candidates = await _complete(self.user, self.terminal_id, frame.line, frame.cursor)
        await self.send_json(
            {"type": "completions", "line": frame.line, "cursor": frame.cursor, "candidates": candidates}
        )

    HANDLERS = {
        "run": on_run,
        "cancel": on_cancel,
        "attach": on_attach,
        "answer": on_answer,
        "resize": on_resize,
        "ping": on_ping,
        "complete": on_complete,
    }
    WATCH_HANDLERS = {"watch": on_watch, "ping": on_ping}

    # ---- the rights the terminal was opened with ---------------------------------
    async def rights_hold(self, *, activity: bool = False, second_factor: bool = False) -> bool:
        check = database_sync_to_async(rights_hold)
        return bool(await check(self.rights, activity=activity, second_factor=second_factor))

    async def _watch_signin(self) -> None:
        """Close the terminal when its session times out, even if no command comes: sleep
        until the sign-in's deadline, then look again (activity elsewhere, another tab or
        this terminal's commands, moves the deadline on)."""
        while True:
            deadline = await database_sync_to_async(signin_deadline)(self.rights)
            if deadline is not None and deadline > time.time():
                await asyncio.sleep(deadline - time.time() + 0.5)
                continue
            if not await self.rights_hold():
                return await self.end_session()
            await asyncio.sleep(1)  # holds past its deadline: a clock step; look again shortly

    async def end_session(self) -> None:
        """Say why in one frame, then close as for a connection that never signed in."""
        log.info("terminal: closed %r, its rights no longer hold", self.rights)
        message = TOKEN_ENDED if self.rights.by_token else SESSION_ENDED
        await self.error(message, "session_ended")
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def owe_second_step(self) -> None:
        """The sign-in holds but now owes its second step (an authenticator removed, a
        role that requires one): say so, and close; the browser goes back to sign-in."""
        log.info("terminal: closed %r, its sign-in owes its second step", self.rights)
        await self.error(SECOND_STEP_OWED, "second_factor_required")
        await self.close(code=CLOSE_UNAUTHENTICATED)

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
            self.start_polling()

    def start_polling(self) -> None:
        """Poll only a run whose row exists: a poll that finds none forgets the run, which
        would lose a submission still being read (a long line takes seconds)."""
        if self.run_id and (self.poller is None or self.poller.done() or self.polled != self.run_id):
            self.polled = self.run_id
            self.poller = asyncio.create_task(self._poll(self.run_id))

    async def unfollow(self) -> None:
        if self.run_id:
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)
            self.run_id = None

    async def _forget(self, run_id: str) -> None:
        # Only when the run's submission failed before its row was written.
        if self.run_id == run_id:
            self.run_id = None
        await self.channel_layer.group_discard(run_group(run_id), self.channel_name)

    async def pump(self, only: str | None = None) -> None:
        """Send what the DB has beyond `last_seq`; send `exit` once the run has ended.
        With `only`, nothing unless that is still the run followed."""
        async with self.pump_lock:
            if not self.run_id or (only is not None and only != self.run_id):
                return
            run_id = self.run_id
            try:
                # As this user may see it: sealed output opens only for its own runner.
                read = database_sync_to_async(store.read_since)
                snapshot = await read(run_id, self.last_seq, self.user.pk)
            except CommandRun.DoesNotExist:
                return await self._forget(run_id)
            for chunk in snapshot.chunks:
                await self.send_json(_chunk_frame(run_id, chunk))
                self.last_seq = chunk.seq
            if snapshot.is_final:
                # Forgotten before the exit frame goes out: the poller's pump runs beside
                # the frame handlers, and a client that answers the exit with its next
                # `run` at once would otherwise have that run's id cleared by the line
                # after the await (its exit then never sent: bench/load.py found it).
                self.run_id = None
                done = {
                    "type": "exit",
                    "run_id": run_id,
                    "code": snapshot.exit_code,
                    "status": snapshot.status,
                }
                if self.context_changes:  # the next prompt shows what `export` chose
                    self.context_changes = False
                    done["context"] = await _prompt_context(self.user, self.terminal_id)
                await self.send_json(done)
                stages.mark(run_id, "sent")
                await self.channel_layer.group_discard(run_group(run_id), self.channel_name)

    async def _poll(self, run_id: str) -> None:
        """Poll one run, and stop when the terminal follows another: a poller of the last
        run that woke after the next `run` frame would read a row not yet written and forget
        the new run (start_polling starts a poller of its own for each run)."""
        while self.run_id == run_id:
            await asyncio.sleep(POLL_SECONDS)
            if self.run_id != run_id:
                return
            if self.watch_only and not await self._still_visible(run_id):
                if self.run_id == run_id:
                    await self.unfollow()
                    await self.error("no such run", "not_found")
                return
            await database_sync_to_async(reaper.reap_if_stale)(run_id)
            await self.pump(run_id)

    async def _still_visible(self, run_id: str) -> bool:
        """A watcher's rights may change while it watches (a role taken away)."""
        return bool(await database_sync_to_async(access.still_visible)(self.user.pk, run_id))

    # ---- channel layer messages -------------------------------------------------
    async def run_changed(self, message: dict[str, Any]) -> None:
        if message.get("run_id") == self.run_id:
            await self.pump()

    async def terminal_close(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def terminal_notice(self, message: dict[str, Any]) -> None:
        """A one-line notice for the person (a request waiting for their approval)."""
        await self.send_json({"type": "notice", "message": str(message.get("message", ""))})

    async def terminal_recheck(self, message: dict[str, Any]) -> None:
        if not await self.rights_hold():
            await self.end_session()
        elif not await self.rights_hold(second_factor=True):
            await self.owe_second_step()


def _chunk_frame(run_id: str, chunk: Any) -> dict[str, Any]:
    if chunk.stream == OutputStream.PROMPT:
        question = json.loads(chunk.data)
        return {"type": "prompt", "run_id": run_id, "seq": chunk.seq, **question}
    if chunk.stream == OutputStream.ACTION:  # `upload`/`download` asking the browser (docs/protocol.md)
        return {**json.loads(chunk.data), "type": "files", "run_id": run_id, "seq": chunk.seq}
    return {"type": "output", "run_id": run_id, "seq": chunk.seq, "stream": chunk.stream, "data": chunk.data}


# Parsing a line is CPU work: off the event loop, and off the one thread that every
# terminal's database calls share (thread-sensitive), so a long line delays only itself.
def _submit_now(
    rights: Rights,
    user: Any,
    command: str,
    terminal_id: str,
    cols: int,
    run_id: uuid.UUID,
    rerun_of: str | None,
) -> CommandRun | None:
    """The run, submitted if the terminal's rights still hold (None if they do not)."""
    if not rights_hold(rights, activity=True):
        return None
    return rerun.submit_line(
        user,
        command,
        source=RunSource.TERMINAL,
        terminal_id=terminal_id,
        cols=cols,
        run_id=run_id,
        rerun_of=rerun_of,
    )


_submit = database_sync_to_async(_submit_now, thread_sensitive=False)


def _complete_now(user: Any, terminal_id: str, line: str, cursor: int) -> list[str]:
    """`rerun <Tab>` completes the ids of runs one may see; the commands layer the rest
    (profile names and workspace paths, each read only when its words are completed)."""
    ids = rerun.complete_line(user, line, cursor)
    return ids if ids is not None else complete_line(user, terminal_id, line, cursor)


_complete = database_sync_to_async(_complete_now, thread_sensitive=False)
_prompt_context = database_sync_to_async(environment.prompt_context, thread_sensitive=False)
