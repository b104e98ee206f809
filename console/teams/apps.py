from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "console.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.runs import tasks
        from console.teams import access, rules, services  # noqa: F401 (rules registers the permissions)
        from credentials import access as broker_access

        # The broker asks through this seam which team sections a user may use now.
        broker_access.register(access.TeamAccess())
        # Every worker's reaper thread ends grants whose time is up.
        tasks.add_chore(services.end_expired_grants)
