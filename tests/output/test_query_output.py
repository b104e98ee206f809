"""`--query` is applied as the CLI applies it (after ResponseMetadata is dropped and
timestamps are text), and each result shape prints as the CLI prints it in every format."""

from __future__ import annotations

import pytest

from tests.output.shapes import EC2, SHAPES
from tests.output.test_text_output import expect_same_as_cli

QUERIES = [
    "Reservations[].Instances[].InstanceId",
    "Reservations[].Instances[].[InstanceId, State.Name]",
    "Reservations[].Instances[].{Id: InstanceId, Name: Tags[?Key=='Name'] | [0].Value, Tags: Tags}",
    "Reservations[].Instances[].{Id: InstanceId, Launched: LaunchTime}",
    "Reservations[0].Instances[0].InstanceId",
    "Reservations[0].Instances[0]",
    "Reservations[0].Instances[0].LaunchTime",
    "Reservations[].Instances[?LaunchTime > '2024-05-02'].InstanceId",
    "Reservations[].Instances[?State.Name=='stopped'] | []",
    "length(Reservations[].Instances[])",
    "Reservations[].Instances[].Tags[]",
    "Reservations[].Instances[].Tags",
    "Reservations[].Instances[].EbsOptimized",
    "Reservations[*].[ReservationId, Instances[*].InstanceId]",
    "sort_by(Reservations[].Instances[], &InstanceId)[-1].PrivateIpAddress",
    "ResponseMetadata",
    "Missing",
    "`{}`",
    "`[]`",
    "`0`",
    "`false`",
    '`""`',
]


@pytest.mark.parametrize("output", ["json", "text", "table"])
@pytest.mark.parametrize("query", QUERIES)
def test_it_applies_query_as_the_cli(query, output):
    expect_same_as_cli(output, EC2, query=query, title="DescribeInstances")


@pytest.mark.parametrize("output", ["json", "text", "table"])
@pytest.mark.parametrize(
    "name, query",
    [
        ("list-buckets", "Buckets[].Name"),
        ("list-buckets", "Buckets[?Name=='alpha'].CreationDate | [0]"),
        ("list-buckets", "Owner.ID"),
        ("iam-list-users", "Users[].[UserName, CreateDate]"),
        ("iam-list-users", "Users[].PasswordLastUsed"),
        ("blob", "Plaintext"),
        ("map-of-strings", "Tags"),
        ("map-of-strings", "keys(Tags)"),
        ("map-of-maps", "Item.*"),
        ("unicode", "[Name, Emoji]"),
    ],
)
def test_it_applies_query_to_every_shape_as_the_cli(name, query, output):
    expect_same_as_cli(output, SHAPES[name], query=query, title="Operation")
