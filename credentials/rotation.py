"""Re-sealing every stored secret with the active key, so an old key can be retired.

Each kind of sealed value is listed with how to compute its context; a value that does
not open with any configured key is reported, not skipped silently, because it means a
key was removed before rotation finished (or the row was tampered with)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from credentials import crypto


@dataclass
class RotationReport:
    resealed: int = 0
    current: int = 0
    failed: list[str] = field(default_factory=list)


def _sealed_fields() -> Iterator[tuple[Any, str, Callable[[Any], str]]]:
    from console.runs import lifecycle
    from console.runs.models import CommandRun, TerminalEnvironment
    from credentials.models import CachedSession, ConfigSection, SsoSecret

    yield ConfigSection, "sealed_secrets", lambda row: row.secret_context()
    yield CachedSession, "sealed_credentials", lambda row: row.secret_context()
    yield SsoSecret, "sealed", lambda row: row.secret_context()
    yield TerminalEnvironment, "sealed_values", lambda row: row.secret_context()
    yield CommandRun, "sealed_command", lambda row: lifecycle.sealing_context(row, "command")
    yield CommandRun, "sealed_stdin", lambda row: lifecycle.sealing_context(row, "stdin")


def rotate_all() -> RotationReport:
    report = RotationReport()
    for model, attr, context in _sealed_fields():
        rows = model.objects.exclude(**{attr: ""}).only("pk", attr, *_context_fields(model))
        for row in rows.iterator():
            _reseal_row(row, model, attr, context(row), report)
    return report


def _context_fields(model: Any) -> list[str]:
    names = {f.attname for f in model._meta.concrete_fields}
    return [n for n in ("owner_id", "team", "user_id", "terminal_id", "key", "kind") if n in names]


def _reseal_row(row: Any, model: Any, attr: str, context: str, report: RotationReport) -> None:
    sealed = getattr(row, attr)
    if not crypto.needs_reseal(sealed):
        report.current += 1
        return
    try:
        fresh = crypto.reseal(sealed, context)
    except crypto.CryptoError as exc:
        report.failed.append(f"{model.__name__} {row.pk} {attr}: {exc}")
        return
    with transaction.atomic():
        # Only if unchanged meanwhile: a concurrent writer's newer value wins.
        model.objects.filter(pk=row.pk, **{attr: sealed}).update(**{attr: fresh})
    report.resealed += 1
