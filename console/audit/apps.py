from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "console.audit"
    label = "audit"
    verbose_name = "Audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.audit import verification
        from console.runs import tasks

        # Every worker's reaper thread signs the due checkpoints and verifies the trail.
        tasks.add_chore(verification.run_trail_chores)
