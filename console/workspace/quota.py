"""Quotas: how much an area holds, and reservations for writes in progress.

A write reserves before it stores: `reserving(area, ...)` opens a reservation, the write
calls `need(total)` as its bytes arrive (the reservation grows in steps of `STEP`, or
exactly to what is left when less is), and the reservation is settled into the area's
counter when the file is in place, or released when it is not. Each step locks the area's
usage row, so concurrent writes of one area are counted one after the other. A file that
replaces another is charged only the difference: a write fails when the area would be
over quota once it is done. See models.py for why this is a counter and how it is repaired.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .errors import QuotaExceeded
from .files import Files
from .models import WorkspaceReservation, WorkspaceUsage

STEP = 8 * 1024 * 1024


@dataclass(frozen=True)
class Area:
    """One quota'd tree in storage: a user's workspace or a team's folder."""

    kind: str  # "user" or "team"
    key: str  # the user's id, or the team's slug

    @property
    def prefix(self) -> str:
        return f"users/{self.key}" if self.kind == "user" else f"teams/{self.key}"

    @property
    def quota(self) -> int:
        if self.kind == "user":
            return int(settings.CONSOLE_WORKSPACE_QUOTA)
        return int(settings.CONSOLE_TEAM_WORKSPACE_QUOTA)

    @property
    def label(self) -> str:
        return "your workspace" if self.kind == "user" else f"team {self.key}'s folder"


@dataclass(frozen=True)
class Usage:
    used: int
    reserved: int
    quota: int

    @property
    def free(self) -> int:
        return max(0, self.quota - self.used - self.reserved)


def usage(area: Area, files: Files) -> Usage:
    row = _row(area, files)
    return Usage(row.bytes_used, _reserved(area), area.quota)


def recount(area: Area, files: Files) -> int:
    """Count the area from storage and store that count; returns it."""
    counted = files.tree_size(area.prefix, area.prefix) if files.stat(area.prefix, area.prefix) else 0
    WorkspaceUsage.objects.update_or_create(area=area.prefix, defaults={"bytes_used": counted})
    return counted


def charge(area: Area, delta: int) -> None:
    """Add `delta` bytes (negative when files were removed) to the area's counter."""
    with transaction.atomic():
        row = WorkspaceUsage.objects.select_for_update().filter(area=area.prefix).first()
        if row is not None:
            row.bytes_used = max(0, row.bytes_used + delta)
            row.save(update_fields=["bytes_used", "updated_at"])


class Reservation:
    """The bytes one write may add; `need` grows it, `settle` or `release` ends it."""

    def __init__(self, area: Area, files: Files, shown: str, replaced: int) -> None:
        self.area = area
        self.files = files
        self.shown = shown
        self.replaced = replaced
        self.held = 0
        self._row = WorkspaceReservation.objects.create(area=area.prefix, nbytes=0)

    def need(self, total: int) -> None:
        """Make room for a file of `total` bytes; raises QuotaExceeded when there is none."""
        wanted = total - self.replaced
        if wanted <= self.held:
            return
        _row(self.area, self.files)  # counted outside the lock the first time
        with transaction.atomic():
            row = WorkspaceUsage.objects.select_for_update().get(area=self.area.prefix)
            others = _reserved(self.area, excluding=self._row.pk)
            room = self.area.quota - row.bytes_used - others
            if wanted > room:
                raise QuotaExceeded(self.shown, _over(self.area, row.bytes_used + others))
            self.held = min(room, max(wanted, self.held + STEP))
            WorkspaceReservation.objects.filter(pk=self._row.pk).update(nbytes=self.held)

    def settle(self, written: int) -> None:
        """The file of `written` bytes is in place (replacing `replaced` bytes)."""
        _row(self.area, self.files)
        with transaction.atomic():
            row = WorkspaceUsage.objects.select_for_update().get(area=self.area.prefix)
            row.bytes_used = max(0, row.bytes_used + written - self.replaced)
            row.save(update_fields=["bytes_used", "updated_at"])
            WorkspaceReservation.objects.filter(pk=self._row.pk).delete()

    def release(self) -> None:
        WorkspaceReservation.objects.filter(pk=self._row.pk).delete()


def hold(area: Area, files: Files, shown: str, size: int, replaced: int = 0) -> int:
    """Reserve room for a file of `size` bytes that will arrive later (a browser upload, in
    chunks over many requests); returns the reservation's id. Raises QuotaExceeded now,
    before a byte is sent, when the area has no room for it."""
    wanted = max(0, size - replaced)
    _row(area, files)
    with transaction.atomic():
        row = WorkspaceUsage.objects.select_for_update().get(area=area.prefix)
        others = _reserved(area)
        if wanted > area.quota - row.bytes_used - others:
            raise QuotaExceeded(shown, _over(area, row.bytes_used + others))
        return int(WorkspaceReservation.objects.create(area=area.prefix, nbytes=wanted).pk)


def keep_alive(reservation_id: int) -> None:
    """A held reservation stops counting once it looks stale (see `_reserved`): an upload
    that is still sending chunks renews it with each one."""
    WorkspaceReservation.objects.filter(pk=reservation_id).update(created_at=timezone.now())


def drop(reservation_id: int | None) -> None:
    if reservation_id is not None:
        WorkspaceReservation.objects.filter(pk=reservation_id).delete()


@contextmanager
def reserving(area: Area, files: Files, shown: str, replaced: int = 0) -> Iterator[Reservation]:
    """A reservation released if the block raises; the block settles it on success."""
    reservation = Reservation(area, files, shown, replaced)
    try:
        yield reservation
    except BaseException:
        reservation.release()
        raise


def _row(area: Area, files: Files) -> WorkspaceUsage:
    row = WorkspaceUsage.objects.filter(area=area.prefix).first()
    if row is not None:
        return row
    counted = files.tree_size(area.prefix, area.prefix) if files.stat(area.prefix, area.prefix) else 0
    row, _ = WorkspaceUsage.objects.get_or_create(area=area.prefix, defaults={"bytes_used": counted})
    return row


def _reserved(area: Area, excluding: int | None = None) -> int:
    """Bytes held by writes in progress; a reservation older than the longest a command
    may run belongs to a write that died, so it no longer counts (and is dropped)."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.CONSOLE_RUN_TIMEOUT + 300)
    WorkspaceReservation.objects.filter(area=area.prefix, created_at__lt=stale).delete()
    live = WorkspaceReservation.objects.filter(area=area.prefix)
    if excluding is not None:
        live = live.exclude(pk=excluding)
    return int(live.aggregate(total=Sum("nbytes"))["total"] or 0)


def _over(area: Area, used: int) -> str:
    return f"{area.label} would go over its quota of {human_size(area.quota)}; {human_size(used)} is in use"


def human_size(size: float) -> str:
    """coreutils' `-h`: powers of 1024 rounded up, one decimal below 10 (`4.0K`, `12M`, `512`)."""
    if size < 1024:
        return str(int(size))
    for unit in ("K", "M", "G", "T", "P"):
        size /= 1024
        if size < 1024 or unit == "P":
            break
    if size < 10:
        tenths = math.ceil(size * 10 - 1e-9) / 10
        return f"{tenths:.1f}{unit}" if tenths < 10 else f"10{unit}"
    return f"{math.ceil(size - 1e-9)}{unit}"
