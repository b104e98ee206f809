"""Seed the sandbox Identity Center: permission-set roles in moto, then the server's directory.

Design decision: the IAM side is created like the rest of the seed, through the
public IAM API during the bootstrap phase, with AWS's names and paths
(``/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<set>_<16 hex>``) and AWS's SAML
trust statement. moto cannot federate through SAML with auth enforced, so each role
also trusts a broker IAM user by ARN (moto compares trust principals as strings),
and the server assumes roles with that user's key. The Identity Center side
(directory users, assignments, the broker key, lifetimes) lives in the server
process and is set through its admin endpoint (with the control secret), which also works after
``enforce_auth`` (to change the demo password, or shorten lifetimes in tests).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sandbox import control
from sandbox.bootstrap import (
    ACCOUNT_ID,
    READ_ONLY_ACTIONS,
    REGION,
    SECOND_ACCOUNT_ID,
    Bootstrap,
    allow,
    document,
)
from sandbox.errors import SandboxError

ADMIN_PATH = "/_sandbox/identity-center"
ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
BROKER_USER = "sandbox-identity-center"
DIRECTORY_USER = "demo"
ADMINISTRATOR = "AdministratorAccess"
READ_ONLY = "ReadOnlyAccess"
SESSION_SECONDS = 3600

PERMISSION_SETS: dict[str, list[dict[str, Any]]] = {
    ADMINISTRATOR: [allow("Admin", "*")],
    READ_ONLY: [allow("ReadOnly", READ_ONLY_ACTIONS)],
}
ACCOUNTS = {
    ACCOUNT_ID: ("sandbox", "aws+sandbox@example.com"),
    SECOND_ACCOUNT_ID: ("sandbox-second", "aws+sandbox-second@example.com"),
}
# (account, permission set) pairs assigned to the directory user "demo".
DEMO_ASSIGNMENTS = [(ACCOUNT_ID, ADMINISTRATOR), (ACCOUNT_ID, READ_ONLY), (SECOND_ACCOUNT_ID, ADMINISTRATOR)]


@dataclass(frozen=True)
class IdentityCenterSeed:
    """The start URL and the IAM role behind each (account, permission set)."""

    start_url: str
    region: str
    users: tuple[str, ...]
    role_arns: dict[tuple[str, str], str] = field(default_factory=dict)


def role_name(account_id: str, permission_set: str) -> str:
    # AWS's suffix is random; a hash keeps it stable across sandbox restarts.
    suffix = hashlib.sha256(f"{account_id}/{permission_set}".encode()).hexdigest()[:16]
    return f"AWSReservedSSO_{permission_set}_{suffix}"


def _trust(account_id: str, broker_arn: str) -> str:
    saml = {
        "Sid": "IdentityCenter",
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{account_id}:saml-provider/AWSSSO_sandbox_DO_NOT_DELETE"},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    # Sandbox only: how the emulator obtains the credentials in moto (see module doc).
    broker = {
        "Sid": "SandboxBroker",
        "Effect": "Allow",
        "Principal": {"AWS": broker_arn},
        "Action": "sts:AssumeRole",
    }
    return document(saml, broker)


def _create_broker(boot: Bootstrap) -> tuple[str, dict[str, str]]:
    iam = boot.client("iam")
    arn = iam.create_user(UserName=BROKER_USER)["User"]["Arn"]
    policy = document(allow("AssumePermissionSetRoles", "sts:AssumeRole", f"arn:aws:iam::*:role{ROLE_PATH}*"))
    iam.put_user_policy(UserName=BROKER_USER, PolicyName="SandboxIdentityCenter", PolicyDocument=policy)
    return str(arn), dict(iam.create_access_key(UserName=BROKER_USER)["AccessKey"])


def _create_role(boot: Bootstrap, account_id: str, permission_set: str, broker_arn: str) -> str:
    iam = boot.client("iam", account_id)
    name = role_name(account_id, permission_set)
    role = iam.create_role(
        RoleName=name,
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=_trust(account_id, broker_arn),
        MaxSessionDuration=SESSION_SECONDS,
        Description=f"Permission set {permission_set} (sandbox Identity Center)",
    )["Role"]
    iam.put_role_policy(
        RoleName=name, PolicyName=permission_set, PolicyDocument=document(*PERMISSION_SETS[permission_set])
    )
    return str(role["Arn"])


def assignment(account_id: str, permission_set: str, role_arn: str) -> dict[str, str]:
    name, email = ACCOUNTS[account_id]
    return {
        "account_id": account_id,
        "account_name": name,
        "email_address": email,
        "permission_set": permission_set,
        "role_arn": role_arn,
    }


def seed_identity_center(url: str, *, secret: str, users: dict[str, str] | None = None) -> IdentityCenterSeed:
    """Create the permission-set roles and the broker (before enforce_auth); configure the server.

    ``users`` maps directory user names to passwords; without it, ``demo`` keeps the
    password the server read from ``SANDBOX_SSO_PASSWORD`` (or none: set it later
    with ``configure_identity_center``). Every user gets the demo assignments.
    """
    return seed_with(Bootstrap(url, secret), users)


def seed_with(boot: Bootstrap, users: dict[str, str] | None = None) -> IdentityCenterSeed:
    """seed_identity_center with the bootstrap clients of an ongoing seed_demo."""
    url = boot.url
    try:
        broker_arn, key = _create_broker(boot)
        roles = {pair: _create_role(boot, *pair, broker_arn) for pair in dict.fromkeys(DEMO_ASSIGNMENTS)}
    except (ClientError, BotoCoreError) as exc:
        raise SandboxError(f"seeding the sandbox Identity Center at {url} failed: {exc}") from exc
    names = sorted({DIRECTORY_USER, *(users or {})})
    seed = IdentityCenterSeed(start_url=f"{url}/start", region=REGION, users=tuple(names), role_arns=roles)
    config = {
        "broker": {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]},
        "assignments": {name: demo_assignments(seed) for name in names},
        "users": users or {},
    }
    configure_identity_center(url, secret=boot.secret, **config)
    return seed


def demo_assignments(seed: IdentityCenterSeed) -> list[dict[str, str]]:
    """The demo user's assignments, to give another directory user the same access."""
    return [assignment(*pair, seed.role_arns[pair]) for pair in DEMO_ASSIGNMENTS]


def configure_identity_center(url: str, *, secret: str, **config: Any) -> dict[str, Any]:
    """POST a partial configuration to the admin endpoint; returns its (secret-free) summary.

    ``secret`` is the server's control secret. Keys: ``users`` {name: password},
    ``assignments`` {name: [assignment]}, ``lifetimes`` {client_secret, device_code,
    poll_interval, access_token, session, role_credentials: seconds}, ``start_urls``
    [url], ``broker`` {access_key_id, secret_access_key}. Works before and after
    enforce_auth.
    """
    try:
        return control.post(url, ADMIN_PATH, secret, json.dumps(config).encode(), "application/json")
    except SandboxError as exc:
        raise SandboxError(f"the sandbox Identity Center did not take the configuration: {exc}") from exc
