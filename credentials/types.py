from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# botocore's refresh windows: refresh early (advisory), and never use credentials this close
# to expiry (mandatory).
ADVISORY_REFRESH = timedelta(minutes=15)
MANDATORY_REFRESH = timedelta(minutes=10)


@dataclass(frozen=True)
class AwsCredentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    # Where they came from, as botocore names its providers (shown by `aws configure list`).
    method: str = "shared-credentials-file"
    # Who AWS sees behind these keys, as the broker learnt it when it got them (never a
    # secret): the assumed-role ARN from STS's answer, the SSO account and role, the
    # instance's role name. Cached with the keys, so a warm session still knows it.
    arn: str | None = None
    account: str | None = None
    role_name: str | None = None

    def __repr__(self) -> str:
        shown = f"{self.access_key_id[:4]}****"
        return f"AwsCredentials(access_key_id={shown}, method={self.method}, expires_at={self.expires_at})"

    def _left(self, now: datetime | None) -> timedelta | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (now or datetime.now(UTC))

    def needs_refresh(self, now: datetime | None = None) -> bool:
        left = self._left(now)
        return left is not None and left < ADVISORY_REFRESH

    def must_refresh(self, now: datetime | None = None) -> bool:
        left = self._left(now)
        return left is not None and left < MANDATORY_REFRESH

    def to_json(self) -> dict[str, Any]:
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expires_at.isoformat() if self.expires_at else None,
            "Method": self.method,
            "Arn": self.arn,
            "Account": self.account,
            "RoleName": self.role_name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AwsCredentials:
        expiration = data.get("Expiration")
        return cls(
            data["AccessKeyId"],
            data["SecretAccessKey"],
            data.get("SessionToken"),
            datetime.fromisoformat(expiration) if expiration else None,
            data.get("Method", "assume-role"),
            data.get("Arn"),
            data.get("Account"),
            data.get("RoleName"),
        )

    def principal(self) -> dict[str, str]:
        """The principal AWS sees, for the audit: how the keys were obtained, the ARN,
        account and role when known, and the access key id (not a secret: CloudTrail
        records it too). Only the fields that are known."""
        account = self.account or _account_of(self.arn)
        fields = {
            "type": self.method,
            "arn": self.arn,
            "account": account,
            "role": self.role_name,
            "access_key_id": self.access_key_id,
        }
        return {name: value for name, value in fields.items() if value}


def _account_of(arn: str | None) -> str | None:
    """The account id in `arn:partition:service:region:account:resource`."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call a command made, as its answer told it (credentials/retries.py):
    the HTTP status (None when no answer came) and AWS's request id, the number of
    attempts botocore made, and the error code of an error answer."""

    service: str
    operation: str
    status: int | None
    request_id: str = ""
    attempts: int = 1
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "status": self.status,
            "request_id": self.request_id,
            "attempts": self.attempts,
            "error": self.error,
        }


@dataclass(frozen=True)
class ConfigSource:
    """Where one value came from, as `aws configure list` shows it (Type, Location)."""

    value: str | None
    type: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class ResolvedSession:
    """Everything a command needs to call AWS, resolved for one user and one command."""

    profile: str
    region: str | None
    endpoint_url: str | None
    credentials: AwsCredentials
    output: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    retry_mode: str = "standard"
    max_attempts: int | None = None
    # `aws sso <operation> --access-token session`: fetches the user's SSO access token
    # (refreshing it if need be) when the call is made; None for other services.
    access_token: Callable[[], str] | None = field(default=None, repr=False)
    # The team whose profile the command acts through (None: the user's own), so the run
    # can be attributed to it.
    team_id: int | None = None
    # How the credentials were found: the profile, then each source_profile it chains
    # through, ending with a non-profile source when there is one ("credential_source:
    # Environment", "environment", "instance role").
    profile_chain: tuple[str, ...] = ()

    @property
    def timestamp_format(self) -> str:
        """The profile's `cli_timestamp_format` (CLI v2's default: iso8601)."""
        return str(self.settings.get("cli_timestamp_format") or "iso8601")
