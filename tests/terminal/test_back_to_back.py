"""Commands sent back to back, each as soon as the last one's exit arrives, as a script
or a fast typist does: every one gets its exit frame. The terminal's poller of the last
run once woke during the next run's submission, found no row yet and forgot the new run
(or cleared its id after sending the old exit), so the new run's exit never came —
bench/load.py saw 79 of 500 commands wait forever. A 1 ms poll makes the race certain."""

from __future__ import annotations

import pytest

from tests.terminal.test_long_lines import signed_in
from tests.wsclient import run_command

pytestmark = pytest.mark.django_db(transaction=True)


async def test_every_command_sent_at_the_last_exit_gets_its_own_exit(
    stack, alice, alice_profiles, monkeypatch
):
    from console.terminal import consumers

    monkeypatch.setattr(consumers, "POLL_SECONDS", 0.001)
    comm = await signed_in(alice)
    # Run by the worker: their exits come through the doorbell or the poller, whichever
    # is first, while the poller of the run before may still be awake.
    for number in range(40):
        result = await run_command(comm, "aws sts get-caller-identity", timeout=15)
        assert (result.exit["status"], result.code) == ("succeeded", 0), (number, result.stderr)
        assert [f["type"] for f in result.frames].count("exit") == 1
    await comm.disconnect()
