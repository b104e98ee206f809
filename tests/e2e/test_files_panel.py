"""The files panel in a real Chromium under the console's real CSP (`strict_page`): upload a
policy through the panel, use it from the terminal (`file://policy.json`), `upload` and
`download` from the terminal, `aws s3 sync` of an uploaded folder to a bucket, a folder as
a zip, delete with confirmation, the quota meter; no console error and no CSP violation."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import storages

from console.workspace.service import Workspace
from tests.e2e.conftest import TERMINAL_TEXT, wait_until
from tests.e2e.test_browser_hardening import WATCH_CSP, run_and_wait, sign_in, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]},
    indent=2,
).encode()
SCREENSHOT = Path("/tmp/h6-panel.png")
BUCKET = "panel-synced"


def terminal_text(page):
    return page.evaluate(TERMINAL_TEXT)


def row_names(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('#files-list tr')).map((r) => r.dataset.name)"
    )


@pytest.fixture
def fresh_workspace(alice_profiles):
    """Alice's area of the stack's storage starts empty (user ids repeat across runs)."""
    root = Path(storages["workspace"].location) / "users" / str(alice_profiles.pk)
    shutil.rmtree(root, ignore_errors=True)
    yield alice_profiles
    shutil.rmtree(root, ignore_errors=True)


def only_refusals(errors, status):
    """Chromium reports every 4xx answer as a console error: the refusals a step asked for
    are the only ones allowed (and at least one), nothing else."""
    expected = f"Failed to load resource: the server responded with a status of {status}"
    return bool(errors) and all(error.startswith(expected) for error in errors)


def open_panel(page):
    cols = page.evaluate("window.consoleTerminal.term.cols")
    page.click("#files-toggle")
    wait_until(page, "() => !document.getElementById('files-panel').hidden")
    wait_until(page, "(n) => window.consoleTerminal.term.cols < n", cols)  # the terminal made room


def test_it_uploads_uses_and_downloads_files_through_the_panel(strict_page, fresh_workspace, sandbox):
    page = strict_page
    page.add_init_script(WATCH_CSP)
    sign_in(page)
    open_panel(page)

    # Upload through the panel's picker: a progress row, then the file in the list.
    page.set_input_files(
        "#files-input", files=[{"name": "policy.json", "mimeType": "application/json", "buffer": POLICY}]
    )
    wait_until(page, "() => document.querySelector('#files-list tr[data-name=\"policy.json\"]')")
    assert page.inner_text("#files-transfers").count("policy.json") == 1
    wait_until(page, "() => document.querySelector('#files-transfers li').dataset.state === 'done'")
    assert page.inner_text("#files-quota").startswith("~")

    # The terminal still works beside the panel, and reads the file.
    page.click("#terminal")  # focus back from the panel's buttons, as a person would
    run_and_wait(
        page, "aws iam create-policy --policy-name p --policy-document file://policy.json --profile admin"
    )
    assert f"arn:aws:iam::{sandbox.seed.account_id}:policy/p" in terminal_text(page)

    # `upload` opens the browser's picker for a folder, and says what was uploaded.
    run_and_wait(page, "mkdir docs")
    with page.expect_file_chooser() as chooser:
        run_and_wait(page, "upload docs")
    chooser.value.set_files(
        files=[
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello, docs\n"},
            {"name": "todo.md", "mimeType": "text/markdown", "buffer": b"- sync\n"},
        ]
    )
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('upload: notes.txt (12 Bytes) to docs/notes.txt')")
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('upload: todo.md (7 Bytes) to docs/todo.md')")
    run_and_wait(page, "cat docs/notes.txt")
    assert "hello, docs" in terminal_text(page)

    # The uploaded folder goes to S3 with the CLI's own commands and lines.
    run_and_wait(page, f"aws s3 mb s3://{BUCKET} --profile admin")
    assert f"make_bucket: {BUCKET}" in terminal_text(page)
    run_and_wait(page, f"aws s3 sync docs s3://{BUCKET} --profile admin")
    text = terminal_text(page)
    assert f"upload: docs/notes.txt to s3://{BUCKET}/notes.txt" in text
    assert f"upload: docs/todo.md to s3://{BUCKET}/todo.md" in text
    run_and_wait(page, f"aws s3 ls s3://{BUCKET} --profile admin")
    listed = terminal_text(page).rsplit(f"aws s3 ls s3://{BUCKET}", 1)[1]
    assert re.search(r"\s12 notes\.txt", listed) and re.search(r"\s7 todo\.md", listed)

    # `download` starts a download of the file itself (never its bytes over the websocket).
    with page.expect_download() as downloaded:
        run_and_wait(page, "download policy.json")
    assert downloaded.value.suggested_filename == "policy.json"
    assert Path(downloaded.value.path()).read_bytes() == POLICY

    # A folder from the panel, as a zip (from the top: `upload docs` showed docs/ in the panel).
    page.click("#files-crumbs button[data-path='']")
    wait_until(page, "() => document.querySelector('#files-list tr[data-name=\"docs\"]')")
    with page.expect_download() as zipped:
        page.click("#files-list tr[data-name='docs'] button[data-action='download']")
    archive = zipfile.ZipFile(io.BytesIO(Path(zipped.value.path()).read_bytes()))
    assert archive.read("docs/notes.txt") == b"hello, docs\n"

    SCREENSHOT.unlink(missing_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # Delete asks first; a file gone since the listing is a message, not a failed download.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#files-list tr[data-name='docs'] button[data-action='delete']")
    wait_until(page, "() => !document.querySelector('#files-list tr[data-name=\"docs\"]')")
    assert violations(page) == []
    assert page.console_errors == []

    # Removed behind the panel's back (a teammate, another tab): the stale row's download
    # is a message in the panel.
    ws = Workspace(fresh_workspace)
    ws.remove_file(ws.locate("policy.json"))
    page.click("#files-list tr[data-name='policy.json'] button[data-action='download']")
    wait_until(page, "() => !document.getElementById('files-message').hidden")
    assert "policy.json: No such file or directory" in page.inner_text("#files-message")
    page.click("#files-refresh")
    wait_until(page, "() => !document.querySelector('#files-list tr')")
    assert row_names(page) == []
    assert violations(page) == []
    assert only_refusals(page.console_errors, "404")


def test_it_tells_why_an_upload_is_refused(strict_page, fresh_workspace):
    page = strict_page
    sign_in(page)
    open_panel(page)
    page.set_input_files(
        "#files-input", files=[{"name": "bad\u202ename.txt", "mimeType": "text/plain", "buffer": b"x"}]
    )
    wait_until(page, "() => !document.getElementById('files-message').hidden")
    assert "names with control characters are not allowed" in page.inner_text("#files-message")
    assert row_names(page) == []
    assert only_refusals(page.console_errors, "400")
    page.click("#terminal")
    run_and_wait(page, "download nothing-here")
    assert "download: cannot download 'nothing-here': No such file or directory" in terminal_text(page)


DROP = """(files) => {
  const transfer = new DataTransfer();
  for (const [name, text] of files) transfer.items.add(new File([text], name, {type: "text/plain"}));
  const zone = document.getElementById("files-drop");
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def test_it_uploads_many_dropped_files_at_once(strict_page, fresh_workspace):
    page = strict_page
    sign_in(page)
    open_panel(page)
    dropped = [[f"file-{i}.txt", f"content {i}\n"] for i in range(7)]
    page.evaluate(DROP, dropped)
    wait_until(page, "() => document.querySelectorAll('#files-list tr').length === 7")
    assert row_names(page) == [name for name, _ in dropped]
    states = page.evaluate(
        "() => Array.from(document.querySelectorAll('#files-transfers li'), (li) => li.dataset.state)"
    )
    assert states == ["done"] * 7
    page.click("#terminal")
    run_and_wait(page, "cat file-6.txt")
    assert "content 6" in terminal_text(page)
    assert page.console_errors == []
