"""Who may see a run: the one decision every page, frame and endpoint of the audit asks.

A run is seen by its own user, by staff (the console's operators, who can read the
database anyway), and, for a run made with a team's profile (`CommandRun.team`), by that
team's owners, admins and auditors (`teams.view_team_runs`, console/teams/rules.py). A
list is one query, so `visible_runs` asks the same question in SQL (RUN_VIEWERS is the
predicate's role set, and tests/audit/test_team_runs.py holds the two together). Seeing a
run is also what lets a person re-run it (always as themselves, console/audit/rerun.py),
watch it live and compare it.

Events other than a run's (the log page's Events tab) are staff's, except those that
concern a team, which its owners, admins and auditors read too: the team's own changes
(every `team:*` event names the team's id, console/teams/events.py) and the refusals
whose object is the team, one of its profiles or one of its runs. Each is matched on an
id the event itself stores, so the set is exact; a refusal whose object no longer exists
(a deleted profile) cannot be placed, and stays staff's."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import CharField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from console.runs.audit import AuditAction
from console.runs.models import AuditEvent, CommandRun
from console.teams.models import Membership
from console.teams.rules import RUN_VIEWERS
from credentials.models import ConfigSection


def visible_runs(user: Any) -> QuerySet[CommandRun]:
    """The runs `user` may see (none for an anonymous or inactive user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return CommandRun.objects.none()
    if user.is_staff:
        return CommandRun.objects.all()
    return CommandRun.objects.filter(Q(user=user) | Q(team_id__in=_viewed_teams(user)))


def _viewed_teams(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk, role__in=RUN_VIEWERS).values("team_id")


def sees_events(user: Any) -> bool:
    """Whether the log's Events tab is the user's: staff, and a team's run viewers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff) or _viewed_teams(user).exists()


def visible_events(user: Any) -> QuerySet[AuditEvent]:
    """The audit events other than runs' that `user` may read (module docstring)."""
    if not sees_events(user):
        return AuditEvent.objects.none()
    if user.is_staff:
        return AuditEvent.objects.all()
    teams = [row["team_id"] for row in _viewed_teams(user)]
    denied = AuditAction.ACCESS_DENIED.value
    # A refusal stores its object's id as text (console/teams/rules.py `deny`, and
    # console/runs/lifecycle.py `log_denied` for runs), so the ids are compared as text.
    profiles = _ids_as_text(ConfigSection.objects.filter(team_id__in=teams))
    runs = _ids_as_text(CommandRun.objects.filter(team_id__in=teams))
    return AuditEvent.objects.annotate(target=KT("data__id"), target_run=KT("data__run")).filter(
        Q(action__startswith="team:", data__team_id__in=teams)
        | Q(action=denied, data__object="Team", target__in=[str(team) for team in teams])
        | Q(action=denied, data__object="ConfigSection", target__in=profiles)
        | Q(action=denied, data__object__isnull=True, target_run__in=runs)
    )


def _ids_as_text(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.annotate(key=Cast("pk", CharField())).values("key")


def can_view_run(user: Any, run: CommandRun) -> bool:
    """The same decision as `visible_runs`, for a run already loaded."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or run.user_id == user.pk:
        return True
    return run.team_id is not None and bool(user.has_perm("teams.view_team_runs", run.team))


def visible_run(user: Any, run_id: Any) -> CommandRun | None:
    """The run with id `run_id` if `user` may see it; None for a malformed id too, so a
    caller answers "no such run" alike for a missing run and another person's."""
    try:
        key = uuid.UUID(str(run_id))
    except ValueError:
        return None
    return visible_runs(user).select_related("user", "rerun_of").filter(pk=key).first()


def runs_named(user: Any, ref: str) -> list[CommandRun]:
    """The runs `user` may see whose id is `ref` or starts with it (the short ids that
    `history` shows); at most two, newest first, so a caller can tell a unique match."""
    if len(ref) == 36:
        found = visible_run(user, ref)
        return [found] if found is not None else []
    prefix = uuid_prefix(ref.lower())
    return list(visible_runs(user).filter(id__startswith=prefix).order_by("-created_at")[:2])


def uuid_prefix(ref: str) -> str:
    """A prefix of the 32 hex digits as the start of the id's text form, with its hyphens
    (PostgreSQL compares the text form; Django drops the hyphens where ids are stored bare)."""
    digits = ref.replace("-", "")
    groups, start = [], 0
    for size in (8, 4, 4, 4, 12):
        if start >= len(digits):
            break
        groups.append(digits[start : start + size])
        start += size
    return "-".join(groups)


def still_visible(user_id: int, run_id: Any) -> bool:
    """Whether the user may still see the run, judged on their account as it is now (a
    long-lived connection holds the user as they were when it opened)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return user is not None and visible_run(user, run_id) is not None
