"""rest-json responses as botocore parses them.

botocore takes the error code from the ``x-amzn-ErrorType`` header (up to the first
``:``) and maps it to the modeled exception of that name; the status must be the one
the model gives the shape, and the body carries the shape's members (``error`` and
``error_description`` for sso-oidc, ``message`` for the portal).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def ok(body: dict[str, Any]) -> Reply:
    return Reply(200, body)


def error(status: int, error_type: str, body: dict[str, Any]) -> Reply:
    return Reply(status, body, {"x-amzn-ErrorType": error_type})


def encode(reply: Reply) -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps(reply.body).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        *reply.headers.items(),
    ]
    return f"{reply.status} {_REASONS.get(reply.status, 'Error')}", headers, body


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
