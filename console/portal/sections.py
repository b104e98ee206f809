"""How a stored section is shown: its settings as `aws configure get` names them (nested
values dotted), and its secrets only masked the way `aws configure list` masks them
(`****************ABCD`). The plain secret is opened here, masked, and dropped; it never
reaches a template or a response."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from console.commands.configure import mask
from credentials.models import ConfigSection


def masked_secrets(section: ConfigSection) -> dict[str, str]:
    return {key: mask(value) for key, value in sorted(section.open_secrets().items()) if value}


def setting_rows(section: ConfigSection) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in section.settings.items():
        if isinstance(value, dict):
            rows.extend((f"{key}.{sub}", str(sub_value)) for sub, sub_value in value.items())
        else:
            rows.append((key, str(value)))
    return rows


def team_address(section: ConfigSection) -> str:
    """What members type: `<team>/<profile>`."""
    return f"{section.team.slug}/{section.name}"


def terminal_url(profile: str) -> str:
    """The terminal, told to `export AWS_PROFILE=<profile>` when it opens (terminal.js)."""
    return f"{reverse('terminal')}?{urlencode({'profile': profile})}"


def source_of(section: ConfigSection, secret_keys: set[str]) -> str:
    """Where the profile's credentials come from, in a few words."""
    values = section.settings
    if section.kind != "profile":
        return {"sso-session": "IAM Identity Center sign-in", "services": "service settings"}.get(
            section.kind, ""
        )
    if values.get("role_arn"):
        via = (
            values.get("source_profile")
            or values.get("credential_source")
            or ("web identity" if "web_identity_token" in secret_keys else "?")
        )
        return f"role {str(values['role_arn']).rpartition('/')[2]} from {via}"
    if values.get("sso_session") or values.get("sso_start_url"):
        return f"IAM Identity Center {values.get('sso_account_id', '?')} / {values.get('sso_role_name', '?')}"
    if "aws_access_key_id" in secret_keys:
        return "access keys"
    return "no credentials (settings only)"


def describe(section: ConfigSection, *, with_secrets: bool) -> dict[str, Any]:
    """A section for a page: rows of settings, where its credentials come from, and its
    secrets masked where the viewer may see them (else only which keys are stored)."""
    secrets = masked_secrets(section)
    address = team_address(section) if section.team_id is not None else section.name
    return {
        "section": section,
        "address": address,
        "terminal_url": terminal_url(address) if section.kind == "profile" else "",
        "rows": setting_rows(section),
        "source": source_of(section, set(secrets)),
        # (key, what is shown): masked for those who manage it, else only that it is there.
        "secret_rows": [
            (key, value if with_secrets else "stored (write-only)") for key, value in secrets.items()
        ],
    }
