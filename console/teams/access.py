"""The broker's answer to "which team sections may this user use now?" (the seam in
credentials/access.py), as the SQL subquery the broker composes into its one profiles
query. It is `teams.use_profile` (console/teams/rules.py) for team sections, written
once more in SQL; tests/teams/test_access.py holds the two equal over every role and
grant. Table and column names come from the models' own metadata."""

from __future__ import annotations

from functools import cache
from typing import Any

from console.teams.models import Grant, Membership, Role
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
    grants = Grant._meta.db_table
    return (
        f"SELECT s.id AS id FROM {sections} s "  # noqa: S608 - names from model metadata
        f"JOIN {memberships} m ON m.team_id = s.team_id AND m.user_id = %(user)s "
        f"WHERE s.kind = '{SectionKind.PROFILE}' AND ("
        f"m.role IN ({_quoted(MANAGERS)}) "
        f"OR (m.role = '{Role.MEMBER}' AND EXISTS ("
        f"SELECT 1 FROM {grants} g WHERE g.profile_id = s.id "
        "AND (g.expires_at IS NULL OR g.expires_at > %(now)s) "
        "AND (g.user_id = %(user)s OR g.role = m.role))))"
    )
