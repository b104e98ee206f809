"""The ``sso`` portal API: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout.

Design decision: role credentials are real moto STS credentials. moto cannot be
asked for them the way AWS does it (a SAML assertion from the Identity Center
service principal), so the server assumes the permission set's role with a broker
IAM user that the seed creates, over HTTP against moto itself, with the directory
user's name as the session name. The result is what AWS produces:
``arn:aws:sts::<account>:assumed-role/AWSReservedSSO_<set>_<suffix>/<username>``,
authorized by moto against the role's policies.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.identitycenter.state import Assignment, IdentityCenter, IdentityCenterError, Session
from sandbox.identitycenter.wire import Reply, error, ok

DEFAULT_PAGE_SIZE = 20

# portal error code -> (exception name, HTTP status). ForbiddenException is what AWS
# answers for a role the user has no assignment for; it is not in botocore's model,
# so botocore raises a plain ClientError with that code, as against AWS.
ERRORS: dict[str, tuple[str, int]] = {
    "unauthorized": ("UnauthorizedException", 401),
    "forbidden": ("ForbiddenException", 403),
    "invalid_request": ("InvalidRequestException", 400),
    "not_found": ("ResourceNotFoundException", 404),
}


def portal_error(exc: IdentityCenterError) -> Reply:
    error_type, status = ERRORS.get(exc.code, ("InvalidRequestException", 400))
    return error(status, error_type, {"message": exc.description})


class RoleBroker:
    """Assumes permission-set roles in moto with the broker user's key."""

    def __init__(self, moto_url: str) -> None:
        self.moto_url = moto_url
        self._key: tuple[str, str] | None = None
        self._client: Any = None
        self._lock = threading.Lock()

    def configure(self, access_key_id: str, secret_access_key: str) -> None:
        with self._lock:
            self._key = (access_key_id, secret_access_key)
            self._client = None

    def _sts(self) -> Any:
        with self._lock:
            if self._key is None:
                raise IdentityCenterError(
                    "forbidden", "No access (the sandbox Identity Center is not seeded)"
                )
            if self._client is None:
                self._client = botocore.session.get_session().create_client(
                    "sts",
                    endpoint_url=self.moto_url,
                    region_name="us-east-1",
                    aws_access_key_id=self._key[0],
                    aws_secret_access_key=self._key[1],
                )
            return self._client

    def assume(self, role_arn: str, username: str, duration: int) -> dict[str, Any]:
        try:
            response = self._sts().assume_role(
                RoleArn=role_arn, RoleSessionName=username, DurationSeconds=duration
            )
        except (ClientError, BotoCoreError) as exc:
            raise IdentityCenterError("forbidden", f"No access ({exc})") from exc
        credentials = response["Credentials"]
        return {
            "accessKeyId": credentials["AccessKeyId"],
            "secretAccessKey": credentials["SecretAccessKey"],
            "sessionToken": credentials["SessionToken"],
            "expiration": int(credentials["Expiration"].timestamp() * 1000),
        }


def _page(items: list[dict[str, Any]], query: dict[str, str], key: str) -> dict[str, Any]:
    try:
        start = int(base64.urlsafe_b64decode(query["next_token"]).decode()) if query.get("next_token") else 0
        size = int(query.get("max_result") or DEFAULT_PAGE_SIZE)
    except ValueError as exc:
        raise IdentityCenterError("invalid_request", "Invalid next token or max result") from exc
    if size < 1 or start < 0:
        raise IdentityCenterError("invalid_request", "Invalid next token or max result")
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return page


def _account_id(query: dict[str, str]) -> str:
    account_id = query.get("account_id", "")
    if not account_id:
        raise IdentityCenterError("invalid_request", "account_id is required")
    return account_id


def list_accounts(
    center: IdentityCenter, session: Session, query: dict[str, str], broker: RoleBroker
) -> Reply:
    accounts: dict[str, dict[str, str]] = {}
    for a in center.assignments_of(session):
        accounts.setdefault(
            a.account_id,
            {"accountId": a.account_id, "accountName": a.account_name, "emailAddress": a.email_address},
        )
    return ok(_page(list(accounts.values()), query, "accountList"))


def list_account_roles(
    center: IdentityCenter, session: Session, query: dict[str, str], broker: RoleBroker
) -> Reply:
    account_id = _account_id(query)
    roles = [
        {"roleName": a.permission_set, "accountId": a.account_id}
        for a in center.assignments_of(session)
        if a.account_id == account_id
    ]
    return ok(_page(roles, query, "roleList"))


def _assignment(center: IdentityCenter, session: Session, account_id: str, role_name: str) -> Assignment:
    for a in center.assignments_of(session):
        if a.account_id == account_id and a.permission_set == role_name:
            return a
    raise IdentityCenterError("forbidden", "No access")


def get_role_credentials(
    center: IdentityCenter, session: Session, query: dict[str, str], broker: RoleBroker
) -> Reply:
    role_name = query.get("role_name", "")
    if not role_name:
        raise IdentityCenterError("invalid_request", "role_name is required")
    assignment = _assignment(center, session, _account_id(query), role_name)
    credentials = broker.assume(assignment.role_arn, session.username, center.lifetimes.role_credentials)
    return ok({"roleCredentials": credentials})


def logout(center: IdentityCenter, token: str | None) -> Reply:
    center.logout(token)
    return ok({})


OPERATIONS = {
    ("GET", "/assignment/accounts"): list_accounts,
    ("GET", "/assignment/roles"): list_account_roles,
    ("GET", "/federation/credentials"): get_role_credentials,
}
