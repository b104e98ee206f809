"""`manage.py verify_audit`: verify the stored audit trail (checkpoint signatures, every
event's hash, its place and link, the head), or with `--export trail.jsonl` an exported
file alone. Exits 0 saying how many events and checkpoints were verified; otherwise exits
non-zero naming the first bad event and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.audit.trail import verify_export
from console.audit.verification import verify_trail
from credentials.crypto import CryptoError


class Command(BaseCommand):
    help = "Verify the audit trail (or an exported one) and name the first bad event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--export", type=Path, help="verify this exported trail (JSON lines) instead")
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="with --export: count only checkpoints signed by this key (base64 or id:base64); repeatable",
        )

    def handle(self, *args: Any, export: Path | None, public_key: list[str], **options: Any) -> None:
        if public_key and export is None:
            raise CommandError(
                "--public-key pins the keys of an --export; the stored trail uses the configured keys"
            )
        try:
            result = verify_export(export, public_key) if export else verify_trail()
        except OSError as exc:
            raise CommandError(f"cannot read {export}: {exc.strerror}") from None
        except CryptoError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
