"""Setting a team profile's guardrail policy (what each access level may do on it) and its
production tag: owners and admins only (`teams.manage_profiles`), each change one audit
event `team:policy:changed` with the policy before and after. The policy is stored on the
profile's own row (credentials.ConfigSection.policy), where the broker's one query reads
it for the worker; its meaning is console/engine/policies.py's.

The row is updated in place, not saved: `updated_at` is the version the broker keys its
cached sessions by, and a policy change leaves the credentials as they were."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from console.engine.policies import PolicyError, checked, preset_of
from console.runs.audit import AuditAction
from console.teams.errors import TeamError
from console.teams.events import record
from console.teams.rules import require
from credentials.models import ConfigSection, SectionKind


def set_team_policy(actor: Any, section: ConfigSection, policy: Any, *, production: bool) -> ConfigSection:
    """Store `policy` (a preset's name, or level -> decision; `{}` clears it) on a team profile."""
    require(actor, "teams.manage_profiles", section.team)
    if section.kind != SectionKind.PROFILE:
        raise TeamError("Only a profile has a guardrail policy; commands run through profiles.")
    if not isinstance(production, bool):
        raise TeamError("production is true or false.")
    try:
        new = checked(policy)
    except PolicyError as exc:
        raise TeamError(exc.message) from None
    with transaction.atomic():
        current = ConfigSection.objects.select_for_update().get(pk=section.pk)
        ConfigSection.objects.filter(pk=section.pk).update(policy=new, production=production)
        record(
            AuditAction.POLICY_CHANGED,
            actor,
            section.team,
            profile=section.name,
            profile_id=str(section.pk),
            before={"policy": current.policy, "production": current.production},
            policy=new,
            preset=preset_of(new) if new else None,
            production=production,
        )
    section.policy, section.production = new, production
    return section
