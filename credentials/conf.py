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
