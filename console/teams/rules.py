"""Every authorization decision about teams, in one module of predicates (the `rules`
package): views, the API, the websocket consumer and the services ask
`user.has_perm(name, obj)` (rules' ObjectPermissionBackend is in AUTHENTICATION_BACKENDS)
or `require`, never a role by hand. The broker asks the same question through SQL
(console/teams/access.py, which tests/teams hold to these predicates), because it reads
profiles on every command and must stay one query.

A refusal is logged and audited (`console:access:denied`) with the permission and the
object's id, never a secret."""

from __future__ import annotations

import logging
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from console.runs import audit
from console.teams.models import Grant, Membership, Role, Team

log = logging.getLogger(__name__)

MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
RUNNERS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
# Who reads the runs made with a team's profiles (console/audit/access.py asks the same in SQL).
RUN_VIEWERS = frozenset({Role.OWNER, Role.ADMIN, Role.AUDITOR})


def role_of(user: Any, team: Team | int | None) -> str | None:
    """The user's role in the team, or None for an outsider or an anonymous user."""
    if team is None or user is None or not user.is_authenticated:
        return None
    team_id = team.pk if isinstance(team, Team) else team
    return Membership.objects.filter(team_id=team_id, user_id=user.pk).values_list("role", flat=True).first()


def _has_role(*roles: str) -> Any:
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def check(user: Any, team: Team | None) -> bool:
        return role_of(user, team) in wanted

    return check


is_team_member = _has_role(*Role.values)
is_owner = _has_role(Role.OWNER)
is_manager = _has_role(*MANAGERS)
is_runner = _has_role(*RUNNERS)
sees_team_runs = _has_role(*RUN_VIEWERS)


@rules.predicate
def may_use_section(user: Any, section: Any) -> bool:
    """Personal sections: their owner. Team profiles: owners and admins always; members
    with a live grant to them or to their role; auditors and outsiders never."""
    if section is None or user is None or not user.is_authenticated:
        return False
    if section.team_id is None:
        return bool(section.owner_id == user.pk)
    if section.kind != "profile":
        return False  # sso-session and services sections are reached through a profile
    role = role_of(user, section.team_id)
    if role in MANAGERS:
        return True
    if role != Role.MEMBER:
        return False
    return Grant.objects.live().filter(Q(user_id=user.pk) | Q(role=role), profile_id=section.pk).exists()


def uses_read_only(user: Any, section: Any) -> bool:
    """Whether the user, who may use `section`, uses it only read-only: a member whose
    every live grant to it (their own, their role's) is read-only. Managers never are.
    The broker asks the same in SQL (console/teams/access.py)."""
    if section is None or section.team_id is None or role_of(user, section.team_id) != Role.MEMBER:
        return False
    live = Grant.objects.live().filter(Q(user_id=user.pk) | Q(role=Role.MEMBER), profile_id=section.pk)
    return live.exists() and not live.filter(read_only=False).exists()


@rules.predicate
def may_see_section(user: Any, section: Any) -> bool:
    """Who sees a profile at all (the portal's and the API's pages of it): its team's owners
    and admins see every section; anyone else only what they may use. To everyone else it
    does not exist."""
    if section is not None and section.team_id is not None and role_of(user, section.team_id) in MANAGERS:
        return True
    return bool(may_use_section(user, section))


# Anyone signed in may start a team (and becomes its owner).
rules.add_perm("teams.add_team", rules.is_authenticated & rules.is_active)
rules.add_perm("teams.view_team", is_team_member)
rules.add_perm("teams.change_team", is_manager)
rules.add_perm("teams.delete_team", is_owner)
rules.add_perm("teams.manage_members", is_manager)
# Making, unmaking or removing an owner: admins manage members, but only owners hand
# ownership on (services keep at least one owner).
rules.add_perm("teams.manage_owners", is_owner)
rules.add_perm("teams.manage_profiles", is_manager)
rules.add_perm("teams.manage_grants", is_manager)
rules.add_perm("teams.use_profile", may_use_section)
rules.add_perm("teams.view_profile", may_see_section)
rules.add_perm("teams.view_team_runs", sees_team_runs)
rules.add_perm("teams.run_commands", is_runner)
# Deciding another person's request to run a command the profile's guardrail sends for
# approval (console/teams/approvals.py): owners and admins; there is no separate role.
rules.add_perm("teams.approve_runs", is_manager)
# Deciding another member's request for just-in-time Write on a profile, and ending one
# early (console/teams/elevations.py): the same people.
rules.add_perm("teams.approve_elevations", is_manager)
# The team's shared folder (~/team/<slug>/, console/teams/folders.py): those who run
# commands write there, auditors only read.
rules.add_perm("teams.write_team_files", is_runner)
rules.add_perm("teams.read_team_files", is_team_member)


def deny(actor: Any, permission: str, obj: Any, request: Any = None) -> None:
    """Log and audit a refusal: who, which permission, which object (its id only)."""
    who = getattr(actor, "pk", None)
    kind = type(obj).__name__ if obj is not None else None
    object_id = str(getattr(obj, "pk", "")) if obj is not None else ""
    path = getattr(request, "path", "") if request is not None else ""
    log.warning("user %s was refused %s on %s %s %s", who, permission, kind, object_id, path)
    data = {"permission": permission, "object": kind, "id": object_id}
    if path:
        data["path"] = path[:200]
    audit.record(audit.AuditAction.ACCESS_DENIED, actor=actor if who is not None else None, data=data)


def require(actor: Any, permission: str, obj: Any, request: Any = None) -> None:
    """Raise PermissionDenied (after `deny`) unless the actor has the permission on obj."""
    if actor is None or not actor.has_perm(permission, obj):
        deny(actor, permission, obj, request)
        raise PermissionDenied(permission)
