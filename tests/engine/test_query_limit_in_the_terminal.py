"""A query that doubles its result every few characters ends its run through the whole
stack with the console's message and the CLI's exit code for other errors (255), within
the worker's memory, and the worker goes on taking commands."""

from __future__ import annotations

import pytest

from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

# The shape the review found (its 109 characters printed 18 MB from a larger account):
# each `[@,@][]` doubles a real list; 2^20 copies of the sandbox's users.
DOUBLING = "Users[*].[@,@][]" + "[@,@][]" * 19


async def test_it_ends_a_run_whose_query_grows_past_the_limit(stack, alice_profiles):
    comm, connected, _ = await open_terminal(alice_profiles)
    assert connected and (await receive(comm))["type"] == "hello"
    stopped = await run_command(comm, f"aws iam list-users --profile admin --query '{DOUBLING}'", timeout=60)
    after = await run_command(comm, "aws sts get-caller-identity")
    await comm.disconnect()
    assert (stopped.code, stopped.exit["status"]) == (255, "failed")
    assert stopped.stdout == ""
    assert "console: the --query result grew past 16 MiB" in stopped.stderr
    assert after.code == 0
