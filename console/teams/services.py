"""Every change to a team goes through these functions: each checks its permission with
`require` (console/teams/rules.py), runs in one transaction, writes one audit event
`team:<subject>:<action>` naming the actor and the ids and names involved (never a secret
value), and ends the cached AWS sessions a change takes away (credentials.services.
end_team_sessions), so a removed member or a revoked grant stops working at the next
command. Refusals that are not permission denials raise TeamError with a message the
person can act on."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from console.runs import audit
from console.runs.audit import AuditAction
from console.teams.errors import TeamError
from console.teams.models import Grant, Membership, Role, Team
from console.teams.rules import MANAGERS, require
from credentials import configfiles, keys
from credentials import services as sections
from credentials.configfiles import ConfigFileError
from credentials.errors import CredentialError
from credentials.models import SECRET_KEYS, ConfigSection, SectionKind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Keys whose value names another section: inside a team, always one of the team's own.
REFERENCES = ("source_profile", "sso_session", "services")

__all__ = [
    "TeamError",
    "add_member",
    "change_role",
    "create_team",
    "delete_team",
    "delete_team_profile",
    "grant",
    "import_team_section",
    "membership_of",
    "remove_member",
    "rename_team",
    "requires_second_factor",
    "revoke_grant",
    "save_team_profile",
    "teams_of",
    "usable_team_profiles",
]


def _audit(action: AuditAction, actor: Any, team: Team, **data: Any) -> None:
    audit.record(action, actor=actor, data={"team": team.slug, "team_id": team.pk, **data})


# --- teams ------------------------------------------------------------------------------


def _checked_slug(slug: str) -> str:
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise TeamError(
            f"{slug!r} cannot be a team's short name: use 1 to 64 lowercase letters, digits and "
            "hyphens, starting with a letter or digit (it is the <team> of <team>/<profile>)."
        )
    return slug


def _checked_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 128:
        raise TeamError("A team's name is 1 to 128 characters.")
    return name


def create_team(actor: Any, slug: str, name: str) -> Team:
    """A new team; its creator is its first owner."""
    require(actor, "teams.add_team", None)
    slug, name = _checked_slug(slug), _checked_name(name)
    try:
        with transaction.atomic():
            team = Team.objects.create(slug=slug, name=name, created_by=actor)
            Membership.objects.create(team=team, user=actor, role=Role.OWNER, added_by=actor)
            _audit(AuditAction.TEAM_CREATED, actor, team, name=name)
    except IntegrityError:
        raise TeamError(f"There is a team called {slug!r} already; choose another short name.") from None
    return team


def rename_team(actor: Any, team: Team, name: str) -> Team:
    require(actor, "teams.change_team", team)
    name = _checked_name(name)
    with transaction.atomic():
        old, team.name = team.name, name
        team.save(update_fields=["name"])
        _audit(AuditAction.TEAM_RENAMED, actor, team, old_name=old, name=name)
    return team


def delete_team(actor: Any, team: Team) -> None:
    """The team, its memberships, grants and profiles; every session built through them ends."""
    require(actor, "teams.delete_team", team)
    with transaction.atomic():
        sections.end_team_sessions(team.slug, team.pk, tokens=True)
        _audit(AuditAction.TEAM_DELETED, actor, team, name=team.name)
        team.delete()


# --- members ----------------------------------------------------------------------------


def _checked_role(role: str) -> str:
    if role not in Role.values:
        raise TeamError(f"{role!r} is not a role; choose one of {', '.join(Role.values)}.")
    return str(role)


def _locked_owners(team: Team) -> list[int]:
    """The team's owners, their rows locked until the transaction ends: two owners
    stepping down at once cannot leave the team without one."""
    owners = Membership.objects.select_for_update().filter(team=team, role=Role.OWNER)
    return list(owners.values_list("user_id", flat=True))


def _keep_an_owner(membership: Membership) -> None:
    if membership.role == Role.OWNER and _locked_owners(membership.team) == [membership.user_id]:
        raise TeamError(
            f"{membership.user.get_username()} is the last owner of {membership.team.slug}; a team "
            "always keeps an owner. Make someone else an owner first."
        )


def add_member(actor: Any, team: Team, username: str, role: str) -> Membership:
    require(actor, "teams.manage_members", team)
    role = _checked_role(role)
    if role == Role.OWNER:
        require(actor, "teams.manage_owners", team)
    user = get_user_model().objects.filter(username=username).first() if isinstance(username, str) else None
    if user is None:
        raise TeamError(f"no user named {username!r}")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(team=team, user=user, role=role, added_by=actor)
            _audit(
                AuditAction.MEMBER_ADDED, actor, team, user=user.get_username(), user_id=user.pk, role=role
            )
    except IntegrityError:
        raise TeamError(f"{user.get_username()} is a member of {team.slug} already.") from None
    return membership


def change_role(actor: Any, membership: Membership, role: str) -> Membership:
    team = membership.team
    require(actor, "teams.manage_members", team)
    role = _checked_role(role)
    if Role.OWNER in (membership.role, role):
        require(actor, "teams.manage_owners", team)
    with transaction.atomic():
        if role != Role.OWNER:
            _keep_an_owner(membership)
        old, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        if role not in MANAGERS:  # they may have lost profiles they could use before
            sections.end_team_sessions(team.slug, team.pk, user_ids=[membership.user_id])
        _audit(
            AuditAction.MEMBER_ROLE_CHANGED,
            actor,
            team,
            user=membership.user.get_username(),
            user_id=membership.user_id,
            old_role=old,
            role=role,
        )
    return membership


def remove_member(actor: Any, membership: Membership) -> None:
    """Remove a member (or leave, for oneself): their grants in the team go, and their
    cached sessions and sign-in tokens for the team's profiles end at once."""
    team = membership.team
    if membership.user_id != getattr(actor, "pk", None):
        require(actor, "teams.manage_members", team)
        if membership.role == Role.OWNER:
            require(actor, "teams.manage_owners", team)
    with transaction.atomic():
        _keep_an_owner(membership)
        Grant.objects.filter(team=team, user_id=membership.user_id).delete()
        sections.end_team_sessions(team.slug, team.pk, user_ids=[membership.user_id], tokens=True)
        _audit(
            AuditAction.MEMBER_REMOVED,
            actor,
            team,
            user=membership.user.get_username(),
            user_id=membership.user_id,
            role=membership.role,
        )
        membership.delete()


# --- profiles ---------------------------------------------------------------------------


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
    _audit(
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
    team = _team_of(section)
    require(actor, "teams.manage_profiles", team)
    with transaction.atomic():
        sections.end_team_sessions(team.slug, team.pk, profile=section)
        _audit(
            AuditAction.PROFILE_DELETED,
            actor,
            team,
            profile=section.name,
            kind=section.kind,
            section_id=str(section.pk),
        )
        section.delete()


def _team_of(section: ConfigSection) -> Team:
    if section.team_id is None:
        raise TeamError(f"{section.name} is a personal profile, not a team's.")
    return section.team  # type: ignore[no-any-return]


# --- grants -----------------------------------------------------------------------------


def _grantee(team: Team, user: Any, role: str | None) -> tuple[Any, str]:
    if (user is None) == (not role):
        raise TeamError("A grant is to one member or to one role: give a user or a role, not both.")
    if role:
        if role in MANAGERS:
            raise TeamError("Owners and admins may use every team profile already.")
        if role != Role.MEMBER:
            raise TeamError(f"{role!r} cannot be granted a profile: only members run commands with grants.")
        return None, role
    if isinstance(user, str):
        user = get_user_model().objects.filter(username=user).first() or _no_user(user)
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise TeamError(f"{user.get_username()} is not a member of {team.slug}; add them first.")
    if membership.role == Role.AUDITOR:
        raise TeamError(
            f"{user.get_username()} is an auditor of {team.slug}, and auditors never run commands."
        )
    return user, ""


def _no_user(username: str) -> Any:
    raise TeamError(f"no user named {username!r}")


def grant(
    actor: Any,
    section: ConfigSection,
    *,
    user: Any = None,
    role: str | None = None,
    expires_at: datetime | None = None,
) -> Grant:
    """Let one member (a user or a username) or every member of a role use a team profile,
    until `expires_at` if given."""
    team = _team_of(section)
    require(actor, "teams.manage_grants", team)
    if section.kind != SectionKind.PROFILE:
        raise TeamError(f"{section.name} is an {section.kind} section; grants are for profiles.")
    grantee, grantee_role = _grantee(team, user, role)
    if expires_at is not None and (timezone.is_naive(expires_at) or expires_at <= timezone.now()):
        raise TeamError("A grant's end must be a time in the future (with its time zone).")
    with transaction.atomic():
        who = Q(user=grantee) if grantee is not None else Q(role=grantee_role)
        if Grant.objects.live().filter(who, profile=section).exists():
            raise TeamError(
                f"{_described(grantee, grantee_role)} may use {team.slug}/{section.name} already."
            )
        made = Grant.objects.create(
            team=team,
            profile=section,
            user=grantee,
            role=grantee_role,
            expires_at=expires_at,
            created_by=actor,
        )
        _audit(AuditAction.GRANT_CREATED, actor, team, **_grant_data(made))
    return made


def _described(user: Any, role: str) -> str:
    return user.get_username() if user is not None else f"every {role}"


def _grant_data(made: Grant) -> dict[str, Any]:
    return {
        "grant_id": made.pk,
        "profile": made.profile.name,
        "section_id": str(made.profile_id),
        "user": made.user.get_username() if made.user_id else None,
        "role": made.role or None,
        "expires_at": made.expires_at.isoformat() if made.expires_at else None,
    }


def revoke_grant(actor: Any, revoked: Grant) -> None:
    """End a grant; the grantees' cached sessions for that profile end at once."""
    team = revoked.team
    require(actor, "teams.manage_grants", team)
    with transaction.atomic():
        if revoked.user_id is not None:
            grantees = [revoked.user_id]
        else:
            grantees = list(
                Membership.objects.filter(team=team, role=revoked.role).values_list("user_id", flat=True)
            )
        sections.end_team_sessions(team.slug, team.pk, user_ids=grantees, profile=revoked.profile)
        _audit(AuditAction.GRANT_REVOKED, actor, team, **_grant_data(revoked))
        revoked.delete()


# --- queries ----------------------------------------------------------------------------


def teams_of(user: Any) -> QuerySet[Team]:
    if user is None or not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user_id=user.pk).order_by("slug")


def membership_of(user: Any, team: Team) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(team=team, user_id=user.pk).select_related("team", "user").first()


def usable_team_profiles(user: Any) -> list[tuple[Team, ConfigSection]]:
    """The team profiles the user may use now (teams.use_profile), by team and name."""
    if user is None or not user.is_authenticated:
        return []
    role = Membership.objects.filter(team=OuterRef("team"), user_id=user.pk).values("role")[:1]
    granted = Grant.objects.live().filter(Q(user_id=user.pk) | Q(role=Role.MEMBER), profile=OuterRef("pk"))
    usable = (
        ConfigSection.objects.filter(kind=SectionKind.PROFILE, team__isnull=False)
        .annotate(member_role=role, granted=Exists(granted))
        .filter(Q(member_role__in=MANAGERS) | Q(member_role=Role.MEMBER, granted=True))
        .select_related("team")
        .order_by("team__slug", "name")
    )
    return [(section.team, section) for section in usable]


def requires_second_factor(user: Any) -> bool:
    """Whether this user must sign in with a second factor (CONSOLE_REQUIRE_SECOND_FACTOR):
    nobody (off), everyone, or — by default in production — managers: owners and admins
    of any team, and Django staff (the admin site)."""
    rule = settings.CONSOLE_REQUIRE_SECOND_FACTOR
    if user is None or not user.is_authenticated or rule == "off":
        return False
    if rule == "everyone":
        return True
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user_id=user.pk, role__in=MANAGERS).exists()
