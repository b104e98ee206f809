"""`manage.py rotate_keys`: after prepending a new key to CONSOLE_ENCRYPTION_KEYS, re-seal
every stored secret with it; then the old key can be removed. The old keys also signed
audit checkpoints (credentials/crypto.py), so it prints what keeps those verifiable."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credentials import crypto
from credentials.rotation import rotate_all


class Command(BaseCommand):
    help = "Re-seal every stored secret with the first (active) key of CONSOLE_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_all()
        self.stdout.write(
            f"re-sealed {report.resealed} value(s); {report.current} already used the active key"
        )
        if report.failed:
            for line in report.failed:
                self.stderr.write(line)
            raise CommandError(f"{len(report.failed)} value(s) could not be opened with the configured keys")
        retired = crypto.retired_checkpoint_keys()
        if retired:
            pins = ",".join(f"{key_id}:{public}" for key_id, public in retired.items())
            self.stdout.write(
                "audit checkpoints signed by the older keys stay verifiable after you remove them "
                f"with CONSOLE_AUDIT_PUBLIC_KEYS={pins}"
            )
