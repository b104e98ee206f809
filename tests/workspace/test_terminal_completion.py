"""Tab in the terminal completes workspace paths: the consumer asks the commands layer,
which reads the terminal's current directory and lists the workspace."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from console.workspace.service import Workspace, save_cwd
from tests.wsclient import open_terminal, receive, send

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _lay_out(user) -> None:
    ws = Workspace(user)
    ws.make_dir(ws.locate("conf"))
    ws.write(ws.locate("conf/policy.json"), [b"{}"])
    ws.write(ws.locate("conf/params.yaml"), [b"a: 1"])
    save_cwd(user, "t1", ("conf",))


async def test_it_completes_file_values_from_the_terminals_directory(alice):
    await _lay_out(alice)
    comm, connected, _ = await open_terminal(alice, terminal="t1")
    assert connected and (await receive(comm))["type"] == "hello"
    line = "aws iam create-policy --policy-document file://po"
    await send(comm, {"type": "complete", "line": line, "cursor": len(line)})
    assert (await receive(comm))["candidates"] == ["file://policy.json"]
    await send(comm, {"type": "complete", "line": "cat ~/c", "cursor": 7})
    assert (await receive(comm))["candidates"] == ["~/conf/"]
    await comm.disconnect()
