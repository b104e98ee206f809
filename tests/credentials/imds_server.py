"""A small instance metadata service that speaks IMDSv2 as EC2 does: a session token by
PUT with a TTL header, then GETs that must carry it (401 without). With `v1_only` it
behaves like a host where IMDSv2 is unavailable (the PUT is refused) but answers plain
GETs, so a test can prove the broker never falls back to IMDSv1."""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROLE = "ConsoleHostRole"


class ImdsServer:
    def __init__(self, *, v1_only: bool = False) -> None:
        self.v1_only = v1_only
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.credentials = {
            "Code": "Success",
            "Type": "AWS-HMAC",
            "AccessKeyId": "ASIAHOSTROLE" + secrets.token_hex(4).upper(),
            "SecretAccessKey": secrets.token_urlsafe(30),
            "Token": secrets.token_urlsafe(60),
            "Expiration": (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> Any:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: str = "") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self) -> None:
                server.requests.append(("PUT", self.path, dict(self.headers)))
                ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
                if server.v1_only or self.path != "/latest/api/token":
                    return self._answer(403 if server.v1_only else 404)
                if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                    return self._answer(400)
                token = secrets.token_urlsafe(32)
                server.tokens.add(token)
                self._answer(200, token)

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path, dict(self.headers)))
                if not server.v1_only and self.headers.get("X-aws-ec2-metadata-token") not in server.tokens:
                    return self._answer(401)
                base = "/latest/meta-data/iam/security-credentials/"
                if self.path == base:
                    return self._answer(200, ROLE)
                if self.path == base + ROLE:
                    return self._answer(200, json.dumps(server.credentials))
                self._answer(404)

        return Handler
