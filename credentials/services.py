"""Writing and reading profiles. Secret keys are split off and sealed before anything is
stored; a change to any profile drops the owner's cached sessions (they may have been
built from the old settings), as a changed ~/.aws/config would for the CLI. A team
section's change drops every user's sessions that were built through it
(`end_team_sessions`), which is also how a revoked grant or a removed member loses them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from credentials import cache, conf, configfiles, keys, sso
from credentials.errors import EXIT_USAGE, CredentialError
from credentials.keys import STATIC_KEY_NAMES
from credentials.models import SECRET_KEYS, CachedSession, ConfigSection, SectionKind, SsoSecret


def _write(section: ConfigSection, plain: dict[str, Any], secret: dict[str, str]) -> ConfigSection:
    section.settings = plain
    section.seal_secrets(secret)
    section.save()
    return section


def save_profile(
    owner: Any, name: str, values: dict[str, Any], kind: str = SectionKind.PROFILE, *, team: Any = None
) -> ConfigSection:
    """Replace a section's values (a user's, or a team's when `team` is given). Values
    are the caller's to check (keys.check_values); the name is checked here."""
    keys.check_name(name, team=team is not None)
    with transaction.atomic():
        section = _find(owner, kind, name, team) or _new(owner, kind, name, team)
        plain = {k: v for k, v in values.items() if k not in SECRET_KEYS}
        secret = {k: str(v) for k, v in values.items() if k in SECRET_KEYS}
        _write(section, plain, secret)
    if team is not None:
        end_team_sessions(team.slug, team.pk, profile=section)
    else:
        _sections_changed(owner)
    return section


def _find(owner: Any, kind: str, name: str, team: Any = None) -> ConfigSection | None:
    if team is not None:
        return ConfigSection.objects.filter(team=team, kind=kind, name=name).first()
    return ConfigSection.objects.filter(owner=owner, team__isnull=True, kind=kind, name=name).first()


def _new(owner: Any, kind: str, name: str, team: Any = None) -> ConfigSection:
    return ConfigSection(owner=None if team is not None else owner, team=team, kind=kind, name=name)


def find_team_section(team: Any, name: str, kind: str = SectionKind.PROFILE) -> ConfigSection | None:
    return _find(None, kind, name, team)


def _sections_changed(owner: Any) -> None:
    if owner is not None:
        cache.forget(owner.pk)


def check_static_key_allowed(key: str) -> None:
    if key in STATIC_KEY_NAMES and not conf.allow_static_keys():
        raise CredentialError(keys.static_keys_refusal(key, team=False), EXIT_USAGE)


def set_value(owner: Any, profile: str, key: str, value: str, kind: str = SectionKind.PROFILE) -> None:
    """`aws configure set`: one key, creating the section if needed."""
    check_static_key_allowed(key)
    keys.check_name(profile, team=False)
    with transaction.atomic():
        section = _find(owner, kind, profile) or _new(owner, kind, profile)
        plain = dict(section.settings) if not section._state.adding else {}
        secret = section.open_secrets() if not section._state.adding else {}
        if key in SECRET_KEYS:
            secret[key] = value
        elif "." in key:
            head, sub = key.split(".", 1)
            nested = plain.get(head)
            plain[head] = {**(nested if isinstance(nested, dict) else {}), sub: value}
        else:
            plain[key] = value
        _write(section, plain, secret)
    _sections_changed(owner)


@dataclass(frozen=True)
class StoredValue:
    value: str | None
    secret: bool = False


def get_value(owner: Any, profile: str, key: str, kind: str = SectionKind.PROFILE) -> StoredValue:
    section = _find(owner, kind, profile)
    if section is None:
        return StoredValue(None)
    if key in SECRET_KEYS:
        return StoredValue(section.open_secrets().get(key), secret=True)
    value: Any = section.settings
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return StoredValue(value if isinstance(value, str) else None)


def secrets_of(owner: Any, profile: str) -> dict[str, str]:
    section = _find(owner, SectionKind.PROFILE, profile)
    return section.open_secrets() if section is not None else {}


def profile_names(owner: Any) -> list[str]:
    return list(
        ConfigSection.objects.filter(owner=owner, team__isnull=True, kind=SectionKind.PROFILE).values_list(
            "name", flat=True
        )
    )


@dataclass
class ImportResult:
    saved: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def import_files(owner: Any, config_text: str = "", credentials_text: str = "") -> ImportResult:
    """Merge pasted or uploaded config/credentials files into the owner's sections.

    Keys in a file replace the same keys of an existing section; other keys stay. Access
    keys are refused (and reported) where static keys are not allowed."""
    parsed = configfiles.parse_config(config_text) if config_text.strip() else configfiles.ParsedFiles()
    if credentials_text.strip():
        configfiles.parse_credentials(credentials_text, parsed)
    result = ImportResult(ignored=list(parsed.ignored))
    with transaction.atomic():
        for (kind, name), values in parsed.sections.items():
            label = configfiles.section_header(kind, name)
            _import_section(owner, kind, name, values, label, result)
    _sections_changed(owner)
    return result


def _import_section(
    owner: Any, kind: str, name: str, values: dict[str, Any], label: str, result: ImportResult
) -> None:
    try:
        keys.check_name(name, team=False)
    except CredentialError as exc:
        result.refused.append(f"{label}: {exc.message}")
        return
    refused = [k for k in values if k in STATIC_KEY_NAMES and not conf.allow_static_keys()]
    result.refused.extend(f"{label}: {k}" for k in refused)
    values = {k: v for k, v in values.items() if k not in refused}
    if not values:
        return
    section = _find(owner, kind, name) or _new(owner, kind, name)
    plain = dict(section.settings) if not section._state.adding else {}
    secret = section.open_secrets() if not section._state.adding else {}
    for key, value in values.items():
        (secret if key in SECRET_KEYS else plain)[key] = value
    _write(section, plain, secret)
    result.saved.append(label)


def export_config(owner: Any) -> str:
    """The owner's config file, without any secret (they are never shown again)."""
    sections = ConfigSection.objects.filter(owner=owner, team__isnull=True).order_by("kind", "name")
    ordered = sorted(
        sections, key=lambda s: (s.kind != SectionKind.PROFILE, s.name != "default", s.kind, s.name)
    )
    return configfiles.render_config([(s.kind, s.name, dict(s.settings)) for s in ordered])


def end_team_sessions(
    slug: str,
    team_id: int,
    *,
    user_ids: Collection[int] | None = None,
    profile: ConfigSection | None = None,
    tokens: bool = False,
) -> int:
    """End cached sessions built through a team's sections, at once and for every worker:
    those of `profile` only, or of the whole team; of `user_ids` only, or of everyone.
    `tokens` also drops the users' IAM Identity Center tokens for the team's sso-sessions
    (a member removed from the team). A command already running keeps what it holds."""
    rows = CachedSession.objects.all()
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    named = cache.naming(f"{slug}/{profile.name}") if profile is not None else cache.naming_team(slug)
    labels = sso.team_role_labels(slug, team_id, profile)
    deleted, _ = rows.filter(named | cache.labelled(labels)).delete()
    if tokens:
        sessions = SsoSecret.objects.filter(label__startswith=f"{slug}/")
        if user_ids is not None:
            sessions = sessions.filter(user_id__in=list(user_ids))
        sessions.delete()
        deleted += rows.filter(cache.labelled_prefix(sso.team_session_prefixes(slug, team_id))).delete()[0]
    return deleted
