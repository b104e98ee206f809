"""The broker's own settings (console/settings.py, docs/settings.md), read at call time so
tests can override them with pytest-django's `settings` fixture."""

from __future__ import annotations

from django.conf import settings


def allow_instance_role() -> bool:
    """CONSOLE_ALLOW_INSTANCE_ROLE: lend the host's EC2 instance role (IMDSv2) to users."""
    return bool(settings.CONSOLE_ALLOW_INSTANCE_ROLE)


def imds_endpoint() -> str:
    """CONSOLE_IMDS_ENDPOINT: the metadata service (an administrator's setting, not a user's)."""
    return str(settings.CONSOLE_IMDS_ENDPOINT)


def allow_export_credentials() -> bool:
    """CONSOLE_ALLOW_EXPORT_CREDENTIALS: let `aws configure export-credentials` print keys."""
    return bool(settings.CONSOLE_ALLOW_EXPORT_CREDENTIALS)


def allow_static_keys() -> bool:
    """CONSOLE_ALLOW_STATIC_KEYS: let people store access keys in their own profiles."""
    return bool(settings.CONSOLE_ALLOW_STATIC_KEYS)


def allow_team_keys() -> bool:
    """CONSOLE_ALLOW_TEAM_KEYS: let team admins enter access keys in a team profile
    (write-only, sealed; members use them only through the team's profiles)."""
    return bool(settings.CONSOLE_ALLOW_TEAM_KEYS)
