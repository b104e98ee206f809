"""Every line of the table, through the console's REST API (real ASGI server, real Celery
worker, real moto), against the `awscli` oracle on the same sandbox. See compare.py for
what "the same" means per format and docs/compat.md for how to add a line."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.compat.cases import CASES, Case
from tests.compat.compare import check, oracle_lines

# Plain django_db, not transaction=True: the tests themselves only speak HTTP, and the
# mark is what makes pytest-django create the test database the stack runs on. Alice and
# her token are committed once per module by the `console` fixture, which flushes after.
pytestmark = [pytest.mark.compat, pytest.mark.django_db]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_it_matches_the_cli(case: Case, prefetched: dict[str, Any], oracle: Any, console: Any) -> None:
    line = case.resolve(prefetched)
    got = console.run(line)
    _dump(case, line, got, oracle)
    check(case, line, got, oracle)


def _dump(case: Case, line: str, got: Any, oracle: Any) -> None:
    """COMPAT_DUMP=<file>: append both answers as a JSON line, for whoever fixes a mismatch."""
    path = os.environ.get("COMPAT_DUMP")
    if not path:
        return
    (oracle_line,) = oracle_lines(case, line)
    record = {
        "case": case.id,
        "output": case.output,
        "console": vars(got),
        "oracle": vars(oracle.run(oracle_line)),
    }
    with open(path, "a", encoding="utf-8") as dump:
        dump.write(json.dumps(record, ensure_ascii=False) + "\n")
