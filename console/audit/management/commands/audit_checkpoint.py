"""`manage.py audit_checkpoint`: sign a checkpoint of the newest audit event now, without
waiting for the periodic one (before an export, or a maintenance window)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from console.audit.checkpoints import make_checkpoint
from console.runs.models import AuditEvent


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit chain's newest event now."

    def handle(self, *args: Any, **options: Any) -> None:
        if not AuditEvent.objects.exists():
            self.stdout.write("the audit log has no events yet: nothing to sign")
            return
        checkpoint = make_checkpoint(force=True)
        if checkpoint is None:
            raise CommandError(
                "the chain since the last checkpoint does not verify; run manage.py verify_audit"
            )
        self.stdout.write(
            f"checkpoint {checkpoint.sequence} signed with key {checkpoint.key_id!r}: "
            f"event {checkpoint.event_id} (seq {checkpoint.event_seq}), {checkpoint.event_count} events"
        )
