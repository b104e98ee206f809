from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

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

    def __repr__(self) -> str:
        return f"AwsCredentials(access_key_id={self.access_key_id[:4]}****, expires_at={self.expires_at})"

    def needs_refresh(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        now = now or datetime.now(timezone.utc)
        return self.expires_at - now < ADVISORY_REFRESH


@dataclass(frozen=True)
class ResolvedSession:
    """Everything a command needs to call AWS, resolved for one user and one command."""

    profile: str
    region: str | None
    endpoint_url: str | None
    credentials: AwsCredentials
    output: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
