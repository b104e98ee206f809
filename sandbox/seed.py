"""Seed the sandbox with a demo user, console roles and a second account; then lock it.

Design decision: everything is created through the public AWS APIs, over HTTP, with
botocore, exactly as an administrator would on AWS: nothing reaches into moto's
Python objects. The seed therefore only works while moto still accepts requests
signed with any "bootstrap" key; ``enforce_auth`` ends that phase, and afterwards
every request is authenticated against the seeded IAM users and authorized by
their policies.

The policies are written to be correct on real AWS first (account-root trust,
``sts:SetSourceIdentity`` in both the caller's policy and the trust policy), plus the
smallest additions moto needs to evaluate them the same way; each such addition
says why. See docs/sandbox.md for the moto quirks.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.identitycenter.seed import IdentityCenterSeed

ACCOUNT_ID = "123456789012"  # moto's default account
SECOND_ACCOUNT_ID = "210987654321"
REGION = "us-east-1"
DEMO_USER = "demo"
READONLY_ROLE = "ConsoleReadOnly"
ADMIN_ROLE = "ConsoleAdmin"
CROSS_ACCOUNT_ROLE = "CrossAccountAdmin"
DEMO_BUCKET = "demo-console-bucket"
SECOND_ACCOUNT_BUCKET = "cross-account-demo-bucket"
MAX_SESSION_SECONDS = 3600
# Any key is accepted before enforce_auth; this one makes the phase obvious in logs.
BOOTSTRAP_KEY = "sandbox-bootstrap"
REDACTED = "***"
# moto's per-request account switch; honoured only for the seed, see _Bootstrap.
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


@dataclass(frozen=True, repr=False)
class SandboxSeed:
    """What seed_demo created: the demo user's key and the roles to assume."""

    account_id: str
    second_account_id: str
    user_name: str
    access_key_id: str
    secret_access_key: str
    readonly_role_arn: str
    admin_role_arn: str
    cross_account_role_arn: str | None
    region: str = REGION
    # The sandbox Identity Center: start URL and permission-set roles (no secrets).
    identity_center: IdentityCenterSeed | None = None

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["secret_access_key"] = REDACTED
        return f"SandboxSeed({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


# --- policy documents --------------------------------------------------------------


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(sid: str, actions: list[str] | str, resource: str = "*") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def demo_user_policy() -> str:
    # AssumeRole on any role: the roles' trust policies are the gate, as on AWS, so
    # roles that other tests create are assumable without widening this policy.
    return _document(
        _allow("AssumeConsoleRoles", ["sts:AssumeRole", "sts:SetSourceIdentity"]),
        _allow("WhoAmI", ["sts:GetCallerIdentity", "sts:GetSessionToken"]),
        _allow("ReadOnly", READ_ONLY_ACTIONS),
    )


def trust_policy(trusted_account: str, also_trusted: list[str] | None = None) -> str:
    """Trust an account's root (i.e. its principals that are allowed to assume).

    moto compares the caller's ARN with the listed principals as plain strings and
    does not expand ``:root`` to the account, so principals that must assume the
    role in moto are listed explicitly in ``also_trusted`` (harmless on AWS).
    """
    principals = [f"arn:aws:iam::{trusted_account}:root", *(also_trusted or [])]
    return _document(
        {
            "Sid": "TrustAccount",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            # SourceIdentity must be allowed here as well as in the caller's policy.
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        }
    )


# --- clients -----------------------------------------------------------------------


class _Bootstrap:
    """Clients for the seed phase, when moto still accepts any key.

    One botocore session per seed: it caches the service models (a fresh session
    per client re-reads them), and sessions are not shared across threads.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._session = botocore.session.get_session()

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


# --- seeding -----------------------------------------------------------------------


def _create_demo_user(iam: Any) -> dict[str, str]:
    iam.create_user(UserName=DEMO_USER)
    iam.put_user_policy(UserName=DEMO_USER, PolicyName="ConsoleDemoUser", PolicyDocument=demo_user_policy())
    return dict(iam.create_access_key(UserName=DEMO_USER)["AccessKey"])


def _create_role(iam: Any, name: str, trust: str, permissions: str) -> str:
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=trust,
        MaxSessionDuration=MAX_SESSION_SECONDS,
        Description="Seeded by the console sandbox",
    )["Role"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}Permissions", PolicyDocument=permissions)
    return str(role["Arn"])


def _create_console_roles(iam: Any, demo_user_arn: str) -> tuple[str, str]:
    trust = trust_policy(ACCOUNT_ID, also_trusted=[demo_user_arn])
    read_only = _document(_allow("ReadOnly", READ_ONLY_ACTIONS))
    readonly_arn = _create_role(iam, READONLY_ROLE, trust, read_only)
    admin_arn = _create_role(iam, ADMIN_ROLE, trust, _document(_allow("Admin", "*")))
    return readonly_arn, admin_arn


def _create_second_account(boot: _Bootstrap) -> str:
    # moto does not evaluate trust policies across accounts (see docs/sandbox.md);
    # this one is what AWS would need.
    iam = boot.client("iam", SECOND_ACCOUNT_ID)
    admin = _document(_allow("Admin", "*"))
    arn = _create_role(iam, CROSS_ACCOUNT_ROLE, trust_policy(ACCOUNT_ID), admin)
    boot.client("s3", SECOND_ACCOUNT_ID).create_bucket(Bucket=SECOND_ACCOUNT_BUCKET)
    return arn


def _create_demo_resources(boot: _Bootstrap) -> None:
    s3 = boot.client("s3")
    s3.create_bucket(Bucket=DEMO_BUCKET)
    s3.put_object(
        Bucket=DEMO_BUCKET,
        Key="README.txt",
        Body=b"Hello from the console sandbox.\n",
        ContentType="text/plain",
    )


def seed_demo(url: str, sso_password: str | None = None) -> SandboxSeed:
    """Create the demo user, roles, second account and resources on a fresh server.

    Also seeds the sandbox Identity Center (sandbox.identitycenter.seed); its
    directory user ``demo`` gets ``sso_password`` if given, else the password the
    server read from ``SANDBOX_SSO_PASSWORD``.
    """
    try:
        return _seed(_Bootstrap(url), sso_password)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise SandboxError(
            f"seeding the sandbox at {url} failed: {error.get('Code')}: {error.get('Message')} "
            "(seed a freshly started server, before enforce_auth)"
        ) from exc
    except BotoCoreError as exc:
        raise SandboxError(f"seeding the sandbox at {url} failed: {exc}") from exc


def _seed(boot: _Bootstrap, sso_password: str | None) -> SandboxSeed:
    # Imported here: sandbox.identitycenter.seed builds on this module.
    from sandbox.identitycenter.seed import DIRECTORY_USER, seed_with

    iam = boot.client("iam")
    key = _create_demo_user(iam)
    demo_arn = f"arn:aws:iam::{ACCOUNT_ID}:user/{DEMO_USER}"
    readonly_arn, admin_arn = _create_console_roles(iam, demo_arn)
    cross_account_arn = _create_second_account(boot)
    _create_demo_resources(boot)
    users = {DIRECTORY_USER: sso_password} if sso_password else None
    identity_center = seed_with(boot, users)
    return SandboxSeed(
        account_id=ACCOUNT_ID,
        second_account_id=SECOND_ACCOUNT_ID,
        user_name=DEMO_USER,
        access_key_id=key["AccessKeyId"],
        secret_access_key=key["SecretAccessKey"],
        readonly_role_arn=readonly_arn,
        admin_role_arn=admin_arn,
        cross_account_role_arn=cross_account_arn,
        identity_center=identity_center,
    )


# --- auth --------------------------------------------------------------------------


def enforce_auth(url: str) -> None:
    """From now on, authenticate and authorize every request with IAM.

    moto counts requests and starts checking once the count reaches
    INITIAL_NO_AUTH_ACTION_COUNT; setting it to 0 also resets the counter.
    """
    if not url.startswith(("http://", "https://")):
        raise SandboxError(f"the sandbox URL must start with http:// or https://, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
        f"{url}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        # Not form-encoded: moto reads the raw body, which Flask empties when it
        # parses a form (urllib's default content type), answering 500.
        headers={"Content-Type": "text/plain"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http(s) checked above)
            status = json.loads(response.read()).get("status")
    except (OSError, ValueError) as exc:
        raise SandboxError(f"could not enforce auth on the sandbox at {url}: {exc}") from exc
    if status != "ok":
        raise SandboxError(f"the sandbox at {url} refused to enforce auth: {status!r}")
