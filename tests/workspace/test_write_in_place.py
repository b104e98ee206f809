"""A file written at offsets (`Workspace.placing`, what an `aws s3 cp` download uses on
the local storage): room for its size is reserved before a byte arrives, it appears only
complete, and what it holds at the end is what is counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import override_settings

from console.workspace.errors import QuotaExceeded
from console.workspace.files import Files
from console.workspace.models import WorkspaceReservation
from console.workspace.quota import Area, usage
from console.workspace.service import Workspace

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _used(ws: Workspace, files: Files) -> int:
    return usage(Area("user", str(ws.user.pk)), files).used


def _stored(files: Files) -> list[str]:
    return sorted(p.name for p in Path(files.storage.location).rglob("*") if p.is_file())


def test_it_puts_parts_written_out_of_order_in_place(ws: Workspace, files: Files):
    modified = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    with ws.placing(ws.locate("out.bin"), 6, modified) as file:
        file.seek(3)
        file.write(b"def")
        file.seek(0)
        file.write(b"abc")
        assert ws.exists(ws.locate("out.bin")) is None  # not there until complete
    with ws.open(ws.locate("out.bin")) as done:
        assert done.read() == b"abcdef"
    assert ws.stat(ws.locate("out.bin")).modified == modified
    assert _used(ws, files) == 6
    assert not WorkspaceReservation.objects.exists()


def test_it_keeps_nothing_when_the_writing_fails(ws: Workspace, files: Files):
    with pytest.raises(Boom), ws.placing(ws.locate("out.bin"), 6) as file:
        file.write(b"abc")
        raise Boom
    assert _stored(files) == []
    assert _used(ws, files) == 0
    assert not WorkspaceReservation.objects.exists()


@override_settings(CONSOLE_WORKSPACE_QUOTA=1000)
def test_it_refuses_a_size_over_quota_before_a_byte_arrives(ws: Workspace, files: Files):
    ws.write(ws.locate("a.bin"), [b"a" * 600])
    with pytest.raises(QuotaExceeded), ws.placing(ws.locate("b.bin"), 500):
        pytest.fail("the block ran")
    assert _stored(files) == ["a.bin"]


@override_settings(CONSOLE_WORKSPACE_QUOTA=1000)
def test_it_counts_a_file_that_grew_past_its_size(ws: Workspace, files: Files):
    with ws.placing(ws.locate("a.bin"), 100) as file:
        file.write(b"a" * 300)
    assert _used(ws, files) == 300
    with pytest.raises(QuotaExceeded), ws.placing(ws.locate("b.bin"), 100) as file:
        file.write(b"b" * 800)
    assert _stored(files) == ["a.bin"]
    assert _used(ws, files) == 300
