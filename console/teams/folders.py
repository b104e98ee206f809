"""The workspace's answer to "what may this user do in team <slug>'s folder?" (the seam in
console/workspace/access.py), from the permissions in console/teams/rules.py.

The rules are asked directly (`rules.has_perm`), not through `user.has_perm`, so Django's
superuser shortcut does not open every team's files: like team profiles in the broker,
a team's folder is its members' alone."""

from __future__ import annotations

from typing import Any

import rules

from console.teams.models import Team
from console.teams.services import teams_of
from console.workspace.access import Access


class TeamFolders:
    def access(self, user: Any, slug: str) -> Access | None:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            return None
        if rules.has_perm("teams.write_team_files", user, team):
            return "write"
        if rules.has_perm("teams.read_team_files", user, team):
            return "read"
        return None

    def slugs(self, user: Any) -> list[str]:
        # Every role reads its team's folder (teams.read_team_files is is_team_member).
        return list(teams_of(user).values_list("slug", flat=True))
