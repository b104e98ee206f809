"""`{% trail_status %}`: the audit trail's last verification, for the audit pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from console.audit.verification import latest_check

register = template.Library()


@register.inclusion_tag("audit/_trail_status.html")
def trail_status() -> dict[str, Any]:
    return {"trail_check": latest_check(), "verify_minutes": settings.CONSOLE_AUDIT_VERIFY_MINUTES}
