"""The broker's answer to "which team sections may this user use now?" (the seam in
credentials/access.py), as the SQL subquery the broker composes into its one profiles
query. It is `teams.use_profile` (console/teams/rules.py) for team sections, written
once more in SQL; tests/teams/test_access.py holds the two equal over every role and
grant. Table and column names come from the models' own metadata.

It also says, per section, whether the user's use is read-only: a member whose every live
grant to the profile (their own, their role's) is read-only. Owners and admins, and a
member with one full grant beside a read-only one, use it fully.

And, per section, the id of the user's active just-in-time elevation of it, if any
(console/teams/elevations.py): the worker's guardrail reads it from the profile."""

from __future__ import annotations

from functools import cache
from typing import Any

from console.teams.models import Elevation, ElevationStatus, Grant, Membership, Role
from console.teams.rules import MANAGERS, deny
from credentials.models import ConfigSection, SectionKind


class TeamAccess:
    def usable_sections_sql(self) -> str:
        return _usable_sql()

    def refused(self, user: Any, address: str) -> None:
        # Audited only when the profile exists: a typo is no denial.
        slug, _, name = address.partition("/")
        kind = SectionKind.PROFILE
        section = ConfigSection.objects.filter(team__slug=slug, kind=kind, name=name).first()
        if section is not None:
            deny(user, "teams.use_profile", section)


def _quoted(values: frozenset[str]) -> str:
    # Role names are this module's own constants (letters only), never user input.
    return ", ".join(f"'{value}'" for value in sorted(values))


@cache
def _usable_sql() -> str:
    sections = ConfigSection._meta.db_table
    memberships = Membership._meta.db_table
    return (
        f"SELECT s.id AS id, CASE WHEN m.role = '{Role.MEMBER}' "  # noqa: S608 - names from model metadata
        f"AND NOT EXISTS ({_live_grants('NOT g.read_only')}) THEN 1 ELSE 0 END AS read_only, "
        f"({_active_elevation()}) AS elevation "
        f"FROM {sections} s "
        f"JOIN {memberships} m ON m.team_id = s.team_id AND m.user_id = %(user)s "
        f"WHERE s.kind = '{SectionKind.PROFILE}' AND ("
        f"m.role IN ({_quoted(MANAGERS)}) "
        f"OR (m.role = '{Role.MEMBER}' AND EXISTS ({_live_grants('1 = 1')})))"
    )


def _active_elevation() -> str:
    """The id of the user's approved elevation of section `s` whose time is not up (the
    times decide, not only the status the reaper moves), or NULL; one index probe
    (`elevation_active`) per usable team profile."""
    return (
        f"SELECT MAX(e.id) FROM {Elevation._meta.db_table} e WHERE e.profile_id = s.id "  # noqa: S608
        f"AND e.requester_id = %(user)s AND e.status = '{ElevationStatus.APPROVED}' AND e.ends_at > %(now)s"
    )


def _live_grants(which: str) -> str:
    """The user's live grants (their own or their role's) to section `s`, among `which`."""
    return (
        f"SELECT 1 FROM {Grant._meta.db_table} g WHERE g.profile_id = s.id "  # noqa: S608
        "AND (g.expires_at IS NULL OR g.expires_at > %(now)s) "
        f"AND (g.user_id = %(user)s OR g.role = m.role) AND {which}"
    )
