"""Who may reach a team's folder. Membership and roles belong to the teams work (issue 9,
console/teams/); the workspace asks only these two questions, in this one module.

Until console.teams lands, nobody reaches any team folder: `team_access` answers None
for every user and slug and `team_slugs` lists none, so `team/<slug>/...` paths are "No
such file or directory" and nothing can be read or written there. Issue 9 fills both in
(members "write", auditors "read", everyone else None); no caller changes."""

from __future__ import annotations

from typing import Any, Literal

Access = Literal["write", "read"]


def team_access(user: Any, slug: str) -> Access | None:
    """What `user` may do in team `slug`'s folder: "write", "read", or None (not reachable).
    Issue 9 wires this to console.teams' predicates; until then no team is reachable."""
    return None


def team_slugs(user: Any) -> list[str]:
    """The teams whose folders `user` reaches (listed by `ls team/`). Issue 9 fills it in."""
    return []
