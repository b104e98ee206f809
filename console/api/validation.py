"""Reading API request bodies. Every problem with a body is collected and reported in one
400, so a client fixes its request in one round instead of one field at a time."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from console.api.errors import BadRequest, PayloadTooLarge

# Room for a command of CONSOLE_MAX_COMMAND_LENGTH characters even when JSON escaping
# multiplies it, plus stdin; under Django's own DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB).
MAX_BODY_BYTES = 1024 * 1024
MAX_COLS = 32767  # what the column holds; submit_run narrows it to a usable width
MAX_SEQ = 2**63 - 1  # a chunk's seq is a PostgreSQL bigint
# Valid JSON can carry what text cannot: a lone surrogate ("\ud800") has no UTF-8 form
# and NUL has no place in PostgreSQL text. Both once reached the database (an HTML 500).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
RUN_FIELDS = frozenset({"command", "stdin", "wait", "cols", "confirm"})
# A confirmation is a profile's address: `<team>/<name>` fits in the run's profile column.
MAX_CONFIRM = 300
RERUN_FIELDS = frozenset({"command", "profile", "region", "wait", "cols"})


@dataclass(frozen=True)
class RunRequest:
    command: str
    stdin: str | None = None
    wait: bool = False
    cols: int = 80
    # The profile's name, for a command its guardrail policy asks to confirm.
    confirm: str = ""


def json_body(request: HttpRequest) -> Any:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if (declared.isdigit() and int(declared) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    return decode_json(request.body)


def decode_json(body: bytes) -> Any:
    """The JSON in `body`; BadRequest for anything else (the fuzz test holds it to that)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadRequest("the request body must be a JSON object", code="invalid_json") from None


def parse_run_request(data: Any) -> RunRequest:
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", code="invalid_json")
    problems = [f'unknown field "{name}"' for name in sorted(set(data) - RUN_FIELDS)]
    problems += _command_problems(data.get("command"))
    problems += _stdin_problems(data.get("stdin"))
    problems += _confirm_problems(data.get("confirm", ""))
    if not isinstance(data.get("wait", False), bool):
        problems.append('"wait" must be true or false')
    cols = data.get("cols", 80)
    if isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= MAX_COLS:
        problems.append(f'"cols" must be a whole number from 1 to {MAX_COLS}')
    if problems:
        raise BadRequest("; ".join(problems))
    return RunRequest(
        data["command"], data.get("stdin"), data.get("wait", False), cols, data.get("confirm", "")
    )


@dataclass(frozen=True)
class RerunRequest:
    command: str | None = None  # None: the run's own line, as stored
    profile: str = ""
    region: str = ""
    wait: bool = False
    cols: int | None = None  # None: the run's own width


def parse_rerun_request(data: Any) -> RerunRequest:
    """The body of POST runs/<id>/rerun; an empty body (or {}) re-runs the run as it is."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", code="invalid_json")
    problems = [f'unknown field "{name}"' for name in sorted(set(data) - RERUN_FIELDS)]
    if data.get("command") is not None:
        problems += _command_problems(data["command"])
    for name in ("profile", "region"):
        if data.get(name) is not None and not isinstance(data[name], str):
            problems.append(f'"{name}" must be a string')
    if not isinstance(data.get("wait", False), bool):
        problems.append('"wait" must be true or false')
    cols = data.get("cols")
    if cols is not None and (
        isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= MAX_COLS
    ):
        problems.append(f'"cols" must be a whole number from 1 to {MAX_COLS}')
    if problems:
        raise BadRequest("; ".join(problems))
    return RerunRequest(
        data.get("command"),
        data.get("profile") or "",
        data.get("region") or "",
        data.get("wait", False),
        cols,
    )


def _command_problems(command: Any) -> list[str]:
    limit = settings.CONSOLE_MAX_COMMAND_LENGTH
    if command is None:
        return ['"command" is required']
    if not isinstance(command, str):
        return ['"command" must be a string']
    if len(command) > limit:
        return [f'"command" is longer than {limit} characters']
    if _UNSTORABLE.search(command):
        return ['"command" holds a NUL character or a lone surrogate, which a command line cannot carry']
    return []


def _stdin_problems(stdin: Any) -> list[str]:
    """stdin is sealed, never stored as text, so NUL may stay; a lone surrogate cannot."""
    if stdin is None:
        return []
    if not isinstance(stdin, str):
        return ['"stdin" must be a string']
    if _LONE_SURROGATE.search(stdin):
        return ['"stdin" holds a lone surrogate, which is not text (encode binary data first)']
    return []


def _confirm_problems(confirm: Any) -> list[str]:
    if not isinstance(confirm, str):
        return ['"confirm" must be a string: the profile\'s name, as the guardrail asks']
    if len(confirm) > MAX_CONFIRM or _UNSTORABLE.search(confirm):
        return [f'"confirm" must be a profile\'s name: at most {MAX_CONFIRM} characters of text']
    return []


def parse_after(value: str | None) -> int:
    """`?after=<seq>`: the last chunk the client already has (-1, the default, for none)."""
    if value is None or value == "":
        return -1
    # The length first: int() refuses strings past 4300 digits with a ValueError.
    if len(value) > 19 or not re.fullmatch(r"-1|[0-9]+", value) or int(value) > MAX_SEQ:
        raise BadRequest(f'"after" must be a whole number from -1 to {MAX_SEQ} (the last seq you have)')
    return int(value)
