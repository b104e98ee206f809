"""Grants: which member, or every member, may use which team profile, perhaps until a
time. Revoking or expiring a grant ends the grantees' cached sessions for that profile at
once. Reached through console.teams.services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.runs.audit import AuditAction
from console.teams import elevations
from console.teams.errors import TeamError
from console.teams.events import record
from console.teams.models import Grant, Membership, Role, Team
from console.teams.profiles import team_of
from console.teams.rules import MANAGERS, require
from credentials import services as sections
from credentials.models import ConfigSection, SectionKind


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
    read_only: bool = False,
) -> Grant:
    """Let one member (a user or a username) or every member of a role use a team profile,
    until `expires_at` if given; `read_only`: for reading only, which AWS enforces too
    where the broker assumes a role (docs/guardrails.md)."""
    team = team_of(section)
    require(actor, "teams.manage_grants", team)
    if section.kind != SectionKind.PROFILE:
        raise TeamError(f"{section.name} is an {section.kind} section; grants are for profiles.")
    grantee, grantee_role = _grantee(team, user, role)
    if not isinstance(read_only, bool):
        raise TeamError("read_only is true or false.")
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
            read_only=read_only,
            created_by=actor,
        )
        record(AuditAction.GRANT_CREATED, actor, team, **_grant_data(made))
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
        "read_only": made.read_only,
    }


def _grantees(made: Grant) -> list[int]:
    if made.user_id is not None:
        return [made.user_id]
    return list(Membership.objects.filter(team=made.team, role=made.role).values_list("user_id", flat=True))


def revoke_grant(actor: Any, revoked: Grant) -> None:
    """End a grant; the grantees' cached sessions for that profile end at once."""
    team = revoked.team
    require(actor, "teams.manage_grants", team)
    with transaction.atomic():
        grantees = _grantees(revoked)
        sections.end_team_sessions(team.slug, team.pk, user_ids=grantees, profile=revoked.profile)
        record(AuditAction.GRANT_REVOKED, actor, team, **_grant_data(revoked))
        revoked.delete()
        elevations.end_unusable(actor, team.pk, grantees)


def end_expired_grants() -> int:
    """Grants whose time is up: they gave nothing from that instant (every command checks
    the end), and here their rows go, with the grantees' cached sessions for the profile
    and an audit event by the system. Run by every worker's reaper thread
    (console/runs/tasks.py add_chore); returns how many ended."""
    ended = 0
    for expired in Grant.objects.filter(expires_at__lte=timezone.now()).select_related(
        "team", "profile", "user"
    ):
        with transaction.atomic():
            if not Grant.objects.select_for_update(skip_locked=True).filter(pk=expired.pk).exists():
                continue  # another worker is ending it
            sections.end_team_sessions(
                expired.team.slug, expired.team_id, user_ids=_grantees(expired), profile=expired.profile
            )
            record(AuditAction.GRANT_EXPIRED, None, expired.team, **_grant_data(expired))
            expired.delete()
            elevations.end_unusable(None, expired.team_id, _grantees(expired))
            ended += 1
    return ended
