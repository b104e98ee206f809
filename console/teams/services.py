"""Every change to a team goes through these functions: each checks its permission with
`require` (console/teams/rules.py), runs in one transaction, writes one audit event
`team:<subject>:<action>` naming the actor and the ids and names involved (never a secret
value), and ends the cached AWS sessions a change takes away (credentials.services.
end_team_sessions), so a removed member or a revoked grant stops working at the next
command. Refusals that are not permission denials raise TeamError with a message the
person can act on. Profiles and grants have modules of their own (profiles.py, grants.py),
profiles' guardrail policies in policies.py; this module is where every caller finds all
of them."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from console.runs.audit import AuditAction
from console.teams import elevations
from console.teams.errors import TeamError
from console.teams.events import record
from console.teams.grants import end_expired_grants, grant, revoke_grant
from console.teams.models import Grant, Membership, Role, Team
from console.teams.policies import set_team_policy
from console.teams.profiles import delete_team_profile, import_team_section, save_team_profile
from console.teams.rules import MANAGERS, require
from credentials import services as sections
from credentials.models import ConfigSection, SectionKind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

__all__ = [
    "TeamError",
    "add_member",
    "change_role",
    "create_team",
    "delete_team",
    "delete_team_profile",
    "end_expired_grants",
    "grant",
    "import_team_section",
    "membership_of",
    "remove_member",
    "rename_team",
    "requires_second_factor",
    "revoke_grant",
    "save_team_profile",
    "set_team_policy",
    "teams_of",
    "usable_team_profiles",
]


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
            record(AuditAction.TEAM_CREATED, actor, team, name=name)
    except IntegrityError:
        raise TeamError(f"There is a team called {slug!r} already; choose another short name.") from None
    return team


def rename_team(actor: Any, team: Team, name: str) -> Team:
    require(actor, "teams.change_team", team)
    name = _checked_name(name)
    with transaction.atomic():
        old, team.name = team.name, name
        team.save(update_fields=["name"])
        record(AuditAction.TEAM_RENAMED, actor, team, old_name=old, name=name)
    return team


def delete_team(actor: Any, team: Team) -> None:
    """The team, its memberships, grants and profiles; every session built through them ends."""
    require(actor, "teams.delete_team", team)
    with transaction.atomic():
        sections.end_team_sessions(team.slug, team.pk, tokens=True)
        record(AuditAction.TEAM_DELETED, actor, team, name=team.name)
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
            record(
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
            elevations.end_unusable(actor, team.pk, [membership.user_id])
        record(
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
        record(
            AuditAction.MEMBER_REMOVED,
            actor,
            team,
            user=membership.user.get_username(),
            user_id=membership.user_id,
            role=membership.role,
        )
        membership.delete()
        elevations.end_unusable(actor, team.pk, [membership.user_id])


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
