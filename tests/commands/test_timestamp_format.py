"""`cli_timestamp_format` in a profile decides how timestamps print, end to end (through
the terminal, the worker and a real moto server): iso8601 is AWS CLI v2's default, `none`
(and `wire`) keep the text the service sent, and a value the CLI does not know fails as
the CLI fails."""

from __future__ import annotations

import json
import re

import pytest

from credentials.profiles import load_profiles
from credentials.services import set_value
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


async def _created_dates(user, line: str) -> tuple[list[str], str, int]:
    comm, connected, _ = await open_terminal(user)
    assert connected and (await receive(comm))["type"] == "hello"
    result = await run_command(comm, line)
    await comm.disconnect()
    if result.code != 0:
        return [], result.stderr, result.code
    return [role["CreateDate"] for role in json.loads(result.stdout)["Roles"]], "", 0


async def test_it_prints_iso8601_by_default(stack, alice_profiles):
    dates, _, code = await _created_dates(alice_profiles, "aws iam list-roles")
    assert code == 0 and dates and all(ISO8601.match(d) for d in dates), dates


@pytest.mark.parametrize("value", ["none", "wire"])
async def test_it_keeps_the_wire_text_with_none(stack, alice_profiles, value):
    from channels.db import database_sync_to_async

    await database_sync_to_async(set_value)(alice_profiles, "default", "cli_timestamp_format", value)
    dates, _, code = await _created_dates(alice_profiles, "aws iam list-roles")
    # moto sends IAM's wire form (ending in Z), which iso8601 would have turned into +00:00.
    assert code == 0 and dates and all(d.endswith("Z") and not ISO8601.match(d) for d in dates), dates


async def test_it_refuses_an_unknown_format_as_the_cli_does(stack, alice_profiles):
    from channels.db import database_sync_to_async

    await database_sync_to_async(set_value)(alice_profiles, "default", "cli_timestamp_format", "epoch")
    _, stderr, code = await _created_dates(alice_profiles, "aws iam list-roles")
    assert code == 255
    assert 'Unknown cli_timestamp_format value: epoch, valid values are "none", "wire" or "iso8601"' in stderr


def test_it_reads_the_format_from_the_profile(alice_profiles):
    set_value(alice_profiles, "default", "cli_timestamp_format", "none")
    assert load_profiles(alice_profiles)["default"].settings["cli_timestamp_format"] == "none"
