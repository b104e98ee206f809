"""The seam through which the console tells the broker which team sections a user may use.

The broker never imports the console, yet it must know, on every command, which team
profiles the user may name now (roles, grants and their expiry live in console.teams).
A provider registered here at start-up (console/teams/apps.py) answers with a SQL
subquery rather than a list: the broker composes it into the one query that reads the
user's profiles (credentials/profiles.py), so a command still costs one round trip for
its configuration, and the answer is as fresh as that query. Without a provider no team
section is ever resolved.

The subquery selects three columns: `id`, the ids of the team-owned sections the user may
use, and `read_only`, 1 where that use is read-only (only read-only grants: the broker
then asks AWS for a read-only session, and the console's guardrail treats the profile
as the "read-only" preset; docs/guardrails.md), else 0; and `elevation`, the id of the
user's active just-in-time elevation of that profile or NULL (the console's guardrail
reads it; the broker only carries it, and lifts the read-only session policy when the
console's gate says the command uses it). It may use two named
parameters: `%(user)s` (the user's id) and `%(now)s` (the current time, adapted for the
database).

When a user names a team address the broker does not find (`<team>/<name>`), it tells
the provider (`refused`), which logs and audits the denial if such a profile exists: the
user sees only the CLI's "could not be found", the audit log sees the attempt."""

from __future__ import annotations

from typing import Any, Protocol


class TeamAccess(Protocol):
    def usable_sections_sql(self) -> str:
        """SQL selecting `id`, `read_only` and `elevation` of every team section user `%(user)s` may use
        at `%(now)s`."""

    def refused(self, user: Any, address: str) -> None:
        """The user named `<team>/<name>` and was told it does not exist."""


_provider: TeamAccess | None = None


def register(provider: TeamAccess) -> None:
    global _provider
    _provider = provider


def report_refused(user: Any, address: str) -> None:
    if _provider is not None and "/" in address:
        _provider.refused(user, address)


def usable_sections_sql() -> str | None:
    """The registered provider's subquery, or None when there is none (no teams)."""
    return _provider.usable_sections_sql() if _provider is not None else None
