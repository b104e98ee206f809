"""The audit event of a team change: `team:<subject>:<action>` with the actor, the team's
slug and id, and the names and ids involved, never a secret value."""

from __future__ import annotations

from typing import Any

from console.runs import audit
from console.runs.audit import AuditAction
from console.teams.models import Team


def record(action: AuditAction, actor: Any, team: Team, **data: Any) -> None:
    audit.record(action, actor=actor, data={"team": team.slug, "team_id": team.pk, **data})
