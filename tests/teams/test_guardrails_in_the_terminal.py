"""Guardrail policies through the whole stack (websocket or API → DB → real Celery worker →
sandbox with IAM enforced): on the demo team's admin profile, whose role may do
everything, the policy alone decides. A refused command sends nothing (the bucket it would
have made does not exist, its run records no call) and ends `rejected`; a confirmation is
the profile's name, typed in the terminal or sent as the API's `confirm`; every refusal
and confirmation outcome is in the audit log with the level and the profile."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from console.api.tokens import create_token
from console.demo import install_team_demo
from console.engine.policies import PRESETS
from console.portal import services as portal
from console.runs.models import AuditEvent, CommandRun
from console.teams import services
from credentials import broker
from credentials.clients import get_client
from credentials.models import ConfigSection
from tests.api.conftest import bearer
from tests.wsclient import collect_until_exit, is_prompt, open_terminal, receive, run_command, run_until, send

pytestmark = [pytest.mark.django_db(transaction=True)]

ADMIN = "platform/admin"


@pytest.fixture
def platform(stack, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)


def _set_policy(policy):
    alice = get_user_model().objects.get(username="alice")
    section = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    services.set_team_policy(alice, section, policy, production=False)


def _bucket_names():
    alice = get_user_model().objects.get(username="alice")
    session = broker.resolve_session(alice, profile=ADMIN)  # no gate: the test looks, as admin
    s3 = get_client(
        "s3", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    return {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}


def _guardrail_events(run_id):
    return list(
        AuditEvent.objects.filter(run_id=run_id, action__startswith="console:guardrail:").values_list(
            "action", "data"
        )
    )


def _bucket():
    return f"guard-{uuid.uuid4().hex[:12]}"


async def _terminal():
    user = await database_sync_to_async(get_user_model().objects.get)(username="alice")
    comm, connected, _ = await open_terminal(user)
    assert connected and (await receive(comm))["type"] == "hello"
    return comm


async def _run_answering(comm, command, answer):
    """Run `command`; answer its one prompt with `answer`; returns the result and the prompt."""
    result, frame = await run_until(comm, command, is_prompt)
    await send(comm, {"type": "answer", "run_id": result.run_id, "text": answer})
    return await collect_until_exit(comm, result), frame


async def _final(run_id):
    return await database_sync_to_async(CommandRun.objects.get)(pk=run_id)


async def test_read_only_lists_and_refuses_a_write_sending_nothing(platform):
    await database_sync_to_async(_set_policy)("read-only")
    comm = await _terminal()
    listed = await run_command(comm, f"aws s3api list-buckets --profile {ADMIN}")
    assert listed.code == 0, listed.stderr
    bucket = _bucket()
    refused = await run_command(comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}")
    await comm.disconnect()
    assert (refused.exit["status"], refused.code) == ("rejected", 254)
    assert refused.stderr == (
        f"guardrail: aws s3api create-bucket is Write; profile {ADMIN} denies it (ask a team admin)\n"
    )
    run = await _final(refused.run_id)
    assert (run.aws_call_count, run.reason) == (0, f"guardrail: Write denied on {ADMIN}")
    assert bucket not in await database_sync_to_async(_bucket_names)()
    events = await database_sync_to_async(_guardrail_events)(refused.run_id)
    assert [(action, data["level"], data["profile"]) for action, data in events] == [
        ("console:guardrail:denied", "Write", ADMIN)
    ]


async def test_careful_asks_and_the_profile_name_runs_it(platform):
    await database_sync_to_async(_set_policy)("careful")
    comm = await _terminal()
    bucket = _bucket()
    result, prompt = await _run_answering(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}", ADMIN
    )
    await comm.disconnect()
    assert (prompt["text"], prompt["secret"]) == (f"Type the profile name ({ADMIN}) to run it: ", False)
    assert result.code == 0, result.stderr
    assert (
        result.stderr
        == f"guardrail: aws s3api create-bucket is Write; profile {ADMIN} asks you to confirm it.\n"
    )
    assert bucket in await database_sync_to_async(_bucket_names)()
    events = await database_sync_to_async(_guardrail_events)(result.run_id)
    assert [(action, data["level"]) for action, data in events] == [("console:guardrail:confirmed", "Write")]


@pytest.mark.parametrize(
    ("answer", "said"), [("platform/readonly", "the answer did not match"), ("", "the answer was empty")]
)
async def test_careful_with_a_wrong_answer_creates_nothing(platform, answer, said):
    await database_sync_to_async(_set_policy)("careful")
    comm = await _terminal()
    bucket = _bucket()
    result, _ = await _run_answering(
        comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}", answer
    )
    await comm.disconnect()
    assert (result.exit["status"], result.code) == ("rejected", 254)
    assert result.stderr.endswith(
        f"guardrail: aws s3api create-bucket is Write; profile {ADMIN} needs its name typed to run "
        f"it, and {said}: nothing was sent\n"
    )
    assert bucket not in await database_sync_to_async(_bucket_names)()
    events = await database_sync_to_async(_guardrail_events)(result.run_id)
    assert [action for action, _ in events] == ["console:guardrail:unconfirmed"]
    assert (await _final(result.run_id)).aws_call_count == 0


async def test_a_policy_denying_permissions_management_refuses_attach_user_policy(platform):
    await database_sync_to_async(_set_policy)({**PRESETS["open"], "Permissions management": "deny"})
    comm = await _terminal()
    attach = await run_command(
        comm,
        f"aws iam attach-user-policy --user-name guard-{uuid.uuid4().hex[:8]} "
        f"--policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess --profile {ADMIN}",
    )
    # AWS's data rates iam:CreateUser as Write: allowed by this policy, and it runs.
    created = await run_command(
        comm, f"aws iam create-user --user-name guard-{uuid.uuid4().hex[:8]} --profile {ADMIN}"
    )
    await comm.disconnect()
    assert (attach.exit["status"], attach.code) == ("rejected", 254)
    assert attach.stderr == (
        f"guardrail: aws iam attach-user-policy is Permissions management; profile {ADMIN} denies it "
        "(ask a team admin)\n"
    )
    assert created.code == 0, created.stderr


async def test_aws_profile_names_the_profile_whose_policy_decides(platform):
    await database_sync_to_async(_set_policy)("read-only")
    comm = await _terminal()
    assert (await run_command(comm, f"export AWS_PROFILE={ADMIN}")).code == 0
    refused = await run_command(comm, f"aws s3 mb s3://{_bucket()}")
    await comm.disconnect()
    assert refused.exit["status"] == "rejected"
    assert refused.stderr.startswith(f"guardrail: aws s3 mb is Write; profile {ADMIN} denies it")


def _api_run(body):
    alice = get_user_model().objects.get(username="alice")
    answer = Client().post(
        "/api/v1/runs",
        json.dumps({**body, "wait": True}),
        content_type="application/json",
        headers=bearer(create_token(alice)),
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.mark.parametrize(
    ("confirm", "status"), [(ADMIN, "succeeded"), (None, "rejected"), ("admin", "rejected")]
)
async def test_an_api_client_confirms_with_the_confirm_field(platform, confirm, status):
    await database_sync_to_async(_set_policy)("careful")
    bucket = _bucket()
    body = {"command": f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}"}
    if confirm is not None:
        body["confirm"] = confirm
    run = await database_sync_to_async(_api_run)(body)
    assert run["status"] == status, run
    assert (bucket in await database_sync_to_async(_bucket_names)()) == (status == "succeeded")
    outcome = "confirmed" if status == "succeeded" else "unconfirmed"
    events = await database_sync_to_async(_guardrail_events)(run["id"])
    assert [action for action, _ in events] == [f"console:guardrail:{outcome}"]


def _portal_test():
    alice = get_user_model().objects.get(username="alice")
    section = ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")
    return portal.test_profile(alice, section)


async def test_the_portals_test_button_cannot_confirm_and_is_refused(platform):
    await database_sync_to_async(_set_policy)({**PRESETS["open"], "Read": "confirm"})
    run = await database_sync_to_async(_portal_test)()
    assert (run.status, run.exit_code, run.aws_call_count) == ("rejected", 254, 0)
    assert run.reason == f"guardrail: Read not confirmed on {ADMIN}"


async def test_a_rerun_passes_the_same_check(platform):
    comm = await _terminal()
    bucket = _bucket()
    made = await run_command(comm, f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}")
    assert made.code == 0, made.stderr
    await database_sync_to_async(_set_policy)("read-only")
    again = await run_command(comm, f"rerun {uuid.UUID(made.run_id).hex[:8]}")
    await comm.disconnect()
    assert again.exit["status"] == "rejected"
    assert again.stderr.endswith(f"profile {ADMIN} denies it (ask a team admin)\n")
