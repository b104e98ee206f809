"""`aws s3 cp - s3://…` in a real browser terminal under the real CSP: the command asks
for its stdin, the person types a line and pastes two more, Ctrl-D ends it, and the
object holds exactly that text; `cp s3://… -` prints it back."""

from __future__ import annotations

import uuid

import pytest

from tests.compat.world import admin_session
from tests.e2e.conftest import TERMINAL_TEXT, wait_until
from tests.e2e.test_browser_hardening import run_and_wait, sign_in, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_uploads_typed_and_pasted_lines_until_ctrl_d(strict_page, alice_profiles, sandbox):
    s3 = admin_session(sandbox.url, sandbox.seed).create_client(
        "s3", region_name="us-east-1", endpoint_url=sandbox.url
    )
    bucket = f"e2e-stdin-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    page = strict_page
    sign_in(page)

    page.keyboard.type(f"aws s3 cp - s3://{bucket}/notes.txt --profile admin")
    page.keyboard.press("Enter")
    wait_until(page, f"() => ({TERMINAL_TEXT})().includes('(reading stdin:')")
    page.keyboard.type("typed line")
    page.keyboard.press("Enter")
    page.evaluate("() => window.consoleTerminal.term.paste('pasted one\\npasted two\\n')")
    page.keyboard.press("Control+d")
    wait_until(page, "() => document.body.dataset.running === 'false'")
    assert (
        s3.get_object(Bucket=bucket, Key="notes.txt")["Body"].read()
        == b"typed line\npasted one\npasted two\n"
    )

    run_and_wait(page, f"aws s3 cp s3://{bucket}/notes.txt - --profile admin")
    text = page.evaluate(TERMINAL_TEXT)
    assert text.count("pasted two") == 2  # echoed as pasted, then printed back
    assert page.console_errors == [] and not violations(page)
