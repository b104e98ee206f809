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

from dataclasses import dataclass, fields
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
from sandbox.identitycenter.seed import DIRECTORY_USER, IdentityCenterSeed, seed_with

__all__ = ["ACCOUNT_ID", "REGION", "SECOND_ACCOUNT_ID", "SandboxSeed", "enforce_auth", "seed_demo"]

DEMO_USER = "demo"
READONLY_ROLE = "ConsoleReadOnly"
ADMIN_ROLE = "ConsoleAdmin"
CROSS_ACCOUNT_ROLE = "CrossAccountAdmin"
DEMO_BUCKET = "demo-console-bucket"
SECOND_ACCOUNT_BUCKET = "cross-account-demo-bucket"
MAX_SESSION_SECONDS = 3600
REDACTED = "***"


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


def demo_user_policy() -> str:
    # AssumeRole on any role: the roles' trust policies are the gate, as on AWS, so
    # roles that other tests create are assumable without widening this policy.
    return document(
        allow("AssumeConsoleRoles", ["sts:AssumeRole", "sts:SetSourceIdentity"]),
        allow("WhoAmI", ["sts:GetCallerIdentity", "sts:GetSessionToken"]),
        allow("ReadOnly", READ_ONLY_ACTIONS),
    )


def trust_policy(trusted_account: str, also_trusted: list[str] | None = None) -> str:
    """Trust an account's root (i.e. its principals that are allowed to assume).

    moto compares the caller's ARN with the listed principals as plain strings and
    does not expand ``:root`` to the account, so principals that must assume the
    role in moto are listed explicitly in ``also_trusted`` (harmless on AWS).
    """
    principals = [f"arn:aws:iam::{trusted_account}:root", *(also_trusted or [])]
    return document(
        {
            "Sid": "TrustAccount",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            # SourceIdentity must be allowed here as well as in the caller's policy.
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        }
    )


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
    read_only = document(allow("ReadOnly", READ_ONLY_ACTIONS))
    readonly_arn = _create_role(iam, READONLY_ROLE, trust, read_only)
    admin_arn = _create_role(iam, ADMIN_ROLE, trust, document(allow("Admin", "*")))
    return readonly_arn, admin_arn


def _create_second_account(boot: Bootstrap) -> str:
    # moto does not evaluate trust policies across accounts (see docs/sandbox.md);
    # this one is what AWS would need.
    iam = boot.client("iam", SECOND_ACCOUNT_ID)
    admin = document(allow("Admin", "*"))
    arn = _create_role(iam, CROSS_ACCOUNT_ROLE, trust_policy(ACCOUNT_ID), admin)
    boot.client("s3", SECOND_ACCOUNT_ID).create_bucket(Bucket=SECOND_ACCOUNT_BUCKET)
    return arn


def _create_demo_resources(boot: Bootstrap) -> None:
    s3 = boot.client("s3")
    s3.create_bucket(Bucket=DEMO_BUCKET)
    s3.put_object(
        Bucket=DEMO_BUCKET,
        Key="README.txt",
        Body=b"Hello from the console sandbox.\n",
        ContentType="text/plain",
    )


def seed_demo(url: str, *, secret: str, sso_password: str | None = None) -> SandboxSeed:
    """Create the demo user, roles, second account and resources on a fresh server.

    ``secret`` is the server's control secret (``SandboxProcess.control_secret``):
    the Identity Center part is configured through the admin endpoint. Its
    directory user ``demo`` gets ``sso_password`` if given, else the password the
    server read from ``SANDBOX_SSO_PASSWORD``.
    """
    try:
        return _seed(Bootstrap(url, secret), sso_password)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise SandboxError(
            f"seeding the sandbox at {url} failed: {error.get('Code')}: {error.get('Message')} "
            "(seed a freshly started server, before enforce_auth)"
        ) from exc
    except BotoCoreError as exc:
        raise SandboxError(f"seeding the sandbox at {url} failed: {exc}") from exc


def _seed(boot: Bootstrap, sso_password: str | None) -> SandboxSeed:
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


def enforce_auth(url: str, *, secret: str) -> None:
    """From now on, authenticate and authorize every request with IAM.

    moto counts requests and starts checking once the count reaches
    INITIAL_NO_AUTH_ACTION_COUNT; setting it to 0 also resets the counter. The
    switch is moto's control API, so it takes the server's control secret.
    """
    # Not form-encoded: moto reads the raw body, which Flask empties when it parses
    # a form (urllib's default content type), answering 500.
    answer = control.post(url, "/moto-api/reset-auth", secret, b"0", "text/plain")
    if answer.get("status") != "ok":
        raise SandboxError(f"the sandbox at {url} refused to enforce auth: {answer.get('status')!r}")
