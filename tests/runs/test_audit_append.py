"""The audit chain's append: on PostgreSQL one statement finishes the event's hash from the
head under the head's lock (console/runs/audit.py), so that hash must be the one Python's
chain.digest takes, for any text the event holds; writers from many connections at once
still make one gapless chain that verifies; and SQLite's three-statement path makes the
same chain."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from console.runs import audit, chain
from console.runs.models import AuditChainHead, AuditEvent
from tests.api.factories import make_run
from tests.conftest import ROOT

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    created_at=st.text(),
    action=st.text(),
    actor_id=st.none() | st.integers(0, 2**31),
    actor_name=st.text(),
    run_id=st.none() | st.uuids().map(str),
    data=st.dictionaries(st.text(), json_values, max_size=4),
    prev=st.binary(min_size=32, max_size=32).map(bytes.hex),
    seq=st.integers(1, 2**62),
)
def test_the_split_digest_is_the_digest(prev: str, seq: int, **fields: Any) -> None:
    before, between = chain.digest_around_link(fields)
    whole = {**fields, "prev_hash": prev, "seq": seq}
    finished = f"{before}{prev}{between}{seq}}}".encode()
    assert finished == chain.canonical_json(whole)


def test_the_split_refuses_fields_that_are_not_an_event() -> None:
    with pytest.raises(ValueError, match="hashed fields"):
        chain.digest_around_link({"action": "x", "run_id": None, "zebra": 1})


@pytest.mark.django_db
def test_one_statement_hashes_as_python_does_from_an_empty_head(alice: Any) -> None:
    AuditChainHead.objects.all().delete()
    run = make_run(alice)
    audit.record(audit.AuditAction.RUN_SUBMITTED, actor=alice, run=run, data={"command": "aws s3 ls ☃"})
    audit.record(audit.AuditAction.RUN_FINISHED, actor=None, data={"quote": '"\\\n', "n": [1, 2.5]})
    first, second = AuditEvent.objects.order_by("seq")
    assert (first.seq, first.prev_hash, second.seq, second.prev_hash) == (1, chain.GENESIS, 2, first.hash)
    for event in (first, second):
        assert audit.as_chain_event(event).computed_hash() == event.hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_writers_on_many_connections_make_one_gapless_chain(alice: Any) -> None:
    writers, each = 8, 25
    failures: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(number: int) -> None:
        try:
            start.wait()
            for n in range(each):
                with transaction.atomic():
                    audit.record(audit.AuditAction.RUN_SUBMITTED, actor=alice, data={"w": number, "n": n})
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    seqs = list(AuditEvent.objects.order_by("id").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * each + 1))
    result = audit.verify_chain()
    assert result.ok, result


SQLITE_CHAIN = """
import django
django.setup()
from django.core.management import call_command
from django.db import transaction
call_command("migrate", verbosity=0)
from console.runs import audit
from console.runs.models import AuditEvent
for n in range(3):
    with transaction.atomic():
        audit.record(audit.AuditAction.RUN_FINISHED, actor=None, data={"n": n, "t": "bücket"})
print(audit.verify_chain().ok, list(AuditEvent.objects.values_list("seq", flat=True)))
"""


def test_the_sqlite_default_makes_the_same_chain(tmp_path: Any) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'chain.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "console.settings"
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", SQLITE_CHAIN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True [1, 2, 3]"
