"""Just-in-time elevation: a member asks for Write on one team profile for a stated time
(at most CONSOLE_ELEVATION_MAX_HOURS) with a reason; one of the team's owners or admins
(`teams.approve_elevations`, never the requester, checked when they decide) approves or
denies it; approved, it is active from that moment for the stated time and then expires by
itself.

The model lives here, beside grants, not in console/runs beside the approvals of runs: an
elevation belongs to no run. It changes what a member may do with a profile, as a grant
does, and the broker learns of it in the same subquery that reads grants
(console/teams/access.py), so the worker's guardrail knows of it without a query per
command. What it allows is the guardrail's (console/commands/guardrail.py): Write and
Tagging commands whose decision is `approve` run without a per-command approval, and a
read-only grant is lifted for them (no ReadOnlyAccess session policy); `confirm` still
asks, `deny` still refuses, Permissions management keeps its policy's decision.

Ending one (early, or by its time through the reaper's chore) deletes the requester's
cached sessions for the profile, as revoking a grant does; the cache key already keeps an
elevated session apart from a read-only one (credentials/broker.py). Every step is an
audit event `console:elevation:<step>`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from console.runs import audit, notify
from console.runs.audit import AuditAction
from console.teams.approvals import (
    DECISIONS,
    DENIAL_NEEDS_A_REASON,
    NotVisible,
    TeamApprovers,
    checked_reason,
    deciding_teams,
)
from console.teams.errors import TeamError
from console.teams.models import Elevation, ElevationStatus, Team
from console.teams.rules import deny, require
from credentials import services as sections
from credentials.models import ConfigSection, SectionKind

_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")


def max_minutes() -> int:
    return int(settings.CONSOLE_ELEVATION_MAX_HOURS) * 60


def parse_duration(value: Any) -> int:
    """Minutes from `90` (minutes), `"90m"`, `"2h"` or `"1h30m"`; at least one minute and
    at most CONSOLE_ELEVATION_MAX_HOURS."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TeamError('duration is minutes (a number) or text such as "45m", "2h", "1h30m".')
    minutes = value if isinstance(value, int) else _minutes_of(value.strip().lower())
    limit = max_minutes()
    if minutes < 1:
        raise TeamError("an elevation lasts at least one minute.")
    if minutes > limit:
        raise TeamError(f"an elevation lasts at most {limit // 60} h ({limit} minutes); ask for less.")
    return minutes


def _minutes_of(text: str) -> int:
    if text.isdigit():
        return int(text)
    found = _DURATION.match(text)
    if not text or found is None or not any(found.groups()):
        raise TeamError(f'{text!r} is not a duration; say e.g. "45m", "2h" or "1h30m".')
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


def address(elevation: Elevation) -> str:
    return f"{elevation.team.slug}/{elevation.profile.name}"


def _data(elevation: Elevation, **more: Any) -> dict[str, Any]:
    return {
        "elevation": elevation.pk,
        "team": elevation.team.slug,
        "team_id": elevation.team_id,
        "profile": address(elevation),
        "requester": elevation.requester.get_username(),
        "minutes": elevation.minutes,
        "reason": elevation.reason,
        **more,
    }


def link(elevation: Elevation) -> str:
    return f"/elevations/{elevation.pk}"


# --- asking -------------------------------------------------------------------------------


def request_elevation(actor: Any, section: Any, duration: Any, reason: Any, http: Any = None) -> Elevation:
    """Ask for Write on team profile `section` for `duration`; the team's owners and admins
    hear of it in their open terminals. Raises NotVisible for a profile the actor may not
    use (it does not exist for them) and TeamError for a bad duration or reason."""
    if (
        not isinstance(section, ConfigSection)
        or section.team_id is None
        or section.kind != SectionKind.PROFILE
    ):
        raise TeamError("elevation is for a team profile.")
    if not actor.has_perm("teams.use_profile", section):
        deny(actor, "teams.use_profile", section, http)
        raise NotVisible("teams.use_profile")
    minutes = parse_duration(duration)
    text = checked_reason(reason, required="say why you need Write: the approver reads the reason.")
    with transaction.atomic():
        ConfigSection.objects.select_for_update().filter(pk=section.pk).first()  # one request at a time
        if _open_for(actor.pk, section.pk).exists():
            raise TeamError(
                f"you have a pending or active elevation on {section.team}/{section.name} already."
            )
        made = Elevation.objects.create(
            team_id=section.team_id,
            profile=section,
            requester=actor,
            minutes=minutes,
            reason=text,
            expires_at=timezone.now() + timedelta(minutes=settings.CONSOLE_APPROVAL_MINUTES),
        )
        made = Elevation.objects.select_related("team", "profile", "requester").get(pk=made.pk)
        audit.record(
            AuditAction.ELEVATION_REQUESTED,
            actor=actor,
            data=_data(made, expires_at=made.expires_at.isoformat()),
        )
    asked = f"{actor.get_username()} asks for Write on {address(made)} for {spoken(minutes)}"
    notice = f"elevation: {asked}: {link(made)}"
    for user_id in approvers(made.team_id, besides=actor.pk):
        notify.notify_user(user_id, notice)
    return made


def _open_for(user_id: int, section_id: Any) -> QuerySet[Elevation]:
    return Elevation.objects.filter(still_open(), requester_id=user_id, profile_id=section_id)


def still_open() -> Q:
    """Pending and unexpired, or approved and not over."""
    now = timezone.now()
    pending = Q(status=ElevationStatus.PENDING, expires_at__gt=now)
    return pending | Q(status=ElevationStatus.APPROVED, ends_at__gt=now)


def spoken(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def approvers(team_id: int, *, besides: int | None = None) -> list[int]:
    return [user_id for user_id, _ in TeamApprovers().approvers(team_id) if user_id != besides]


# --- seeing -------------------------------------------------------------------------------


def _rows() -> QuerySet[Elevation]:
    return Elevation.objects.select_related("team", "profile", "requester", "decided_by", "ended_by")


def decidable_by(user: Any) -> QuerySet[Elevation]:
    """The pending, unexpired requests `user` may decide: their teams' where they approve,
    never their own."""
    teams = deciding_teams(user)
    pending = _rows().filter(status=ElevationStatus.PENDING, expires_at__gt=timezone.now())
    return pending.filter(team_id__in=teams).exclude(requester_id=user.pk)


def pending_count(user: Any) -> int:
    return decidable_by(user).count() if user.is_authenticated else 0


def active() -> QuerySet[Elevation]:
    """Elevations in force now (approved, their time not up)."""
    return _rows().filter(status=ElevationStatus.APPROVED, ends_at__gt=timezone.now())


def active_in(team: Team) -> QuerySet[Elevation]:
    return active().filter(team=team).order_by("ends_at")


def of_user(user: Any) -> QuerySet[Elevation]:
    return _rows().filter(requester_id=user.pk)


def visible_to(user: Any) -> QuerySet[Elevation]:
    """The user's own elevations and every one of the teams where they decide them."""
    return _rows().filter(Q(requester_id=user.pk) | Q(team_id__in=deciding_teams(user)))


def visible(actor: Any, elevation_id: Any, http: Any = None) -> Elevation:
    """The elevation, if the actor is its requester or may approve elevations in its team;
    otherwise NotVisible (after the audited denial)."""
    try:
        key = int(elevation_id)
    except (TypeError, ValueError):
        raise NotVisible("teams.approve_elevations") from None
    found = _rows().filter(pk=key).first()
    if found is None or not (
        found.requester_id == actor.pk or actor.has_perm("teams.approve_elevations", found.team)
    ):
        deny(actor, "teams.approve_elevations", found, http)
        raise NotVisible("teams.approve_elevations")
    return found


# --- deciding and ending ------------------------------------------------------------------


def decide(actor: Any, elevation_id: Any, decision: Any, reason: Any, http: Any = None) -> Elevation:
    """Approve or deny a pending request: the right is checked now, not when it was asked,
    and nobody decides their own."""
    if decision not in DECISIONS:
        raise TeamError("decision is approve or deny.")
    text = checked_reason(reason, required=DENIAL_NEEDS_A_REASON if decision == "deny" else None)
    found = visible(actor, elevation_id, http)
    if found.requester_id == actor.pk:
        deny(actor, "teams.approve_elevations", found, http)
        raise TeamError("nobody approves their own elevation; another owner or admin of the team must.")
    require(actor, "teams.approve_elevations", found.team, http)
    with transaction.atomic():
        locked = _locked(found.pk)
        if locked.status != ElevationStatus.PENDING:
            raise TeamError("this request was decided already, ended or expired.")
        now = timezone.now()
        if locked.expires_at <= now:
            raise TeamError("this request has expired.")
        if decision == "approve":
            ends = now + timedelta(minutes=locked.minutes)
            changes = {"status": ElevationStatus.APPROVED, "starts_at": now, "ends_at": ends}
            action, extra = AuditAction.ELEVATION_APPROVED, {"ends_at": ends.isoformat()}
        else:
            changes, action, extra = {"status": ElevationStatus.DENIED}, AuditAction.ELEVATION_DENIED, {}
        Elevation.objects.filter(pk=locked.pk).update(
            decided_by=actor, decided_at=now, decision_reason=text, **changes
        )
        audit.record(action, actor=actor, data=_data(locked, decision_reason=text, **extra))
    verb = "approved" if decision == "approve" else "denied"
    notify.notify_user(
        found.requester_id,
        f"elevation: {actor.get_username()} {verb} Write on {address(found)}: {link(found)}",
    )
    return _rows().get(pk=found.pk)


def end_elevation(actor: Any, elevation_id: Any, http: Any = None) -> Elevation:
    """End a pending or active elevation early: its requester, or an owner or admin of the
    team (checked now). The requester's cached sessions for the profile end with it."""
    found = visible(actor, elevation_id, http)
    if found.requester_id != actor.pk:
        require(actor, "teams.approve_elevations", found.team, http)
    with transaction.atomic():
        locked = _locked(found.pk)
        now = timezone.now()
        live = (locked.status == ElevationStatus.PENDING and locked.expires_at > now) or locked.is_active
        if not live:
            raise TeamError("this elevation is not pending or active any more.")
        ends = now if locked.status == ElevationStatus.APPROVED else locked.ends_at
        Elevation.objects.filter(pk=locked.pk).update(
            status=ElevationStatus.ENDED, ended_by=actor, ended_at=now, ends_at=ends
        )
        _end_sessions(locked)
        audit.record(AuditAction.ELEVATION_ENDED, actor=actor, data=_data(locked, was=locked.status))
    return _rows().get(pk=found.pk)


def end_unusable(actor: Any, team_id: int, user_ids: Any) -> int:
    """After a change that may take profiles away (a revoked or expired grant, a demotion, a
    removal): end the open elevations of `user_ids` in the team whose profile they may no
    longer use. They gave nothing already (the broker's subquery only reads usable
    profiles); ending them keeps the pages and the audit log true. Call it inside the
    change's transaction, after the change."""
    ended = 0
    rows = _rows().filter(still_open(), team_id=team_id, requester_id__in=list(user_ids))
    for row in rows:
        if not row.requester.has_perm("teams.use_profile", row.profile):
            Elevation.objects.filter(pk=row.pk).update(
                status=ElevationStatus.ENDED, ended_by=actor, ended_at=timezone.now(), ends_at=timezone.now()
            )
            why = "the requester may no longer use the profile"
            audit.record(AuditAction.ELEVATION_ENDED, actor=actor, data=_data(row, was=row.status, why=why))
            ended += 1
    return ended


def expire_due() -> int:
    """The reaper's chore (console/runs/tasks.py add_chore): pending requests nobody
    decided in time and approved elevations whose time is up become `expired`, with the
    requester's cached sessions for the profile and an audit event by the system. An
    elevation gave nothing after `ends_at` already: the broker's subquery compares times."""
    now = timezone.now()
    due = Elevation.objects.filter(
        Q(status=ElevationStatus.PENDING, expires_at__lte=now)
        | Q(status=ElevationStatus.APPROVED, ends_at__lte=now)
    )
    return sum(_expire(pk) for pk in list(due.values_list("pk", flat=True)))


def _expire(elevation_id: int) -> int:
    with transaction.atomic():
        locked = (
            Elevation.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("team", "profile", "requester")
            .filter(pk=elevation_id, status__in=[ElevationStatus.PENDING, ElevationStatus.APPROVED])
            .first()
        )
        if locked is None:
            return 0  # decided, ended, or another worker is expiring it
        Elevation.objects.filter(pk=locked.pk).update(status=ElevationStatus.EXPIRED)
        if locked.status == ElevationStatus.APPROVED:
            _end_sessions(locked)
            why = "its time is up"
        else:
            why = f"nobody decided it within {settings.CONSOLE_APPROVAL_MINUTES} minutes"
        audit.record(AuditAction.ELEVATION_EXPIRED, data=_data(locked, was=locked.status, why=why))
    return 1


def _locked(elevation_id: int) -> Elevation:
    return (
        Elevation.objects.select_for_update(of=("self",))
        .select_related("team", "profile", "requester")
        .get(pk=elevation_id)
    )


def _end_sessions(elevation: Elevation) -> None:
    sections.end_team_sessions(
        elevation.team.slug, elevation.team_id, user_ids=[elevation.requester_id], profile=elevation.profile
    )
