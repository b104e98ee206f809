"""`{% pending_approvals %}`: how many requests the signed-in user may decide, runs waiting
for approval and requests for elevation, for the header's badge (templates/base.html) —
two COUNT queries per page."""

from __future__ import annotations

from typing import Any

from django import template

from console.teams import elevations
from console.teams.approvals import pending_count

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_approvals(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return pending_count(user) + elevations.pending_count(user) if user is not None else 0
