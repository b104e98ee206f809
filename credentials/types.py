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
        )


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

    @property
    def timestamp_format(self) -> str:
        """The profile's `cli_timestamp_format` (CLI v2's default: iso8601)."""
        return str(self.settings.get("cli_timestamp_format") or "iso8601")
