"""Who may reach a team's folder: the workspace asks only these two questions, in this one
module. Membership and roles live in console.teams, which sits above the workspace on the
command path (pyproject.toml's layers), so the workspace never imports it: a provider
registered at start-up (console/teams/apps.py, console/teams/folders.py) answers, as the
broker learns team rights through credentials/access.py.

Owners, admins and members write (`teams.write_team_files`), auditors read
(`teams.read_team_files`), everyone else reaches nothing: `team/<slug>/...` is then "No
such file or directory", so team names do not leak. Without a provider (no teams app) no
team folder is reachable."""

from __future__ import annotations

from typing import Any, Literal, Protocol

Access = Literal["write", "read"]


class TeamFolders(Protocol):
    def access(self, user: Any, slug: str) -> Access | None:
        """What `user` may do in team `slug`'s folder, or None (not reachable)."""

    def slugs(self, user: Any) -> list[str]:
        """The teams whose folders `user` reaches."""


_provider: TeamFolders | None = None


def register(provider: TeamFolders | None) -> None:
    global _provider
    _provider = provider


def team_access(user: Any, slug: str) -> Access | None:
    """What `user` may do in team `slug`'s folder: "write", "read", or None (not reachable)."""
    return _provider.access(user, slug) if _provider is not None else None


def team_slugs(user: Any) -> list[str]:
    """The teams whose folders `user` reaches (listed by `ls ~/team`)."""
    return _provider.slugs(user) if _provider is not None else []
