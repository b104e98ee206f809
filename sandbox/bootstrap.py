"""What both seeds (sandbox.seed and sandbox.identitycenter.seed) build with: the accounts,
policy documents, and the clients of the bootstrap phase.

Design decision: a module of its own, below both seeds, so that neither reaches into
the other's private names and the demo seed can import the Identity Center seed at
the top instead of inside a function to dodge a cycle.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import botocore.session

ACCOUNT_ID = "123456789012"  # moto's default account
SECOND_ACCOUNT_ID = "210987654321"
REGION = "us-east-1"
# Any key is accepted before enforce_auth; this one makes the phase obvious in logs.
BOOTSTRAP_KEY = "sandbox-bootstrap"
# moto's per-request account switch; honoured only for the seed, see Bootstrap.
ACCOUNT_HEADER = "x-moto-account-id"

READ_ONLY_ACTIONS = [
    "*:Describe*",
    "*:Get*",
    "*:List*",
    "*:BatchGet*",
    "s3:ListAllMyBuckets",
    "dynamodb:Query",
    "dynamodb:Scan",
    "logs:FilterLogEvents",
]


def document(*statements: dict[str, Any]) -> str:
    """An IAM policy document of these statements, as JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(sid: str, actions: list[str] | str, resource: str = "*") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


class Bootstrap:
    """Clients for the seed phase, when moto still accepts any key, plus the control secret.

    One botocore session per seed: it caches the service models (a fresh session
    per client re-reads them), and sessions are not shared across threads.
    """

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret
        self._session = botocore.session.get_session()

    def __repr__(self) -> str:
        return f"<Bootstrap {self.url} secret=***>"

    def client(self, service: str, account_id: str = ACCOUNT_ID) -> Any:
        client = self._session.create_client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=BOOTSTRAP_KEY,
            aws_secret_access_key=BOOTSTRAP_KEY,
        )
        if account_id != ACCOUNT_ID:
            # Unauthenticated requests land in moto's default account; the header
            # sends them to another one. After enforce_auth it cannot be abused:
            # the signing key must then exist in the account the header names.
            client.meta.events.register("before-sign", _set_account_header(account_id))
        return client


def _set_account_header(account_id: str) -> Callable[..., None]:
    def handler(request: Any, **kwargs: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account_id

    return handler
