"""Decoding what a client sends: text in, a checked `Frame` or a `FrameError` out.

A frame is read by one pure function so every way it can be wrong is answered the same
way: a one-line `error` frame, the connection left open. Before this, a frame nested
deeper than Python's stack, a lone surrogate (valid JSON, `"\\ud800"`, but not storable
or sendable as UTF-8), or an `after` past PostgreSQL's bigint raised inside the consumer,
which closed the socket with 1011 and logged a traceback. So the decoder checks every
field a handler reads, down to the ranges the database holds, and nothing past it can
meet a value it was not written for. It never raises anything but FrameError, which the
fuzz test in tests/terminal/test_frame_fuzz.py holds it to."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_SEQ = 2**63 - 1  # a chunk's seq is a PostgreSQL bigint
MAX_COLS = 1000
# Lone surrogates cannot be encoded as UTF-8; NUL cannot be stored in PostgreSQL text.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class FrameError(Exception):
    """A frame the server will not act on; `message` is one line a client can show."""

    def __init__(self, message: str, code: str = "bad_frame") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Frame:
    """A decoded frame: `type` and the fields its kind uses, already checked."""

    type: str
    command: str = ""
    cols: int | None = None
    run_id: str | None = None
    after: int = -1
    text: str = ""
    line: str = ""
    cursor: int = 0
    rerun_of: str | None = None  # the run a `run` frame re-runs (the terminal's edited re-run)


def decode_frame(text_data: str | None, max_bytes: int) -> Frame:
    """The frame in `text_data`, or FrameError saying what is wrong with it."""
    if text_data is None:
        raise FrameError("binary frames are not supported; send JSON text frames")
    if len(text_data.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FrameError(f"frame too large (the limit is {max_bytes} bytes)", "too_large")
    data = _load(text_data)
    kind = data.get("type") if isinstance(data, dict) else None
    reader = READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise FrameError("unknown frame type; see docs/protocol.md")
    return reader(data)


def _load(text_data: str) -> Any:
    try:
        return json.loads(text_data)
    except RecursionError:
        raise FrameError("malformed frame: nested too deeply", "bad_json") from None
    except ValueError:  # JSONDecodeError, and integers too long for int()
        raise FrameError("malformed frame: not valid JSON", "bad_json") from None


def _string(data: dict[str, Any], name: str, problem: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise FrameError(problem)
    if _UNSTORABLE.search(value):
        raise FrameError(f"{name} holds a NUL character or a lone surrogate, which text cannot carry")
    return value


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cols(data: dict[str, Any]) -> int | None:
    """A usable width, or None: a browser's odd size is ignored, as it always was."""
    cols = _integer(data.get("cols"))
    return cols if cols is not None and 1 <= cols <= MAX_COLS else None


def _run(data: dict[str, Any]) -> Frame:
    command = _string(data, "command", "a run frame needs a command string")
    rerun_of = _string(data, "rerun_of", "rerun_of must be a run id string", required=False)
    return Frame("run", command=command or "", cols=_cols(data), rerun_of=rerun_of)


def _cancel(data: dict[str, Any]) -> Frame:
    return Frame("cancel", run_id=_string(data, "run_id", "run_id must be a string", required=False))


def _attach(data: dict[str, Any]) -> Frame:
    return _following("attach", data)


def _watch(data: dict[str, Any]) -> Frame:
    return _following("watch", data)


def _following(kind: str, data: dict[str, Any]) -> Frame:
    """`attach` (one's own run) and `watch` (any run one may see) carry the same fields."""
    after = _integer(data.get("after", -1))
    if after is None or not -1 <= after <= MAX_SEQ:
        raise FrameError(f"after must be an integer from -1 to {MAX_SEQ} (the last seq you have)")
    run_id = _string(
        data,
        "run_id",
        f"an {kind} frame needs a run_id string"
        if kind == "attach"
        else f"a {kind} frame needs a run_id string",
    )
    return Frame(kind, run_id=run_id, after=after)


def _answer(data: dict[str, Any]) -> Frame:
    text = _string(data, "text", "an answer frame needs a text string")
    run_id = _string(data, "run_id", "run_id must be a string", required=False)
    return Frame("answer", text=text or "", run_id=run_id)


def _resize(data: dict[str, Any]) -> Frame:
    return Frame("resize", cols=_cols(data))


def _ping(data: dict[str, Any]) -> Frame:
    return Frame("ping")


def _complete(data: dict[str, Any]) -> Frame:
    problem = "a complete frame needs a line string and a cursor integer"
    line = _string(data, "line", problem) or ""
    cursor = _integer(data.get("cursor"))
    if cursor is None:
        raise FrameError(problem)
    return Frame("complete", line=line, cursor=max(0, min(cursor, len(line))))


READERS: dict[str, Callable[[dict[str, Any]], Frame]] = {
    "run": _run,
    "cancel": _cancel,
    "attach": _attach,
    "watch": _watch,
    "answer": _answer,
    "resize": _resize,
    "ping": _ping,
    "complete": _complete,
}
