"""Through the whole stack (websocket → DB → real Celery worker → sandbox with IAM
enforced): an MFA-protected profile prompts in the terminal and then reuses its session,
the API takes the code from stdin, a cross-account chain names the console user, and
`aws sts get-session-token` with an MFA code works as a plain command."""

from __future__ import annotations

import json
import time

import pytest

from console.runs import submission
from console.runs.models import CommandRun, OutputChunk, RunSource
from credentials.services import save_profile
from tests.wsclient import (
    collect_until_exit,
    is_prompt,
    open_terminal,
    receive,
    run_command,
    run_until,
    send,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def profiles(stack, alice_profiles, sandbox):
    common = {"region": "us-east-1", "endpoint_url": sandbox.url}
    save_profile(
        alice_profiles,
        "mfa",
        {
            **common,
            "role_arn": sandbox.seed.admin_role_arn,
            "source_profile": "default",
            "mfa_serial": f"arn:aws:iam::{sandbox.seed.account_id}:mfa/demo",
        },
    )
    save_profile(
        alice_profiles,
        "cross",
        {**common, "role_arn": sandbox.seed.cross_account_role_arn, "source_profile": "admin"},
    )
    return alice_profiles


async def _terminal(user):
    comm, connected, _ = await open_terminal(user)
    assert connected
    assert (await receive(comm))["type"] == "hello"
    return comm


async def test_an_mfa_profile_prompts_once_and_reuses_its_session(profiles, sandbox):
    comm = await _terminal(profiles)
    result, frame = await run_until(comm, "aws sts get-caller-identity --profile mfa", is_prompt)
    assert frame["secret"] is True
    assert frame["text"] == f"Enter MFA code for arn:aws:iam::{sandbox.seed.account_id}:mfa/demo: "
    await send(comm, {"type": "answer", "run_id": result.run_id, "text": "482913"})
    result = await collect_until_exit(comm, result)
    assert result.code == 0, result.stderr
    assert (
        json.loads(result.stdout)["Arn"]
        == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/alice"
    )
    again = await run_command(comm, "aws s3api list-buckets --profile mfa")
    assert again.code == 0 and not [f for f in again.frames if f["type"] == "prompt"]
    await comm.disconnect()


async def test_a_cross_account_chain_names_the_console_user(profiles, sandbox):
    comm = await _terminal(profiles)
    result = await run_command(comm, "aws sts get-caller-identity --profile cross")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Arn"] == (
        f"arn:aws:sts::{sandbox.seed.second_account_id}:assumed-role/CrossAccountAdmin/alice"
    )
    buckets = await run_command(
        comm, "aws s3api list-buckets --profile cross --query Buckets[].Name --output text"
    )
    assert buckets.stdout == "cross-account-demo-bucket\n"
    await comm.disconnect()


async def test_get_session_token_with_an_mfa_code_runs(profiles, sandbox):
    comm = await _terminal(profiles)
    result = await run_command(
        comm,
        f"aws sts get-session-token --serial-number arn:aws:iam::{sandbox.seed.account_id}:mfa/demo "
        "--token-code 123456",
    )
    assert result.code == 0, result.stderr
    assert set(json.loads(result.stdout)["Credentials"]) == {
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    }
    await comm.disconnect()


def _wait_final(run_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = CommandRun.objects.get(pk=run_id)
        if run.is_final:
            return run
        time.sleep(0.1)
    raise AssertionError("the run did not finish")


def test_over_the_api_the_mfa_code_comes_from_stdin(profiles, sandbox):
    run = submission.submit_run(
        profiles, "aws sts get-caller-identity --profile mfa", source=RunSource.API, stdin="551177\n"
    )
    run = _wait_final(run.pk)
    output = "".join(OutputChunk.objects.filter(run=run).order_by("seq").values_list("data", flat=True))
    assert run.exit_code == 0, output
    assert "assumed-role/ConsoleAdmin/alice" in output
    assert CommandRun.objects.get(pk=run.pk).sealed_stdin == ""  # taken once, then wiped


def test_over_the_api_without_stdin_it_says_how_to_give_the_code(profiles):
    run = _wait_final(
        submission.submit_run(profiles, "aws sts get-caller-identity --profile mfa", source=RunSource.API).pk
    )
    output = "".join(OutputChunk.objects.filter(run=run).values_list("data", flat=True))
    assert run.exit_code == 255
    assert output == "No MFA code was entered, so the role was not assumed.\n"


async def test_the_terminals_environment_picks_the_profile_and_region(profiles, sandbox):
    comm = await _terminal(profiles)
    assert (await run_command(comm, "export AWS_PROFILE=cross AWS_DEFAULT_REGION=eu-west-1")).code == 0
    who = await run_command(comm, "aws sts get-caller-identity")
    assert json.loads(who.stdout)["Arn"].endswith(":assumed-role/CrossAccountAdmin/alice")
    listing = await run_command(comm, "aws configure list")
    lines = listing.stdout.splitlines()
    assert lines[2] == "   profile                    cross              env    AWS_PROFILE"
    assert lines[5] == "    region                eu-west-1              env    AWS_DEFAULT_REGION"
    assert (await run_command(comm, "env")).stdout == "AWS_DEFAULT_REGION=eu-west-1\nAWS_PROFILE=cross\n"
    await run_command(comm, "unset AWS_PROFILE")
    who = await run_command(comm, "aws sts get-caller-identity")
    assert json.loads(who.stdout)["Arn"] == f"arn:aws:iam::{sandbox.seed.account_id}:user/demo"
    await comm.disconnect()


async def test_aws_configure_asks_its_questions_in_the_terminal(profiles):
    comm = await _terminal(profiles)
    await send(comm, {"type": "run", "command": "aws configure --profile fresh"})
    questions = []
    answers = iter(["", "", "ap-northeast-1", "table"])
    while True:
        frame = await receive(comm)
        if frame["type"] == "prompt":
            questions.append((frame["text"], frame["secret"]))
            await send(comm, {"type": "answer", "run_id": frame["run_id"], "text": next(answers)})
        if frame["type"] == "exit":
            break
    assert frame["code"] == 0
    assert questions == [
        ("AWS Access Key ID [None]: ", True),
        ("AWS Secret Access Key [None]: ", True),
        ("Default region name [None]: ", False),
        ("Default output format [None]: ", False),
    ]
    got = await run_command(comm, "aws configure get region --profile fresh")
    assert got.stdout == "ap-northeast-1\n"
    await comm.disconnect()
