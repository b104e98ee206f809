"""Re-sealing every stored secret with the active key, so an old key can be retired.

The sealed columns are the ones models declare (`crypto.sealed_columns()`), each row
giving its own context, so this module knows no app that stores secrets. A value that
does not open with any configured key is reported, not skipped silently, because it means
a key was removed before rotation finished (or the row was tampered with)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from credentials import crypto


@dataclass
class RotationReport:
    resealed: int = 0
    current: int = 0
    failed: list[str] = field(default_factory=list)


def rotate_all() -> RotationReport:
    report = RotationReport()
    for model, column in crypto.sealed_columns():
        for row in model.objects.exclude(**{column: ""}).iterator():
            _reseal_row(row, model, column, report)
    return report


def _reseal_row(row: crypto.SealedModel, model: Any, column: str, report: RotationReport) -> None:
    sealed = getattr(row, column)
    if not crypto.needs_reseal(sealed):
        report.current += 1
        return
    try:
        fresh = crypto.reseal(sealed, row.secret_context(column))
    except crypto.CryptoError as exc:
        report.failed.append(f"{model.__name__} {row.pk} {column}: {exc}")
        return
    with transaction.atomic():
        # Only if unchanged meanwhile: a concurrent writer's newer value wins.
        model.objects.filter(pk=row.pk, **{column: sealed}).update(**{column: fresh})
    report.resealed += 1
