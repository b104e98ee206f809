"""`{% pending_approvals %}`: how many requests the signed-in user may decide, for the
header's badge (templates/base.html) — one COUNT query per page."""

from __future__ import annotations

from typing import Any

from django import template

from console.teams.approvals import pending_count

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_approvals(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return pending_count(user) if user is not None else 0
