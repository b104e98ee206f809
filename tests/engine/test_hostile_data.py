"""Values written by anyone reach the terminal as text, never as terminal commands.

An S3 key and an SSM parameter's tag are seeded in the sandbox with a clear-screen, an
OSC 8 link whose text hides its target, a cursor-position query (whose reply a terminal
would type into the next line), BEL and 8-bit CSI/OSC; then the whole stack lists them
(websocket → worker → botocore → moto) in every output format, with `aws s3 ls`, and in
an error message AWS echoes. Each shows the characters visibly, the terminal's own table
colours still work, and ordinary unicode prints as it is."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import yaml
from channels.db import database_sync_to_async

from credentials import broker
from credentials.clients import get_client
from tests.wsclient import open_terminal, receive, run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

HOSTILE = (
    "evil\x1b[2J\x1b[H$ session expired, password:"
    "\x1b]8;;http://evil.example/\x07https://console.aws.amazon.com\x1b]8;;\x07"
    "\x1b[6n\x07\x9b31m\x9d0;title\x9c\x7f-é日本😀"
)
ORDINARY = "plain é 日本 😀"
# Raw control characters other than tab and newline; the console's colours stripped first.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONSOLE_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
SHOWN = "evil\\x1b[2J\\x1b[H$ session expired"

EXPECTED_FORMS = {
    "text": [
        SHOWN,
        "\\x1b]8;;http://evil.example/\\x07",
        "\\x1b[6n\\x07\\x9b31m\\x9d0;title\\x9c\\x7f-é日本😀",
    ],
    "table": [SHOWN, "\\x1b[6n\\x07\\x9b31m\\x9d0;title\\x9c\\x7f-é日本😀"],
    "json": ["evil\\u001b[2J\\u001b[H$", "\\u001b[6n\\u0007\\u009b31m\\u009d0;title\\u009c\\u007f-é日本😀"],
    "yaml": ["evil\\e[2J\\e[H$", "\\e[6n\\a\\x9B31m\\x9D0;title\\x9C\\x7F-"],
    "yaml-stream": ["evil\\e[2J\\e[H$", "\\e[6n\\a\\x9B31m\\x9D0;title\\x9C\\x7F-"],
}


def _parsed(output: str, printed: str) -> object:
    if output == "json":
        return json.loads(printed)
    return yaml.safe_load(printed)


@database_sync_to_async
def _seed(user) -> dict[str, str]:
    session = broker.resolve_session(user, profile="admin")

    def client(service: str):
        return get_client(
            service, region="us-east-1", endpoint_url=session.endpoint_url, credentials=session.credentials
        )

    bucket, parameter = f"hostile-{uuid.uuid4().hex[:10]}", f"/hostile/{uuid.uuid4().hex[:10]}"
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    for key in (HOSTILE, ORDINARY):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    ssm = client("ssm")
    ssm.put_parameter(Name=parameter, Value="v", Type="String")
    ssm.add_tags_to_resource(
        ResourceType="Parameter",
        ResourceId=parameter,
        Tags=[{"Key": "note", "Value": HOSTILE}, {"Key": "plain", "Value": ORDINARY}],
    )
    return {"bucket": bucket, "parameter": parameter}


@pytest.fixture
def seeded(stack, alice_profiles):
    return alice_profiles


async def _terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


def _assert_shown(printed: str, output: str, *, ordinary: bool = True) -> None:
    assert CONTROL.search(CONSOLE_COLOURS.sub("", printed)) is None, repr(printed)
    for form in EXPECTED_FORMS[output]:
        assert form in printed, (form, printed)
    assert ORDINARY in printed or not ordinary


@pytest.mark.parametrize("output", list(EXPECTED_FORMS))
async def test_it_shows_control_characters_of_aws_data_in_every_format(seeded, output):
    names = await _seed(seeded)
    comm = await _terminal(seeded)
    listed = await run_command(
        comm,
        f"aws s3api list-objects-v2 --bucket {names['bucket']} --query Contents[].Key"
        f" --output {output} --profile admin",
    )
    tags = await run_command(
        comm,
        "aws ssm list-tags-for-resource --resource-type Parameter"
        f" --resource-id {names['parameter']} --output {output} --profile admin",
    )
    await comm.disconnect()
    for result in (listed, tags):
        assert result.code == 0, result.stderr
        _assert_shown(result.stdout, output)
    if output in ("json", "yaml"):
        # These formats escape in their own syntax: the values read back exactly.
        assert sorted(_parsed(output, listed.stdout)) == sorted([HOSTILE, ORDINARY])


async def test_it_keeps_the_tables_own_colours_on_a_terminal(seeded):
    names = await _seed(seeded)
    comm = await _terminal(seeded)
    result = await run_command(
        comm,
        f"aws s3api list-objects-v2 --bucket {names['bucket']} --query Contents[].Key"
        " --output table --color on --profile admin",
    )
    await comm.disconnect()
    assert result.code == 0, result.stderr
    assert f"\x1b[1m\x1b[34m{SHOWN}" in result.stdout  # the value, escaped, then coloured
    _assert_shown(result.stdout, "table")


async def test_it_shows_control_characters_in_s3_listings_and_aws_error_messages(seeded):
    names = await _seed(seeded)
    comm = await _terminal(seeded)
    listing = await run_command(comm, f"aws s3 ls s3://{names['bucket']}/ --recursive --profile admin")
    missing = await run_command(comm, f"aws ssm get-parameter --name '/missing/{HOSTILE}' --profile admin")
    await comm.disconnect()
    assert listing.code == 0, listing.stderr
    _assert_shown(listing.stdout, "text")
    assert missing.code == 254
    assert "ParameterNotFound" in missing.stderr
    _assert_shown(missing.stderr, "text", ordinary=False)
