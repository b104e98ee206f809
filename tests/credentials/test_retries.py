"""Retries: throttling is retried by botocore per retry_mode/max_attempts (profile or the
terminal's environment), and the terminal shows a dim line for every retry. The peer is a
small HTTP server that answers STS's Throttling error before it answers properly."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from console.commands import dispatch
from console.interpreter import parse_command
from console.runs import environment
from console.runs.execution import context_for
from credentials.clients import clear_clients
from credentials.services import save_profile
from credentials.types import AwsCredentials
from tests.credentials.conftest import FakeSink, make_run

THROTTLED = b"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"""
IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/demo</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


class ThrottlingSts:
    def __init__(self, throttle: int) -> None:
        self.throttle = throttle
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests += 1
                body = THROTTLED if server.requests <= server.throttle else IDENTITY
                self.send_response(400 if body is THROTTLED else 200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.hostport = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sts_peer(alice, settings):
    peer = ThrottlingSts(throttle=2)
    settings.CONSOLE_ENDPOINT_ALLOWLIST = f"*.amazonaws.com,{peer.hostport}"
    save_profile(
        alice,
        "throttled",
        {
            "aws_access_key_id": "AKIAEXAMPLE",
            "aws_secret_access_key": "s" * 40,
            "region": "us-east-1",
            "endpoint_url": f"http://{peer.hostport}",
            "retry_mode": "legacy",
            "max_attempts": "3",
        },
    )
    clear_clients()
    yield peer
    peer.close()
    clear_clients()


def _run(user, line):
    run = make_run(user, line)
    sink = FakeSink()
    code = dispatch(parse_command(line), context_for(run, sink))
    return code, sink


def test_it_retries_throttling_and_shows_a_dim_line_per_retry(alice, sts_peer):
    code, sink = _run(alice, "aws sts get-caller-identity --profile throttled")
    assert code == 0, sink.stderr
    assert sts_peer.requests == 3
    assert sink.stderr == (
        "\x1b[2mRetrying GetCallerIdentity (attempt 2 of 3)...\x1b[0m\n"
        "\x1b[2mRetrying GetCallerIdentity (attempt 3 of 3)...\x1b[0m\n"
    )
    assert '"Arn": "arn:aws:iam::123456789012:user/demo"' in sink.stdout


def test_the_terminals_max_attempts_wins_over_the_profile(alice, sts_peer):
    environment.export(alice, "t1", {"AWS_MAX_ATTEMPTS": "1"})
    code, sink = _run(alice, "aws sts get-caller-identity --profile throttled")
    assert code == 254
    assert sts_peer.requests == 1
    assert (
        sink.stderr == "\nAn error occurred (Throttling) when calling the GetCallerIdentity operation "
        "(reached max retries: 0): Rate exceeded\n"
    )


def test_a_retry_notice_reaches_only_the_command_whose_call_retried(alice, sts_peer):
    # Clients are shared by every command of a worker; the notice travels with the call.
    from credentials import retries
    from credentials.clients import get_client

    shared = get_client(
        "sts",
        region="us-east-1",
        endpoint_url=f"http://{sts_peer.hostport}",
        credentials=AwsCredentials("AKIAEXAMPLE", "s" * 40),
        max_attempts=3,
        retry_mode="legacy",
    )
    heard_by_a: list[int] = []
    heard_by_b: list[int] = []
    a = retries.notifying(shared, lambda op, attempt, most: heard_by_a.append(attempt))
    b = retries.notifying(shared, lambda op, attempt, most: heard_by_b.append(attempt))
    assert a.get_caller_identity()["Account"] == "123456789012"
    assert heard_by_a == [2, 3] and heard_by_b == []
    sts_peer.requests = 0
    b.get_caller_identity()
    assert heard_by_a == [2, 3] and heard_by_b == [2, 3]
    sts_peer.requests = 0
    shared.get_caller_identity()  # retried too, but a call with no listener (the broker's own) tells nobody
    assert sts_peer.requests == 3 and heard_by_a == [2, 3] and heard_by_b == [2, 3]
