from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "console.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.commands import elevation as command_elevations
        from console.runs import approvals as run_approvals
        from console.runs import tasks
        from console.teams import access, approvals, elevation_builtins, elevations, folders, rules, services  # noqa: F401 (rules registers the permissions)
        from console.workspace import access as workspace_access
        from credentials import access as broker_access

        # The broker asks through this seam which team sections a user may use now.
        broker_access.register(access.TeamAccess())
        # The workspace asks through this seam who may reach a team's folder.
        workspace_access.register(folders.TeamFolders())
        # The runs waiting for approval ask through this seam who may approve them.
        run_approvals.register(approvals.TeamApprovers())
        # The terminal's `guard elevate` and `guard elevations` ask through this seam.
        command_elevations.register(elevation_builtins.TerminalElevations())
        # Every worker's reaper thread ends grants whose time is up.
        tasks.add_chore(services.end_expired_grants)
        # ... and elevations whose time is up, or that nobody decided in time.
        tasks.add_chore(elevations.expire_due)
