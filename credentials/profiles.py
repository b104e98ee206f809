"""Profiles as the broker reads them, and the non-credential settings of a command: which
profile, region, endpoint and retry settings apply, and where each came from (what
`aws configure list` shows). The order is the AWS CLI's: command option, the terminal's
environment, the profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from credentials.errors import EXIT_USAGE, CredentialError
from credentials.models import ConfigSection, SectionKind

RETRY_MODES = ("legacy", "standard", "adaptive")


@dataclass(frozen=True)
class Profile:
    name: str
    settings: dict[str, Any]
    secrets: dict[str, str] = field(repr=False)
    version: str


# The table name is the model's own; every value is a query parameter.
_SECTIONS_SQL = (
    f"SELECT * FROM {ConfigSection._meta.db_table} "  # noqa: S608
    "WHERE owner_id = %s AND team_id IS NULL AND kind IN (%s, %s)"
)


def load_sections(user: Any) -> tuple[dict[str, Profile], dict[str, dict[str, Any]]]:
    # Read on every command: one plain query, which skips the ORM's compile step.
    sections = ConfigSection.objects.raw(
        _SECTIONS_SQL, [user.pk, str(SectionKind.PROFILE), str(SectionKind.SERVICES)]
    )
    profiles: dict[str, Profile] = {}
    services: dict[str, dict[str, Any]] = {}
    for s in sections:
        if s.kind == SectionKind.SERVICES:
            services[s.name] = dict(s.settings)
        else:
            profiles[s.name] = Profile(s.name, dict(s.settings), s.open_secrets(), s.updated_at.isoformat())
    return profiles, services


def qualify(team: str | None, ref: str) -> str | None:
    """The address a section's reference (source_profile, sso_session, services) names.
    A personal section's references are as written (a team address stays one). Inside a
    team, a bare name or `<team>/<name>` names that team's own section; another team's
    address names nothing (None)."""
    if team is None:
        return ref
    if "/" in ref:
        return ref if ref.startswith(f"{team}/") else None
    return f"{team}/{ref}"


def load_profiles(user: Any) -> dict[str, Profile]:
    return load_sections(user)[0]


def profile_choice(profile: str | None, env: Mapping[str, str]) -> tuple[str, str | None]:
    """The profile name and where it came from: 'manual' (--profile), 'env', or None."""
    if profile:
        return profile, "manual"
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if env.get(var):
            return env[var], "env"
    return "default", None


def region_choice(
    region: str | None, env: Mapping[str, str], chosen: Profile | None
) -> tuple[str | None, str | None, str | None]:
    """(region, type, location) in the CLI's order: option, environment, profile."""
    if region:
        return region, "manual", "--region"
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(var):
            return env[var], "env", var
    if chosen is not None and chosen.settings.get("region"):
        return str(chosen.settings["region"]), "config-file", profile_location(chosen.name)
    return None, None, None


def profile_location(profile: str) -> str:
    return f"console profile ({profile})"


@lru_cache(maxsize=512)
def service_id(service: str) -> str:
    from credentials.clients import botocore_session

    try:
        sid = botocore_session().get_service_model(service).service_id
    except Exception:  # an unknown name has no service-specific setting
        return service
    return str(sid).replace(" ", "_").lower()


def configured_endpoint(
    service: str | None, env: Mapping[str, str], chosen: Profile, services: dict[str, dict[str, Any]]
) -> str | None:
    """The CLI's order: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
    [services] section for the service, the profile's endpoint_url."""
    sid = service_id(service) if service else None
    if sid and env.get(f"AWS_ENDPOINT_URL_{sid.upper()}"):
        return env[f"AWS_ENDPOINT_URL_{sid.upper()}"]
    if env.get("AWS_ENDPOINT_URL"):
        return env["AWS_ENDPOINT_URL"]
    section = services.get(str(chosen.settings.get("services") or ""), {})
    scoped = section.get(sid or "") if sid else None
    if isinstance(scoped, dict) and scoped.get("endpoint_url"):
        return str(scoped["endpoint_url"])
    value = chosen.settings.get("endpoint_url")
    return str(value) if value else None


def retry_settings(env: Mapping[str, str], chosen: Profile) -> tuple[str, int | None]:
    mode = env.get("AWS_RETRY_MODE") or str(chosen.settings.get("retry_mode") or "standard")
    if mode not in RETRY_MODES:
        raise CredentialError(
            f"Invalid value provided to retry_mode: {mode!r}. Valid values are: {', '.join(RETRY_MODES)}",
            EXIT_USAGE,
        )
    raw = env.get("AWS_MAX_ATTEMPTS") or chosen.settings.get("max_attempts")
    if raw in (None, ""):
        return mode, None
    try:
        attempts = int(str(raw))
    except ValueError:
        attempts = 0
    if attempts < 1:
        raise CredentialError(
            f"Value provided to max_attempts ({raw}) must be a whole number of at least 1.", EXIT_USAGE
        )
    return mode, attempts
