"""Team profiles (and the team's sso-session and services sections), written by owners and
admins: keys checked as `aws configure` takes them (credentials/keys.py) plus the team
rules (no role_session_name; references stay inside the team), secrets write-only, each
change audited with the names of the keys it changed and the sessions built on the old
values ended (credentials.services.save_profile). Reached through console.teams.services."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from console.runs.audit import AuditAction
from console.teams.errors import TeamError
from console.teams.events import record
from console.teams.models import Team
from console.teams.rules import require
from credentials import configfiles, keys
from credentials import services as sections
from credentials.configfiles import ConfigFileError
from credentials.errors import CredentialError
from credentials.models import SECRET_KEYS, ConfigSection, SectionKind

# Keys whose value names another section: inside a team, always one of the team's own.
REFERENCES = ("source_profile", "sso_session", "services")


def _problems(team: Team, kind: str, name: str, values: dict[str, Any]) -> list[str]:
    found = []
    try:
        keys.check_name(name, team=True)
    except CredentialError as exc:
        found.append(exc.message)
    if kind not in SectionKind.values:
        found.append(f"{kind!r} is not a kind of section (profile, sso-session or services).")
    found.extend(keys.problems(values, team=True))
    for key in REFERENCES:
        ref = values.get(key)
        if isinstance(ref, str) and ref and "/" in ref and not ref.startswith(f"{team.slug}/"):
            found.append(f"{key}: {ref!r} is another team's; a team's profiles name only its own sections.")
    return found


def _merged(current: ConfigSection | None, values: dict[str, Any], *, edit: bool) -> dict[str, Any]:
    """The section's new values. A form's edit (`edit`) replaces the values, except that a
    secret left empty keeps the stored one; a paste only adds and replaces keys."""
    plain = dict(current.settings) if current is not None and not edit else {}
    secret = current.open_secrets() if current is not None else {}
    if edit:
        secret = {k: v for k, v in secret.items() if k in values}
    for key, value in values.items():
        if key in SECRET_KEYS:
            if str(value):
                secret[key] = str(value)
        elif value != "":
            plain[key] = value
    return {**plain, **secret}


def _changed(current: ConfigSection | None, merged: dict[str, Any]) -> list[str]:
    before = {**current.settings, **current.open_secrets()} if current is not None else {}
    return sorted(k for k in set(before) | set(merged) if before.get(k) != merged.get(k))


def _store(
    actor: Any, team: Team, kind: str, name: str, values: dict[str, Any], *, edit: bool
) -> ConfigSection:
    current = sections.find_team_section(team, name, kind)
    merged = _merged(current, values, edit=edit)
    saved = sections.save_profile(None, name, merged, kind, team=team)
    action = AuditAction.PROFILE_CREATED if current is None else AuditAction.PROFILE_UPDATED
    record(
        action, actor, team, profile=name, kind=kind, section_id=str(saved.pk), keys=_changed(current, merged)
    )
    return saved


def save_team_profile(
    actor: Any, team: Team, name: str, values: dict[str, str], *, kind: str = SectionKind.PROFILE
) -> ConfigSection:
    """Create or edit a team section from a form: keys are checked as `aws configure`
    checks them; secrets are write-only (an empty one keeps the stored value)."""
    require(actor, "teams.manage_profiles", team)
    found = _problems(team, kind, name, values)
    if found:
        raise TeamError("\n".join(found))
    with transaction.atomic():
        return _store(actor, team, kind, name, values, edit=True)


def import_team_section(actor: Any, team: Team, text: str) -> list[ConfigSection]:
    """Pasted `[profile …]` / `[sso-session …]` / `[services …]` sections, merged into the
    team's sections of those names (keys given replace the stored ones; others stay)."""
    require(actor, "teams.manage_profiles", team)
    try:
        parsed = configfiles.parse_config(text or "")
    except ConfigFileError as exc:
        raise TeamError(str(exc)) from None
    found = [f"[{header}] is not a profile, sso-session or services section." for header in parsed.ignored]
    if not parsed.sections and not found:
        found.append("No [profile …] or [sso-session …] section was found in the text.")
    for (kind, name), values in parsed.sections.items():
        header = configfiles.section_header(kind, name)
        found.extend(f"[{header}] {problem}" for problem in _problems(team, kind, name, values))
    if found:
        raise TeamError("\n".join(found))
    with transaction.atomic():
        return [
            _store(actor, team, kind, name, values, edit=False)
            for (kind, name), values in parsed.sections.items()
        ]


def delete_team_profile(actor: Any, section: ConfigSection) -> None:
    team = team_of(section)
    require(actor, "teams.manage_profiles", team)
    with transaction.atomic():
        sections.end_team_sessions(team.slug, team.pk, profile=section)
        record(
            AuditAction.PROFILE_DELETED,
            actor,
            team,
            profile=section.name,
            kind=section.kind,
            section_id=str(section.pk),
        )
        section.delete()


def team_of(section: ConfigSection) -> Team:
    if section.team_id is None:
        raise TeamError(f"{section.name} is a personal profile, not a team's.")
    return section.team  # type: ignore[no-any-return]
