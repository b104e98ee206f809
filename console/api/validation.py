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
RUN_FIELDS = frozenset({"command", "stdin", "wait", "cols"})
RERUN_FIELDS = frozenset({"command", "profile", "region", "wait", "cols"})


@dataclass(frozen=True)
class RunRequest:
    command: str
    stdin: str | None = None
    wait: bool = False
    cols: int = 80


def json_body(request: HttpRequest) -> Any:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if (declared.isdigit() and int(declared) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadRequest("the request body must be a JSON object", code="invalid_json") from None


def parse_run_request(data: Any) -> RunRequest:
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", code="invalid_json")
    problems = [f'unknown field "{name}"' for name in sorted(set(data) - RUN_FIELDS)]
    problems += _command_problems(data.get("command"))
    if data.get("stdin") is not None and not isinstance(data["stdin"], str):
        problems.append('"stdin" must be a string')
    if not isinstance(data.get("wait", False), bool):
        problems.append('"wait" must be true or false')
    cols = data.get("cols", 80)
    if isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= MAX_COLS:
        problems.append(f'"cols" must be a whole number from 1 to {MAX_COLS}')
    if problems:
        raise BadRequest("; ".join(problems))
    return RunRequest(data["command"], data.get("stdin"), data.get("wait", False), cols)


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
    return []


def parse_after(value: str | None) -> int:
    """`?after=<seq>`: the last chunk the client already has (-1, the default, for none)."""
    if value is None or value == "":
        return -1
    if not re.fullmatch(r"-1|[0-9]+", value):
        raise BadRequest('"after" must be a whole number, -1 or more (the last seq you have)')
    return int(value)
