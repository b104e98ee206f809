"""The whole IAM Identity Center flow through the terminal protocol (websocket → real
Celery worker → the sandbox's Identity Center and moto with IAM enforced): `aws configure
sso`, `aws sso login` approved with form posts on the verification page, a command with
the SSO profile, a generic portal operation, logout, then the CLI's "token missing"
message; and Ctrl-C ending a sign-in nobody approves."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import urllib.parse

import pytest
from channels.db import database_sync_to_async

from credentials import sso
from tests.credentials.test_sso import URL_WITH_CODE, decide, identity_center  # noqa: F401 (fixture)
from tests.wsclient import RunResult, open_terminal, receive, run_until, send

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def _run(comm, command, answers=(), approve_as="alice-dir", timeout=30):
    """Run a command, answering its prompts in order and approving any sign-in link."""
    answers = list(answers)
    result = RunResult()
    await send(comm, {"type": "run", "command": command})
    while True:
        frame = await receive(comm, timeout)
        result.frames.append(frame)
        kind = frame["type"]
        if kind == "started":
            result.run_id = frame["run_id"]
        elif kind == "prompt":
            assert answers, f"unexpected question {frame['text']!r}"
            await send(comm, {"type": "answer", "run_id": result.run_id, "text": answers.pop(0)})
        elif kind == "output" and approve_as:
            found = URL_WITH_CODE.search(frame["data"])
            if found:
                base = found.group(1).split("/device", 1)[0]
                await asyncio.to_thread(decide, base, found.group(2), "approve", approve_as)
        elif kind == "exit":
            return result


async def test_configure_login_use_and_logout_through_the_terminal(stack, alice, identity_center):  # noqa: F811
    ic = identity_center
    comm = await _terminal(alice)
    configured = await _run(
        comm,
        f"aws configure sso --endpoint-url {ic.url}",
        ["team", ic.start_url, ic.region, "", "1", "1", "", "", "ssodev"],
    )
    assert configured.code == 0, configured.stderr
    assert "aws sts get-caller-identity --profile ssodev" in configured.stdout

    login = await _run(comm, "aws sso login --profile ssodev")
    assert login.code == 0, login.stderr
    assert f"Successfully logged into Start URL: {ic.start_url}" in login.stdout

    who = await _run(comm, "aws sts get-caller-identity --profile ssodev")
    assert who.code == 0, who.stderr
    arn = json.loads(who.stdout)["Arn"]
    assert re.fullmatch(
        rf"arn:aws:sts::{ic.account_id}:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{{16}}/.+",
        arn,
    ), arn

    accounts = await _run(comm, "aws sso list-accounts --access-token session --profile ssodev")
    assert accounts.code == 0, accounts.stderr
    assert ic.account_id in accounts.stdout

    # Nothing secret in any frame the browser got, nor in the worker's or server's logs.
    token = await database_sync_to_async(sso.load_token)(alice.pk, await _session(alice, "team"))
    frames = json.dumps([r.frames for r in (configured, login, who, accounts)])
    logs = "".join(p.read_text(errors="replace") for p in stack.log_dir.iterdir())
    for secret in (token.access_token, token.refresh_token):
        for encoded in _encodings(secret):
            assert encoded not in frames and encoded not in logs

    logout = await _run(comm, "aws sso logout")
    assert logout.code == 0, logout.stderr

    after = await _run(comm, "aws sts get-caller-identity --profile ssodev")
    assert after.code == 253
    assert "Error loading SSO Token: Token for team does not exist" in after.stderr
    await comm.disconnect()


@database_sync_to_async
def _session(user, name):
    return sso.session_named(user, name, {})


def _encodings(secret):
    return {secret, urllib.parse.quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}


async def test_ctrl_c_ends_a_sign_in_nobody_approves(stack, alice_profiles, identity_center):  # noqa: F811
    comm = await _terminal(alice_profiles)
    result, frame = await run_until(
        comm,
        "aws sso login --profile sandbox-sso",
        lambda frame: frame["type"] == "output" and bool(URL_WITH_CODE.search(frame["data"])),
    )
    await send(comm, {"type": "cancel", "run_id": result.run_id})
    while frame["type"] != "exit":
        frame = await receive(comm, timeout=5)
    assert frame["status"] == "cancelled"
    await comm.disconnect()
