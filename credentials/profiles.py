"""Profiles as the broker reads them, and the non-credential settings of a command: which
profile, region, endpoint and retry settings apply, and where each came from (what
`aws configure list` shows). The order is the AWS CLI's: command option, the terminal's
environment, the profile.

Team profiles sit beside the user's own under their address `<team>/<name>` (personal
names never contain "/", so neither can shadow the other). Which of them the user may
name is decided by the console, asked in the same query (credentials/access.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from credentials import access
from credentials.errors import EXIT_USAGE, CredentialError
from credentials.models import ConfigSection, SectionKind

RETRY_MODES = ("legacy", "standard", "adaptive")


@dataclass(frozen=True)
class Profile:
    # The address: a personal profile's name, or `<team>/<name>` for a team's.
    name: str
    settings: dict[str, Any]
    secrets: dict[str, str] = field(repr=False)
    version: str
    team: str | None = None  # the owning team's slug
    team_id: int | None = None
    # The console's guardrail policy and production tag (credentials/models.py), as stored.
    policy: dict[str, Any] = field(default_factory=dict)
    production: bool = False
    # The user may use it only read-only: through read-only grants, or (a personal role
    # over a team's) through a source that is so (Sections.read_only_hop).
    read_only: bool = False
    # The id of the user's active just-in-time elevation of it (or, a personal role over a
    # team's, of the team profile whose grant decides), None without one. The console's
    # guardrail says what it allows; the broker only carries it.
    elevation: int | None = None

    def reference(self, key: str) -> str | None:
        """The address this profile's `key` (source_profile, sso_session, services) names."""
        ref = self.settings.get(key)
        return qualify(self.team, str(ref)) if ref else None


@dataclass(frozen=True)
class Sections:
    """A user's configuration for one command: their own profiles and services sections,
    and every section of each team in which they may use at least one profile (a team
    profile's source, sso-session or services section need not be granted itself)."""

    profiles: dict[str, Profile]
    services: dict[str, dict[str, Any]]
    sso_sessions: dict[str, dict[str, Any]]  # the teams' sso-sessions, by address
    usable: frozenset[str]  # the team profiles the user may name
    read_only: frozenset[str] = frozenset()  # those of them they may use only read-only

    def named(self, name: str) -> Profile | None:
        """A profile the user may name (--profile, AWS_PROFILE, their own source_profile):
        their own, or a team profile they may use now. Any other team section is as
        absent as one that does not exist."""
        if "/" in name and name not in self.usable:
            return None
        return self.profiles.get(name)

    def source(self, profile: Profile, key: str = "source_profile") -> str | None:
        """The address `profile` refers to by `key`, if it may refer to it: a team's
        sections reach their own team's; a personal one reaches what its owner may name."""
        address = profile.reference(key)
        if address is None or (profile.team is None and "/" in address and address not in self.usable):
            return None
        return address

    def first_team_profile(self, profile: Profile | None) -> Profile | None:
        """The team profile a command through `profile` acts by: `profile` itself if it is a
        team's, else the first team profile its role sources lead to (a personal role over
        a team's). That is the profile whose grant decides the user's rights."""
        seen: set[str] = set()
        while profile is not None and profile.name not in seen:
            if profile.team_id is not None:
                return profile
            seen.add(profile.name)
            source = self.source(profile) if profile.settings.get("role_arn") else None
            profile = self.profiles.get(source) if source else None
        return None

    def read_only_hop(self, profile: Profile | None) -> Profile | None:
        """The team profile whose AssumeRole must carry the read-only session policy when
        the user acts through `profile`, or None when their use is not read-only."""
        hop = self.first_team_profile(profile)
        return hop if hop is not None and hop.name in self.read_only else None

    def names(self) -> list[str]:
        """Every profile the user may name: their own, then the team profiles."""
        own = [n for n, p in self.profiles.items() if p.team is None]
        return own + sorted(self.usable & self.profiles.keys())


def _sections_sql(usable: str | None) -> str:
    # Table names are the models' own; every value is a named query parameter.
    sections = ConfigSection._meta.db_table
    own = "(s.owner_id = %(user)s AND s.team_id IS NULL AND s.kind IN (%(profile)s, %(services)s))"
    if usable is None:
        return (
            "SELECT s.*, NULL AS team_slug, 0 AS usable, 0 AS read_only, NULL AS elevation "  # noqa: S608
            f"FROM {sections} s WHERE {own}"
        )
    teams = ConfigSection._meta.get_field("team").related_model._meta.db_table  # type: ignore[union-attr]
    return (
        f"WITH usable AS ({usable}) "  # noqa: S608
        "SELECT s.*, t.slug AS team_slug, "
        "CASE WHEN mine.id IS NULL THEN 0 ELSE 1 END AS usable, "
        "COALESCE(mine.read_only, 0) AS read_only, mine.elevation AS elevation "
        f"FROM {sections} s LEFT JOIN {teams} t ON t.id = s.team_id "
        "LEFT JOIN usable mine ON mine.id = s.id "
        f"WHERE {own} OR s.team_id IN (SELECT u.team_id FROM {sections} u JOIN usable ON usable.id = u.id)"
    )


def load_sections(user: Any) -> Sections:
    """Read on every command: one plain query (which skips the ORM's compile step) for the
    user's own sections and those of the teams they may use a profile of, the grants
    checked by the subquery the console registered (credentials/access.py)."""
    rows = _section_rows(user)
    profiles: dict[str, Profile] = {}
    services: dict[str, dict[str, Any]] = {}
    sessions: dict[str, dict[str, Any]] = {}
    usable: set[str] = set()
    read_only: set[str] = set()
    for row in rows:
        address = _address(row)
        if row.kind == SectionKind.SERVICES:
            services[address] = dict(row.settings)
        elif row.kind == SectionKind.SSO_SESSION:
            sessions[address] = dict(row.settings)
        else:
            profiles[address] = _profile(row, address, row.elevation if row.team_id and row.usable else None)
            if row.team_id and row.usable:
                usable.add(address)
                if row.read_only:
                    read_only.add(address)
    return _marked(Sections(profiles, services, sessions, frozenset(usable), frozenset(read_only)))


def _address(row: ConfigSection) -> str:
    """The name a user gives a section: its own, or `<team>/<name>` for a team's."""
    return f"{row.team_slug}/{row.name}" if row.team_id else row.name  # type: ignore[attr-defined]


def _section_rows(user: Any) -> Any:
    params = {
        "user": user.pk,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "profile": str(SectionKind.PROFILE),
        "services": str(SectionKind.SERVICES),
    }
    return ConfigSection.objects.raw(_sections_sql(access.usable_sections_sql()), params)


def is_production(user: Any, name: str) -> bool:
    """Whether `name` is a profile the user may use now that is tagged production: for the
    terminal's prompt, so it reads the same rows as a command but opens no secret."""
    for row in _section_rows(user):
        address = _address(row)
        if row.kind == SectionKind.PROFILE and address == name:
            return bool(row.production) and (not row.team_id or bool(row.usable))
    return False


def _marked(sections: Sections) -> Sections:
    """Each profile says whether the user's use of it is read-only, its chain considered,
    and carries the elevation of the team profile whose grant decides."""
    for name, profile in sections.profiles.items():
        hop = sections.read_only_hop(profile)
        if hop is not None:
            sections.profiles[name] = replace(profile, read_only=True, elevation=hop.elevation)
    return sections


def _profile(row: ConfigSection, address: str, elevation: Any = None) -> Profile:
    team = getattr(row, "team_slug", None) if row.team_id else None
    return Profile(
        address,
        dict(row.settings),
        row.open_secrets(),
        row.updated_at.isoformat(),
        team,
        row.team_id,
        dict(row.policy or {}),
        bool(row.production),
        elevation=int(elevation) if elevation is not None else None,
    )


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
    """The profiles the user may name, by address."""
    sections = load_sections(user)
    return {name: sections.profiles[name] for name in sections.names()}


def profile_names(user: Any) -> list[str]:
    """What `aws configure list-profiles` and completion offer: own, then team profiles."""
    return load_sections(user).names()


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
    section = services.get(chosen.reference("services") or "", {})
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
