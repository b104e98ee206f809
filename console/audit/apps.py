from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "console.audit"
    label = "audit"
    verbose_name = "Audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from console.audit import verification
        from console.runs import tasks

        # Every worker's reaper thread signs the due checkpoints and verifies the trail,
        # unless the deployment does it elsewhere (cron: audit_checkpoint, verify_audit).
        if settings.CONSOLE_AUDIT_TRAIL_ON_WORKERS:
            tasks.add_chore(verification.run_trail_chores)
