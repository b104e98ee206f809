"""Comparing the output of two runs (a re-run and its original, or any two one may see).

The diffing is Python's `difflib` (SequenceMatcher over lines), rendered on the server
as a unified and a side-by-side view with a "+N −M" summary. No diff runs in the
browser: the two outputs stay behind the access check, the page needs no script under
the strict CSP, and the JSON view below is the same line diff, so one renderer serves
both. (diff2html from npm would render a unified diff text in the browser, but only
that: the structural JSON comparison and the volatile-field toggle would still be ours.)

For JSON output the comparison is structural, through a canonical form of our own
rather than `deepdiff`: both documents are re-printed with their keys sorted (key order
ignored) and the volatile parts set aside, and the canonical texts are line-diffed, so
the result reads like the output it compares; a list of the JSON paths that differ goes
with it. deepdiff's report (paths and changed values) would need a renderer of its own
and a dependency for what 30 lines do here. Volatile parts, shown again by a toggle:
`ResponseMetadata` and request-id keys anywhere, and timestamps inside the run's own
execution window (the command's own: the creation time of what it made, say), which
differ between any two runs by nature.

Output that holds secrets is stored sealed (console/runs/store.py) and is never compared,
for anyone, its runner included: when either run's stdout is sealed, the page says so and
compares stderr alone. A structural diff of the rest would have to open the secrets to
set them aside and would still tell a viewer whether they changed; "not compared" is the
honest answer. The streams are read as nobody (`reader=None`), so a sealed value cannot
reach the comparison even by mistake."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.output.controls import show_controls
from console.runs import store
from console.runs.models import CommandRun

VOLATILE_KEYS = frozenset(
    {"ResponseMetadata", "RequestId", "RequestID", "requestId", "HostId", "x-amz-request-id", "x-amz-id-2"}
)
OWN_TIME = "‹a time during this run›"
CLOCK_SLACK = timedelta(seconds=2)  # AWS's clock and ours may differ a little
MAX_LINES = 20000  # past this, difflib's cost grows too fast for a page
CONTEXT = 3
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Line:
    kind: str  # "equal", "insert", "delete"
    old_no: int | None
    new_no: int | None
    text: str

    @property
    def mark(self) -> str:
        return {"equal": " ", "insert": "+", "delete": "-"}[self.kind]


@dataclass(frozen=True)
class Row:
    """A side-by-side row: the old line (left) and the new line (right), either absent."""

    left: Line | None
    right: Line | None


@dataclass
class Hunk:
    header: str
    lines: list[Line] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass
class TextDiff:
    added: int
    removed: int
    hunks: list[Hunk]
    truncated: bool = False

    @property
    def identical(self) -> bool:
        return not self.hunks


@dataclass
class OutputDiff:
    """The comparison of two runs' stdout (structural when both are JSON) and stderr."""

    json: bool
    stdout: TextDiff
    stderr: TextDiff
    changed_paths: list[str]
    volatile_hidden: int
    show_volatile: bool
    # Which of the two (old, new) runs' stdout is sealed; either one means it is not compared.
    sealed: tuple[bool, bool] = (False, False)

    @property
    def stdout_sealed(self) -> bool:
        return any(self.sealed)

    @property
    def added(self) -> int:
        return self.stdout.added + self.stderr.added

    @property
    def removed(self) -> int:
        return self.stdout.removed + self.stderr.removed


def compare_runs(old: CommandRun, new: CommandRun, *, show_volatile: bool = False) -> OutputDiff:
    sealed = (store.is_sealed(old.pk), store.is_sealed(new.pk))
    if any(sealed):
        return _stderr_only(old, new, sealed, show_volatile)
    old_out, old_err = store.run_streams(old)
    new_out, new_err = store.run_streams(new)
    documents = _json_pair(old_out, new_out)
    hidden = 0
    paths: list[str] = []
    if documents is not None:
        old_doc, new_doc = documents
        if not show_volatile:
            old_doc, hidden_old = set_aside_volatile(old_doc, run_window(old))
            new_doc, hidden_new = set_aside_volatile(new_doc, run_window(new))
            hidden = hidden_old + hidden_new
        paths = changed_paths(old_doc, new_doc)
        old_out, new_out = canonical_json(old_doc), canonical_json(new_doc)
    return OutputDiff(
        json=documents is not None,
        stdout=diff_text(shown_text(old_out), shown_text(new_out)),
        stderr=diff_text(shown_text(old_err), shown_text(new_err)),
        changed_paths=paths,
        volatile_hidden=hidden,
        show_volatile=show_volatile,
    )


def _stderr_only(
    old: CommandRun, new: CommandRun, sealed: tuple[bool, bool], show_volatile: bool
) -> OutputDiff:
    """The comparison when a stdout is sealed: its lines are left out, stderr compared."""
    old_err, new_err = store.run_streams(old)[1], store.run_streams(new)[1]
    return OutputDiff(
        json=False,
        stdout=TextDiff(0, 0, []),
        stderr=diff_text(shown_text(old_err), shown_text(new_err)),
        changed_paths=[],
        volatile_hidden=0,
        show_volatile=show_volatile,
        sealed=sealed,
    )


def shown_text(text: str) -> str:
    """Output as a diff shows it: the console's colours dropped, other control characters
    written out (`\\x1b`), never obeyed by whoever reads the page."""
    return show_controls(_SGR.sub("", text))


def _json_pair(old: str, new: str) -> tuple[Any, Any] | None:
    try:
        return json.loads(old), json.loads(new)
    except ValueError:
        return None


def canonical_json(document: Any) -> str:
    return json.dumps(document, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def run_window(run: CommandRun) -> tuple[datetime, datetime] | None:
    start = run.started_at or run.created_at
    if start is None or run.finished_at is None:
        return None
    return start - CLOCK_SLACK, run.finished_at + CLOCK_SLACK


def set_aside_volatile(document: Any, window: tuple[datetime, datetime] | None) -> tuple[Any, int]:
    """`document` without volatile keys, and with the run's own timestamps replaced by a
    marker; and how many values were set aside. The caller's document is not changed."""
    hidden = 0

    def walk(value: Any) -> Any:
        nonlocal hidden
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                if key in VOLATILE_KEYS:
                    hidden += 1
                else:
                    kept[key] = walk(item)
            return kept
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str) and window is not None and _within(value, window):
            hidden += 1
            return OWN_TIME
        return value

    return walk(document), hidden


def _within(text: str, window: tuple[datetime, datetime]) -> bool:
    if not _ISO_TIME.match(text):
        return False
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    if moment.tzinfo is None:
        return False  # a time without a zone cannot be placed against the run's
    return window[0] <= moment <= window[1]


def changed_paths(old: Any, new: Any, limit: int = 200) -> list[str]:
    """The JSON paths (`Buckets[2].Name`) whose values differ, at most `limit` of them."""
    found: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key, _ABSENT), b.get(key, _ABSENT), f"{where}.{key}" if where else str(key))
        elif isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                walk(a[i] if i < len(a) else _ABSENT, b[i] if i < len(b) else _ABSENT, f"{where}[{i}]")
        else:
            found.append(where or "(the whole document)")

    walk(old, new, "")
    return found


_ABSENT = object()


def diff_text(old: str, new: str) -> TextDiff:
    a, b = old.splitlines(), new.splitlines()
    truncated = len(a) > MAX_LINES or len(b) > MAX_LINES
    a, b = a[:MAX_LINES], b[:MAX_LINES]
    matcher = difflib.SequenceMatcher(None, a, b)
    added = removed = 0
    hunks = []
    for group in matcher.get_grouped_opcodes(CONTEXT):
        hunk = Hunk(_header(group))
        for tag, i1, i2, j1, j2 in group:
            added += (j2 - j1) if tag in ("insert", "replace") else 0
            removed += (i2 - i1) if tag in ("delete", "replace") else 0
            _add_lines(hunk, tag, a, b, i1, i2, j1, j2)
        hunks.append(hunk)
    return TextDiff(added, removed, hunks, truncated)


def _header(group: list[tuple[str, int, int, int, int]]) -> str:
    first, last = group[0], group[-1]
    i1, i2, j1, j2 = first[1], last[2], first[3], last[4]
    return f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@"


def _add_lines(hunk: Hunk, tag: str, a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> None:
    if tag == "equal":
        for k in range(i2 - i1):
            line = Line("equal", i1 + k + 1, j1 + k + 1, a[i1 + k])
            hunk.lines.append(line)
            hunk.rows.append(Row(line, line))
        return
    removed = [Line("delete", i + 1, None, a[i]) for i in range(i1, i2)]
    inserted = [Line("insert", None, j + 1, b[j]) for j in range(j1, j2)]
    hunk.lines.extend(removed + inserted)
    for k in range(max(len(removed), len(inserted))):
        hunk.rows.append(
            Row(removed[k] if k < len(removed) else None, inserted[k] if k < len(inserted) else None)
        )
