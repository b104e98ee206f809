"""A new user's first minutes, in a real browser: sign in, get a terminal, run AWS
commands against the sandbox, edit lines, walk history, cancel, reload."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import TERMINAL_TEXT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username="alice"):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function("document.body.dataset.connected === 'true'")


def terminal_text(page):
    return page.evaluate(TERMINAL_TEXT)


def run_and_wait(page, command, expect):
    page.keyboard.type(command)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([expected]) => document.body.dataset.running === 'false' &&"
        f" ({TERMINAL_TEXT})().includes(expected)",
        arg=[expect],
    )


def test_it_refuses_the_terminal_to_a_stranger(page):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "didn't match" in page.inner_text("body")


def test_it_runs_aws_commands_in_the_browser_terminal(page, alice_profiles, sandbox):
    sign_in(page)
    assert "Welcome, alice" in terminal_text(page)

    run_and_wait(page, "aws sts get-caller-identity", "user/demo")
    text = terminal_text(page)
    assert f'"Arn": "arn:aws:iam::{sandbox.seed.account_id}:user/demo"' in text
    assert re.search(r"\}\s*\n.*\$ *$", text.rstrip() + " ")  # the prompt came back after the JSON

    run_and_wait(page, "aws s3api list-buckets", '"Buckets"')
    run_and_wait(page, "aws iam list-roles", "ConsoleReadOnly")
    run_and_wait(page, "aws s3api create-bucket --bucket denied --profile readonly", "AccessDenied")
    assert "An error occurred (AccessDenied) when calling the CreateBucket operation" in terminal_text(page)
    assert page.console_errors == []


def test_it_edits_lines_and_walks_history(page, alice_profiles):
    sign_in(page)
    page.keyboard.type("aws sts get-caller-identty")
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    page.keyboard.type("i")
    page.keyboard.press("Enter")
    page.wait_for_function(f"({TERMINAL_TEXT})().includes('\"Account\"')")
    page.wait_for_function("document.body.dataset.running === 'false'")

    page.keyboard.press("ArrowUp")
    page.keyboard.press("Home")
    page.keyboard.press("End")
    page.keyboard.type(" --profile admin")
    page.keyboard.press("Enter")
    page.wait_for_function(f"({TERMINAL_TEXT})().includes('assumed-role/ConsoleAdmin/alice')")
    history = json.loads(
        page.evaluate(f"localStorage.getItem('consoleTerminal.history.{alice_profiles.pk}')")
    )
    assert history[-2:] == ["aws sts get-caller-identity", "aws sts get-caller-identity --profile admin"]


def test_it_shows_a_clear_message_for_a_bad_command(page, alice_profiles):
    sign_in(page)
    run_and_wait(page, "aws sts get-caller-identity --output 'unclosed", "quot")
    page.wait_for_function("document.body.dataset.running === 'false'")
    assert "Traceback" not in terminal_text(page)


def test_it_cancels_with_ctrl_c(page, blackhole_profile):
    sign_in(page)
    page.keyboard.type("aws sts get-caller-identity --profile stuck")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.running === 'true'")
    page.wait_for_timeout(500)
    page.keyboard.press("Control+c")
    page.wait_for_function("document.body.dataset.running === 'false'", timeout=5000)
    assert "^C" in terminal_text(page)


def test_it_follows_a_running_command_again_after_a_reload(page, blackhole_profile):
    sign_in(page)
    page.keyboard.type("aws sts get-caller-identity --profile stuck")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.running === 'true'")
    # The page remembers the run once the server has named it (the `started` frame).
    page.wait_for_function("sessionStorage.getItem('consoleTerminal.activeRun') !== null")
    page.reload()
    page.wait_for_function("document.body.dataset.connected === 'true'")
    page.wait_for_function("document.body.dataset.running === 'true'")
    assert "aws sts get-caller-identity --profile stuck" in terminal_text(page)
    page.keyboard.press("Control+c")
    page.wait_for_function("document.body.dataset.running === 'false'", timeout=5000)
    run_and_wait(page, "aws sts get-caller-identity", "user/demo")
    assert page.console_errors == []


def test_it_completes_with_tab(page, alice_profiles):
    sign_in(page)
    page.keyboard.type("aws st")
    page.keyboard.press("Tab")  # several services start with "st": they are listed
    page.wait_for_function(f"({TERMINAL_TEXT})().includes('storagegateway')")
    page.keyboard.type("s")
    page.keyboard.press("Tab")  # one candidate: taken whole, with a space after it
    page.wait_for_function("window.consoleTerminal.line() === 'aws sts '")
    page.keyboard.type("get-caller-i")
    page.keyboard.press("Tab")
    page.wait_for_function("window.consoleTerminal.line() === 'aws sts get-caller-identity '")
    page.keyboard.press("Enter")
    page.wait_for_function(f"({TERMINAL_TEXT})().includes('user/demo')")
