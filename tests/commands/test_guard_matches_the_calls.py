"""What `guard explain` says an `aws s3` command needs is what the command really calls:
each command runs against the sandbox (a real moto server over HTTP), the run records
every AWS call it made, and the actions of those calls are the ones the classification
names. And explaining a command sends nothing."""

from __future__ import annotations

import uuid

import pytest

from console.engine.access_levels import classify, classify_s3, combine
from console.interpreter import parse_command
from tests.audit.conftest import run_line

pytestmark = pytest.mark.django_db

# Each line runs (as alice's admin role) on a world where it makes every call it can:
# `{a}` holds `k`, `docs/x` and a folder marker, `{b}` exists.
LINES = [
    "aws s3 ls",
    "aws s3 ls s3://{a}/",
    "aws s3 mb s3://{c}",
    "aws s3 cp s3://{a}/k s3://{b}/k",
    "aws s3 cp s3://{a}/ s3://{b}/ --recursive",
    "aws s3 mv s3://{a}/k s3://{b}/k",
    "aws s3 mv s3://{a}/docs s3://{b}/docs --recursive",
    "aws s3 rm s3://{a}/k",
    "aws s3 rm s3://{a}/docs --recursive",
    "aws s3 rm s3://{a}",
    "aws s3 rb s3://{b}",
    "aws s3 rb s3://{a} --force",
]


@pytest.fixture
def buckets(alice_profiles):
    names = {key: f"guard-{key}-{uuid.uuid4().hex[:10]}" for key in "abc"}
    for command in [
        f"aws s3 mb s3://{names['a']}",
        f"aws s3 mb s3://{names['b']}",
        f"aws s3api put-object --bucket {names['a']} --key k",
        f"aws s3api put-object --bucket {names['a']} --key docs/x",
        f"aws s3api put-object --bucket {names['a']} --key folder/",
    ]:
        code, sink, _ = run_line(alice_profiles, f"{command} --profile admin")
        assert code == 0, sink.stderr
    return names


@pytest.mark.parametrize("template", LINES)
def test_the_classification_names_the_actions_of_the_calls_made(alice_profiles, buckets, template):
    line = template.format(**buckets)
    code, sink, recorded = run_line(alice_profiles, f"{line} --profile admin")
    assert code == 0, sink.stderr
    made = combine(classify(call.service, call.operation) for call in recorded.calls)
    explained = classify_s3(parse_command(line))  # type: ignore[arg-type]
    assert set(made.actions) == set(explained.actions)
    assert made.level == explained.level


def test_explaining_a_command_sends_nothing(alice_profiles, buckets):
    line = f"guard explain aws s3 rb s3://{buckets['a']} --force"
    code, sink, recorded = run_line(alice_profiles, line)
    assert (code, recorded.calls) == (0, ())
    assert "s3:DeleteBucket  Write\n" in sink.stdout
    code, sink, _ = run_line(alice_profiles, f"aws s3 ls s3://{buckets['a']}/ --profile admin")
    assert (code, sink.stdout.count("\n")) == (0, 3)  # k, docs/ and folder/ are all still there
