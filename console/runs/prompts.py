"""Questions a running command asks the user (an MFA code, `aws configure` answers).

The question is stored as a `prompt` chunk, so it replays like output; the answer travels
back through Redis to the waiting worker, sealed, in a list that expires, and is deleted
when read. Answers are never written to the DB."""

from __future__ import annotations

import json
import uuid
from typing import Any

from console.runs import lifecycle, workers
from console.runs.models import CommandRun, OutputStream, RunStatus
from credentials import crypto

ANSWER_TTL = 300


def _key(run_id: uuid.UUID | str) -> str:
    return workers.key(f"answer:{uuid.UUID(str(run_id)).hex}")


def _context(run_id: uuid.UUID | str, user_id: int) -> str:
    return f"run:{uuid.UUID(str(run_id))}:user:{user_id}:answer"


def answer(user: Any, run_id: Any, text: str) -> bool:
    """Deliver the user's answer; False when they have no running run of that id."""
    run = lifecycle.get_user_run(user, run_id)
    if run is None or run.status != RunStatus.RUNNING:
        return False
    client = workers.redis_client()
    client.rpush(_key(run.pk), crypto.seal(text, _context(run.pk, user.pk)))
    client.expire(_key(run.pk), ANSWER_TTL)
    return True


def ask(
    run: CommandRun, sink: Any, text: str, *, secret: bool, stdin: bool = False, timeout: float = 300
) -> str | None:
    """Show a question and wait for the answer; None if the run is cancelled or it times out.
    `stdin`: the answer is the text a command reads as its stdin, typed or pasted in the
    terminal until Ctrl-D (docs/protocol.md), not one line."""
    question = {"text": text, "secret": secret, **({"stdin": True} if stdin else {})}
    sink.write(OutputStream.PROMPT, json.dumps(question))
    client = workers.redis_client()
    waited = 0.0
    while waited < timeout and not sink.cancelled():
        item = client.blpop([_key(run.pk)], timeout=0.5)
        if item is not None:
            sealed = item[1].decode() if isinstance(item[1], bytes) else str(item[1])
            return crypto.open_sealed(sealed, _context(run.pk, run.user_id))
        waited += 0.5
    return None
