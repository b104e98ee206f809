"""Quotas: a write over quota fails with a clear message and leaves no file; use is
counted as files come and go."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from console.workspace.errors import QuotaExceeded
from console.workspace.files import Files
from console.workspace.models import WorkspaceReservation
from console.workspace.quota import Area, recount, usage
from console.workspace.service import Workspace

pytestmark = pytest.mark.django_db


def _area(ws: Workspace) -> Area:
    return Area("user", str(ws.user.pk))


@override_settings(CONSOLE_WORKSPACE_QUOTA=1000)
def test_it_refuses_a_write_over_quota_and_keeps_nothing(ws: Workspace, files: Files):
    ws.write(ws.locate("a.bin"), [b"a" * 600])
    with pytest.raises(QuotaExceeded) as over:
        ws.write(ws.locate("b.bin"), [b"b" * 300, b"b" * 300])
    assert over.value.message == (
        "[Errno 122] Disk quota exceeded: 'b.bin' (your workspace would go over its quota of 1000; "
        "600 is in use)"
    )
    assert ws.exists(ws.locate("b.bin")) is None
    assert [p.name for p in Path(files.storage.location).rglob("*") if p.is_file()] == ["a.bin"]
    assert usage(_area(ws), files).used == 600
    assert not WorkspaceReservation.objects.exists()


@override_settings(CONSOLE_WORKSPACE_QUOTA=1000)
def test_it_charges_a_replacement_only_the_difference(ws: Workspace, files: Files):
    ws.write(ws.locate("a.bin"), [b"a" * 700])
    ws.write(ws.locate("a.bin"), [b"b" * 900])
    assert usage(_area(ws), files).used == 900


def test_it_counts_writes_and_removals(ws: Workspace, files: Files):
    ws.make_dir(ws.locate("d"))
    ws.write(ws.locate("d/a"), [b"x" * 10])
    ws.write(ws.locate("b"), [b"y" * 5])
    assert usage(_area(ws), files).used == 15
    ws.remove_tree(ws.locate("d"))
    assert usage(_area(ws), files).used == 5
    ws.remove_file(ws.locate("b"))
    assert usage(_area(ws), files).used == 0


def test_it_counts_an_area_from_storage_the_first_time_and_on_recount(ws: Workspace, files: Files):
    ws.write(ws.locate("a"), [b"x" * 42])
    Path(files.storage.path(f"users/{ws.user.pk}/b")).write_bytes(b"y" * 8)  # behind its back
    assert usage(_area(ws), files).used == 42
    assert recount(_area(ws), files) == 50 == usage(_area(ws), files).used


@override_settings(CONSOLE_WORKSPACE_QUOTA=100)
def test_it_counts_another_write_in_progress(ws: Workspace, files: Files):
    seen = []

    def second_write():
        yield b"x" * 60
        try:
            ws.write(ws.locate("other"), [b"y" * 60])
        except QuotaExceeded as over:
            seen.append(over)

    ws.write(ws.locate("first"), second_write())
    assert len(seen) == 1 and ws.exists(ws.locate("other")) is None


def test_it_recounts_from_the_command_and_removes_dead_temporary_files(ws: Workspace, settings):
    import io
    import os

    from django.core.management import call_command

    from console.workspace.models import WorkspaceUsage

    ws.write(ws.locate("a"), [b"x" * 7])
    WorkspaceUsage.objects.filter(area=f"users/{ws.user.pk}").update(bytes_used=999)
    temp = ws.files.storage.path("tmp/dead-write")
    os.makedirs(os.path.dirname(temp), exist_ok=True)
    with open(temp, "wb") as dead:
        dead.write(b"half")
    os.utime(temp, (1, 1))
    settings.STORAGES = {
        **settings.STORAGES,
        "workspace": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": ws.files.storage.location, "allow_overwrite": True},
        },
    }
    out = io.StringIO()
    call_command("workspace_recount", f"users/{ws.user.pk}", stdout=out)
    assert (
        out.getvalue()
        == f"removed 1 temporary file(s) of writes that did not finish\nusers/{ws.user.pk}: 7 (7 bytes)\n"
    )
    assert not os.path.exists(temp)
    assert WorkspaceUsage.objects.get(area=f"users/{ws.user.pk}").bytes_used == 7
