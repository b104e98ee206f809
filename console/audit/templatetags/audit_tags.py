"""How the audit pages write durations and sizes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

register = template.Library()


@register.filter
def seconds(value: timedelta | None) -> str:
    """`0.042 s`, `12.3 s`, `4 min 5 s`; empty when unknown."""
    if value is None:
        return ""
    total = value.total_seconds()
    if total < 10:
        return f"{total:.3f} s"
    if total < 60:
        return f"{total:.1f} s"
    minutes, rest = divmod(int(total), 60)
    return f"{minutes} min {rest} s"


@register.filter
def chain(links: list[str] | None) -> str:
    """A profile chain as `admin ← default`: each profile's credentials come from the next."""
    return " ← ".join(links or [])


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    """`mapping|get:key`: a dict's value by a key held in a variable (the log's suggestions)."""
    return (mapping or {}).get(key)
