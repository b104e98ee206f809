"""How a stored section is shown: its settings as `aws configure get` names them (nested
values dotted), and its secrets only masked the way `aws configure list` masks them
(`****************ABCD`). The plain secret is opened here, masked, and dropped; it never
reaches a template or a response."""

from __future__ import annotations

from typing import Any

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


def describe(section: ConfigSection, *, with_secrets: bool) -> dict[str, Any]:
    """A section for a page: rows of settings, and masked secrets where the viewer may see them."""
    return {
        "section": section,
        "rows": setting_rows(section),
        "secrets": masked_secrets(section) if with_secrets else {},
    }
