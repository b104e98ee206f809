"""`manage.py export_audit > trail.jsonl`: the whole audit trail as JSON lines (events,
checkpoints, public keys, head), for `manage.py verify_audit --export` or a SIEM."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from console.audit.trail import export_trail


class Command(BaseCommand):
    help = "Write the audit trail as JSON lines to standard output."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in export_trail():
            self.stdout.write(line, ending="")
