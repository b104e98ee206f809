"""Interpreter and formatter benchmark (issue 3): that parsing a command and formatting a
large result never show in the console's latency.

  parse      a large command line (a 25-item batch-write-item JSON, 1,000 resource ids,
             a 100 KB argument bare and quoted)
  format     10,000 paginated records as text and as table, in process
  first      time to the first output chunk of a 10,000-item DynamoDB scan through the
             whole console (websocket → worker → sandbox → websocket), text and table

Usage: `.venv/bin/python bench/cli.py` (env BENCH_ROUNDS, default 200)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import harness

ITEMS = 10_000
TABLE = "bench-items"


def large_command_lines() -> dict[str, str]:
    requests = [
        {"PutRequest": {"Item": {"pk": {"S": f"item-{i}"}, "body": {"S": "x" * 200}, "n": {"N": str(i)}}}}
        for i in range(25)
    ]
    ids = " ".join(f"i-{n:017x}" for n in range(1000))
    items = json.dumps({TABLE: requests})
    tags = json.dumps([{"Key": "team", "Value": "web"}])
    big = "x" * 100_000
    return {
        "batch-write-item (25 items, JSON)": f"aws dynamodb batch-write-item --request-items '{items}'",
        "create-tags (1,000 ids)": f"aws ec2 create-tags --resources {ids} --tags '{tags}'",
        "send-message (a 100 KB word)": f"aws sqs send-message --queue-url q --message-body {big}",
        "send-message (a 100 KB quoted word)": f"aws sqs send-message --queue-url q --message-body '{big}'",
    }


def measure_parse(rounds: int) -> None:
    from console.interpreter import parse_command

    print("Interpreting a large command line (parse and build parameters):")
    for name, line in large_command_lines().items():
        parse_command(line)
        samples = []
        for _ in range(rounds):
            began = time.perf_counter()
            parse_command(line)
            samples.append(time.perf_counter() - began)
        harness.report(f"{name} [{len(line) // 1024} KB]", samples)


def measure_formatting() -> None:
    from bench.formatting import time_formatting

    print(f"Formatting {ITEMS:,} paginated records in process (10 pages):")
    for output, figures in time_formatting(ITEMS, 1_000).items():
        first, total = figures["first"] * 1000, figures["total"] * 1000
        print(f"  {output:<6} first chunk {first:8.1f} ms   all {total:8.1f} ms")


def seed_table(console: harness.Console) -> None:
    import botocore.session

    session = botocore.session.get_session()
    sts = session.create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=console.sandbox_url,
        aws_access_key_id=console.seed.access_key_id,
        aws_secret_access_key=console.seed.secret_access_key,
    )
    creds = sts.assume_role(RoleArn=console.seed.admin_role_arn, RoleSessionName="bench")["Credentials"]
    ddb = session.create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=console.sandbox_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    for start in range(0, ITEMS, 25):
        batch = [
            {"PutRequest": {"Item": {"pk": {"S": f"item-{n:05d}"}, "n": {"N": str(n)}, "team": {"S": "web"}}}}
            for n in range(start, start + 25)
        ]
        ddb.batch_write_item(RequestItems={TABLE: batch})


def first_chunk(ws: Any, command: str) -> tuple[float, float]:
    began = time.perf_counter()
    ws.send(json.dumps({"type": "run", "command": command, "cols": 120}))
    first = None
    while True:
        frame = json.loads(ws.recv())
        if frame["type"] == "output" and first is None:
            first = time.perf_counter() - began
        if frame["type"] == "exit":
            if frame["code"] != 0:
                raise RuntimeError(f"{command!r} failed: {frame}")
            return first or 0.0, time.perf_counter() - began


def measure_first_chunk(console: harness.Console, rounds: int = 3) -> None:
    seed_table(console)
    print(f"A {ITEMS:,}-item DynamoDB scan through the console (1,000 items a page):")
    with console.terminal() as ws:
        for output in ("text", "table"):
            command = (
                f"aws dynamodb scan --table-name {TABLE} --page-size 1000 --output {output} --profile admin"
            )
            runs = [first_chunk(ws, command) for _ in range(rounds)]
            harness.report(f"{output}: first chunk", [r[0] for r in runs])
            harness.report(f"{output}: exit frame", [r[1] for r in runs])


def main() -> int:
    harness.prepare_environment()
    measure_parse(int(os.environ.get("BENCH_ROUNDS", "200")))
    measure_formatting()
    with harness.running_console() as console:
        measure_first_chunk(console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
