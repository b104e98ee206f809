"""A real Chromium (Debian's, never a downloaded one) against the real ASGI server and
worker of the `stack` fixture."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TERMINAL_TEXT = """() => {
  const buffer = window.consoleTerminal.term.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\\n");
}"""

# How many prompts the terminal shows: `aws-console $`, or with the default profile the
# terminal chose and a production tag, `aws-console (platform/prod) [production] $`.
PROMPTS = (
    "() => ((" + TERMINAL_TEXT + ")().match(/^aws-console(?: \\([^)\\n]*\\))?(?: \\[production\\])? \\$/gm)"
    " || []).length"
)


@pytest.fixture
def browser(monkeypatch: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running on this thread while it is open,
    # which Django reads as "called from async code". The ORM calls the test makes here
    # are plain sync calls, so the check is lifted for these tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Connections opened while Playwright's loop ran live in that loop's context,
        # out of reach of pytest-django's teardown: close them here.
        from django.db import connections

        connections.close_all()


def _open_page(browser: Any, stack: Any, *, bypass_csp: bool) -> Iterator[Any]:
    context = browser.new_context(
        base_url=stack.url, viewport={"width": 1200, "height": 800}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def page(browser: Any, stack: Any) -> Iterator[Any]:
    """A page with the console's CSP switched off: Playwright's `wait_for_function` runs
    its expression through eval() inside the page, which the policy (rightly) forbids.
    `strict_page` keeps the policy; tests on it wait with `wait_until`."""
    yield from _open_page(browser, stack, bypass_csp=True)


@pytest.fixture
def strict_page(browser: Any, stack: Any) -> Iterator[Any]:
    """A page under the console's real Content-Security-Policy."""
    yield from _open_page(browser, stack, bypass_csp=False)


def wait_until(page: Any, expression: str, arg: Any = None, timeout: float = 15) -> Any:
    """`page.wait_for_function` without eval() in the page: `expression` is a function,
    called through the DevTools protocol (not subject to the page's CSP) until truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = page.evaluate(expression, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {expression}")
        page.wait_for_timeout(50)
