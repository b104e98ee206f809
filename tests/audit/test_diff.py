"""Comparing two runs' output: a line diff with a "+N −M" summary in unified and side by
side views; for JSON a structural comparison (key order ignored; ResponseMetadata,
request ids and the runs' own timestamps left out unless asked for); and the page, which
only shows runs the viewer may see."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from console.audit.diff import compare_runs, diff_text
from tests.api.factories import make_run

pytestmark = pytest.mark.django_db


def _json_run(user, document, **fields):
    return make_run(user, chunks=[(0, "stdout", json.dumps(document, indent=4) + "\n")], **fields)


def test_a_text_diff_counts_added_and_removed_lines():
    result = diff_text("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n")
    assert (result.added, result.removed) == (2, 1)
    [hunk] = result.hunks
    assert hunk.header == "@@ -1,4 +1,5 @@"
    assert [(line.mark, line.text) for line in hunk.lines] == [
        (" ", "a"), ("-", "b"), ("+", "B"), (" ", "c"), (" ", "d"), ("+", "e"),
    ]  # fmt: skip
    pairs = [(row.left and row.left.text, row.right and row.right.text) for row in hunk.rows]
    assert pairs == [("a", "a"), ("b", "B"), ("c", "c"), ("d", "d"), (None, "e")]


def test_identical_text_has_no_hunks():
    assert diff_text("same\n", "same\n").identical


def test_json_key_order_is_ignored(alice):
    old = _json_run(alice, {"Buckets": [{"Name": "a", "Region": "eu-west-1"}], "Owner": {"ID": "1"}})
    new = _json_run(alice, {"Owner": {"ID": "1"}, "Buckets": [{"Region": "eu-west-1", "Name": "a"}]})
    result = compare_runs(old, new)
    assert result.json and result.stdout.identical and (result.added, result.removed) == (0, 0)


def test_a_json_change_is_shown_by_its_path_and_its_lines(alice):
    old = _json_run(alice, {"Buckets": [{"Name": "a"}, {"Name": "b"}]})
    new = _json_run(alice, {"Buckets": [{"Name": "a"}, {"Name": "c"}, {"Name": "d"}]})
    result = compare_runs(old, new)
    assert result.changed_paths == ["Buckets[1].Name", "Buckets[2]"]
    assert result.removed == 1 and result.added >= 4


def test_volatile_fields_are_left_out_unless_asked_for(alice):
    start = timezone.now() - timedelta(minutes=10)

    def run_at(moment, request_id):
        document = {
            "Bucket": {"Name": "b1", "CreationDate": moment.isoformat(), "Owner": "o"},
            "RequestId": request_id,
            "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 200},
            "Older": "2020-01-01T00:00:00+00:00",
        }
        return _json_run(alice, document, started_at=moment, finished_at=moment + timedelta(seconds=1))

    old, new = run_at(start, "req-1"), run_at(start + timedelta(minutes=5), "req-2")
    hidden = compare_runs(old, new)
    assert hidden.stdout.identical and hidden.volatile_hidden == 6
    shown = compare_runs(old, new, show_volatile=True)
    assert set(shown.changed_paths) == {"Bucket.CreationDate", "RequestId", "ResponseMetadata.RequestId"}
    assert (shown.added, shown.removed) == (3, 3)


def test_a_timestamp_outside_the_run_is_data_and_is_compared(alice):
    now = timezone.now()
    old = _json_run(alice, {"LastModified": "2021-05-01T10:00:00+00:00"}, started_at=now, finished_at=now)
    new = _json_run(alice, {"LastModified": "2022-05-01T10:00:00+00:00"}, started_at=now, finished_at=now)
    assert compare_runs(old, new).changed_paths == ["LastModified"]


def test_colours_are_dropped_and_control_characters_shown(alice):
    old = make_run(alice, chunks=[(0, "stdout", "\x1b[1;32mok\x1b[0m\n")])
    new = make_run(alice, chunks=[(0, "stdout", "ok\x1b]8;;http://evil.example\x07\n")])
    [hunk] = compare_runs(old, new).stdout.hunks
    assert [line.text for line in hunk.lines] == ["ok", "ok\\x1b]8;;http://evil.example\\x07"]


def test_stderr_is_compared_too(alice):
    old = make_run(alice, chunks=[(0, "stderr", "\nAn error occurred (AccessDenied)\n")])
    new = make_run(alice, chunks=[(0, "stdout", "{}\n")])
    result = compare_runs(old, new)
    assert not result.json  # one side is no JSON at all
    assert (result.stderr.removed, result.stdout.added) == (2, 1)


# ---- the page ---------------------------------------------------------------------------


def _page(user, old, new, query=""):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/runs/{old.pk}/diff/{new.pk}{query}")


def test_the_page_shows_the_summary_and_both_views(alice):
    old = make_run(alice, chunks=[(0, "stdout", "a\nb\n")])
    new = make_run(alice, command="aws s3 ls --region eu-west-1", chunks=[(0, "stdout", "a\nc\nd\n")])
    unified = _page(alice, old, new)
    assert unified.status_code == 200
    html = unified.content.decode()
    assert '<span class="added">+2</span> <span class="removed">−1</span>' in html
    assert 'class="diff diff-unified"' in html and "aws s3 ls --region eu-west-1" in html
    split = _page(alice, old, new, "?view=split").content.decode()
    assert 'class="diff diff-split"' in split


def test_the_volatile_toggle_is_a_link_that_shows_them(alice):
    old = _json_run(alice, {"A": 1, "ResponseMetadata": {"RequestId": "r1"}})
    new = _json_run(alice, {"A": 1, "ResponseMetadata": {"RequestId": "r2"}})
    hidden = _page(alice, old, new).content.decode()
    assert "No difference." in hidden and "2 volatile values left out" in hidden
    assert f'href="/runs/{old.pk}/diff/{new.pk}?view=unified&amp;volatile=1"' in hidden
    shown = _page(alice, old, new, "?volatile=1").content.decode()
    assert '<span class="added">+1</span> <span class="removed">−1</span>' in shown
    assert "ResponseMetadata.RequestId" in shown


def test_only_runs_the_viewer_may_see_are_compared(alice, charlie):
    mine, theirs = make_run(charlie), make_run(alice)
    assert _page(charlie, mine, theirs).status_code == 404
    assert _page(charlie, theirs, mine).status_code == 404
    anonymous = _page(None, theirs, theirs)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=/runs/")
