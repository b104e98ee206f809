from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "console.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.teams import access, rules  # noqa: F401 (registers the permissions)
        from credentials import access as broker_access

        # The broker asks through this seam which team sections a user may use now.
        broker_access.register(access.TeamAccess())
