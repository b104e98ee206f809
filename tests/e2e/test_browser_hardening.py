"""The page as an attacker would try it, in a real Chromium under the console's real CSP
(`strict_page`): nothing violating the policy, no secret left in browser storage,
terminal replies never typed as input, and links that ask before they open."""

from __future__ import annotations

import json

import pytest

from console.runs.models import CommandRun
from tests.conftest import PASSWORD
from tests.e2e.conftest import PROMPTS, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
TOKEN_SECRET = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"

# Every CSP violation the page reports, kept from the first script on.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
"""

STORAGE = """() => {
  const dump = (area) => Object.fromEntries(Array.from({length: area.length}, (_, i) => area.key(i))
    .map((k) => [k, area.getItem(k)]));
  return JSON.stringify({local: dump(localStorage), session: dump(sessionStorage)});
}"""


def sign_in(page, username="alice"):
    page.goto("/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    wait_until(page, "() => document.body.dataset.connected === 'true'")
    wait_until(page, PROMPTS)


def run_and_wait(page, command):
    """Type a command and wait for the prompt after it."""
    prompts = page.evaluate(PROMPTS)
    page.keyboard.type(command)
    page.keyboard.press("Enter")
    wait_until(
        page,
        f"(n) => document.body.dataset.running === 'false' && ({PROMPTS})() > n",
        prompts,
    )


def violations(page):
    return page.evaluate("window.__cspViolations")


def test_it_serves_every_page_under_a_strict_csp_with_nothing_violating_it(strict_page, alice):
    page = strict_page
    page.add_init_script(WATCH_CSP)
    response = page.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "camera=()" in response.headers["permissions-policy"]
    assert violations(page) == []

    sign_in(page)
    terminal_policy = page.evaluate("fetch('/').then((r) => r.headers.get('content-security-policy'))")
    assert "style-src 'self' 'nonce-" in terminal_policy
    run_and_wait(page, "help")  # bold and coloured output through xterm's renderer
    page.set_viewport_size({"width": 900, "height": 600})  # xterm rewrites its size styles
    page.wait_for_timeout(300)
    # xterm's styles applied: its rows are laid out, not left at zero height.
    assert page.evaluate("document.querySelector('.xterm-rows > div').getBoundingClientRect().height") > 5
    assert violations(page) == []

    # The run page replays the same output in its own xterm view; the diff page has no script.
    run = CommandRun.objects.filter(user=alice).latest("created_at")
    page.goto(f"/runs/{run.pk}")
    wait_until(page, "() => document.body.dataset.runEnded === 'true'")
    assert page.evaluate("document.querySelector('.xterm-rows > div').getBoundingClientRect().height") > 5
    assert violations(page) == []
    page.goto(f"/runs/{run.pk}/diff/{run.pk}?view=split")
    assert violations(page) == []

    page.goto("/admin/login/")
    assert violations(page) == []
    assert page.console_errors == []


def test_it_keeps_no_typed_secret_and_no_history_after_sign_out(strict_page, alice):
    page = strict_page
    page.goto("/accounts/login/")
    # Left behind by the old page (raw lines) and by another user who did not sign out.
    left_behind = {
        "consoleTerminal.history": [f"export AWS_SECRET_ACCESS_KEY={SECRET}"],
        "consoleTerminal.history.999999": ["aws s3 ls s3://bobs-bucket"],
    }
    page.evaluate(
        "(items) => Object.entries(items).forEach(([k, v]) => localStorage.setItem(k, JSON.stringify(v)))",
        left_behind,
    )
    sign_in(page)
    run_and_wait(page, f"aws configure set aws_secret_access_key {SECRET}")
    run_and_wait(page, f"export AWS_SESSION_TOKEN={TOKEN_SECRET}")
    run_and_wait(page, "aws configure set region eu-west-1")

    stored = page.evaluate(STORAGE)
    assert SECRET not in stored and TOKEN_SECRET not in stored
    local = json.loads(stored)["local"]
    assert json.loads(local[f"consoleTerminal.history.{alice.pk}"]) == [
        "aws configure set aws_secret_access_key ****",
        "export AWS_SESSION_TOKEN=****",
        "aws configure set region eu-west-1",
    ]
    assert [key for key in local if key.startswith("consoleTerminal.history")] == [
        f"consoleTerminal.history.{alice.pk}"
    ]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.consoleTerminal.line()") == "export AWS_SESSION_TOKEN=****"

    page.click("#logout-form button")
    page.wait_for_url("**/accounts/login/**")
    local = json.loads(page.evaluate(STORAGE))["local"]
    assert [key for key in local if key.startswith("consoleTerminal.history")] == []


# Queries a terminal answers (cursor position, status, device attributes, a mode, a
# status string, colours), then mouse and focus reporting switched on.
QUERIES = (
    "\\x1b[6n\\x1b[5n\\x1b[?6n\\x1b[c\\x1b[>c\\x1b[?2004$p\\x1bP$qm\\x1b\\\\"
    "\\x1b]11;?\\x07\\x1b]10;?\\x1b\\\\\\x1b]4;1;?\\x07\\x1b[14t\\x1b[18t"
    "\\x1b[?1000h\\x1b[?1006h\\x1b[?1004h"
)


def test_it_never_turns_terminal_replies_into_input(strict_page, alice):
    page = strict_page
    sign_in(page)
    page.evaluate("window.__sent = []; window.consoleTerminal.term.onData((d) => window.__sent.push(d));")
    page.evaluate(f"new Promise((done) => window.consoleTerminal.term.write('\\r\\n{QUERIES}', done))")
    page.wait_for_timeout(300)
    page.mouse.click(300, 300)  # a click would be reported if mouse tracking were on
    page.evaluate("window.consoleTerminal.term.blur(); window.consoleTerminal.term.focus()")  # and focus
    page.wait_for_timeout(300)
    assert page.evaluate("window.__sent") == []
    assert page.evaluate("window.consoleTerminal.line()") == ""
    assert page.evaluate("document.body.dataset.running") == "false"

    page.keyboard.type("aws sts")  # typing still works
    assert page.evaluate("window.consoleTerminal.line()") == "aws sts"


def cell_of(page, text):
    """The page coordinates of the middle of the first cell of `text` on the screen."""
    return page.evaluate(
        """(text) => {
        const term = window.consoleTerminal.term;
        const buffer = term.buffer.active;
        for (let y = buffer.viewportY; y < buffer.viewportY + term.rows; y++) {
          const x = buffer.getLine(y).translateToString(true).indexOf(text);
          if (x < 0) continue;
          const box = document.querySelector('.xterm-screen').getBoundingClientRect();
          const w = box.width / term.cols, h = box.height / term.rows;
          return [box.left + (x + 2.5) * w, box.top + (y - buffer.viewportY + 0.5) * h];
        }
        return null;
      }""",
        text,
    )


def click_link(page, text):
    x, y = cell_of(page, text)
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)


def test_it_asks_before_opening_any_link_and_shows_where_it_goes(strict_page, alice, stack):
    page = strict_page
    sign_in(page)
    shown = "https://console.aws.amazon.com/"
    own = f"{stack.url}/healthz"
    page.evaluate(
        "(text) => new Promise((done) => window.consoleTerminal.term.write(text, done))",
        f"\r\n\x1b]8;;https://evil.example/steal\x1b\\{shown}\x1b]8;;\x1b\\\r\nsee {own} for status\r\n",
    )
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    opened = []
    page.context.on("page", lambda new: opened.append(new))
    page.once("dialog", lambda d: answer(d, False))
    click_link(page, shown)
    page.wait_for_timeout(300)
    assert len(asked) == 1
    assert "https://evil.example/steal" in asked[0]
    assert f"The text shown for it was: {shown}" in asked[0]
    assert opened == []

    page.once("dialog", lambda d: answer(d, True))
    with page.context.expect_page() as popup:
        click_link(page, own)
    assert own in asked[1]
    assert "text shown" not in asked[1]  # a plain URL is its own text
    popup.value.wait_for_load_state()
    assert popup.value.url == own
    assert page.console_errors == []
