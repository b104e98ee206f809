"""Read-only grants against the sandbox with IAM enforced, on the demo team's admin
profile (its role may do everything, so only the grant makes a difference).

What AWS would enforce cannot be shown here: moto 5.2.5 ignores STS session policies
(tests/sandbox/test_session_policies.py), so a session assumed with `ReadOnlyAccess` in
`PolicyArns` still creates buckets in the sandbox. These tests therefore check two things
apart, and say which is which:

- what the console enforces: a write by a read-only member is refused by the worker's
  guardrail before any request (the run sends nothing), through the whole stack;
- what we send: the AssumeRole the broker makes for a read-only member carries
  `PolicyArns=[ReadOnlyAccess]`, read from the request bytes botocore sends the sandbox
  (its `before-send` hook), and the cached sessions of a read-only and a full use are
  never one another's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from console.commands import guardrail
from console.demo import install_team_demo
from console.engine.access_levels import AccessLevel, Classification
from console.engine.policies import PRESETS, at_least
from console.interpreter import parse_command
from console.runs.models import AuditEvent, CommandRun
from console.teams import services
from console.teams.models import Grant, Role
from credentials import broker
from credentials.clients import botocore_session, clear_clients, get_client
from credentials.models import ConfigSection
from credentials.profiles import load_sections
from credentials.services import save_profile
from tests.wsclient import open_terminal, receive, run_command

ADMIN = "platform/admin"
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@dataclass
class AssumeRoles:
    """The AssumeRole requests botocore sends from now on, as the sandbox receives them."""

    sent: list[dict[str, list[str]]] = field(default_factory=list)

    def __call__(self, request: Any, **kwargs: Any) -> None:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        fields = parse_qs(body)
        if fields.get("Action") == ["AssumeRole"]:
            self.sent.append(fields)

    def session_policies(self) -> list[list[str] | None]:
        """Per AssumeRole, the PolicyArns it carried (None: none)."""
        return [sent.get("PolicyArns.member.1.arn") for sent in self.sent]


@pytest.fixture
def assume_roles() -> Any:
    recorder = AssumeRoles()
    clear_clients()
    botocore_session().register("before-send.sts", recorder)
    yield recorder
    botocore_session().unregister("before-send.sts", recorder)
    clear_clients()


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _admin_section() -> ConfigSection:
    return ConfigSection.objects.select_related("team").get(team__slug="platform", name="admin")


def _grant_admin(*, read_only: bool, **grantee: Any) -> Grant:
    grantee = grantee or {"user": "bob"}
    return services.grant(_user("alice"), _admin_section(), read_only=read_only, **grantee)


def _bucket() -> str:
    return f"ro-{uuid.uuid4().hex[:12]}"


def _bucket_names() -> set[str]:
    session = broker.resolve_session(_user("alice"), profile=ADMIN)  # the owner looks
    s3 = get_client(
        "s3", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    return {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}


# ---- what the console enforces: through the whole stack ------------------------------


@pytest.fixture
def platform(stack, alice, sandbox):
    install_team_demo(alice, sandbox.seed, sandbox.url)


async def _run_as_bob(*commands: str) -> list[Any]:
    comm, connected, _ = await open_terminal(await database_sync_to_async(_user)("bob"))
    assert connected and (await receive(comm))["type"] == "hello"
    results = [await run_command(comm, command) for command in commands]
    await comm.disconnect()
    return results


@pytest.mark.django_db(transaction=True)
async def test_a_read_only_member_lists_and_the_worker_refuses_a_write(platform):
    await database_sync_to_async(_grant_admin)(read_only=True)
    bucket = _bucket()
    listed, refused = await _run_as_bob(
        f"aws s3api list-buckets --profile {ADMIN}",
        f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}",
    )
    assert listed.code == 0, listed.stderr
    assert (refused.exit["status"], refused.code) == ("rejected", 254)
    assert refused.stderr == (
        f"guardrail: aws s3api create-bucket is Write; profile {ADMIN} denies it "
        "(your grant is read-only; ask a team admin)\n"
    )
    run = await database_sync_to_async(CommandRun.objects.get)(pk=refused.run_id)
    assert (run.aws_call_count, run.reason) == (0, f"guardrail: Write denied on {ADMIN}")
    assert bucket not in await database_sync_to_async(_bucket_names)()
    denied = await database_sync_to_async(
        lambda: AuditEvent.objects.get(run_id=refused.run_id, action="console:guardrail:denied").data
    )()
    assert (denied["level"], denied["read_only_grant"]) == ("Write", True)


@pytest.mark.django_db(transaction=True)
async def test_a_member_with_a_full_grant_writes(platform):
    await database_sync_to_async(_grant_admin)(read_only=False)
    bucket = _bucket()
    (made,) = await _run_as_bob(f"aws s3api create-bucket --bucket {bucket} --profile {ADMIN}")
    assert made.code == 0, made.stderr
    assert bucket in await database_sync_to_async(_bucket_names)()


def _personal_role_over_admin() -> None:
    role = _admin_section().settings["role_arn"]
    save_profile(_user("bob"), "mine", {"role_arn": role, "source_profile": ADMIN, "region": "us-east-1"})


@pytest.mark.django_db(transaction=True)
async def test_a_personal_role_over_a_read_only_team_profile_is_read_only_too(platform):
    await database_sync_to_async(_grant_admin)(read_only=True)
    await database_sync_to_async(_personal_role_over_admin)()
    bucket = _bucket()
    (refused,) = await _run_as_bob(f"aws s3api create-bucket --bucket {bucket} --profile mine")
    assert (refused.exit["status"], refused.code) == ("rejected", 254)
    assert "profile mine denies it (your grant is read-only" in refused.stderr
    assert bucket not in await database_sync_to_async(_bucket_names)()


# ---- what we send: the AssumeRole the broker makes --------------------------------------


@pytest.fixture
def demo_team(alice, sandbox, db):
    install_team_demo(alice, sandbox.seed, sandbox.url)
    Grant.objects.filter(user__username="bob").delete()  # each test grants what it needs


@pytest.mark.django_db
def test_a_read_only_member_s_assume_role_carries_read_only_access(demo_team, assume_roles):
    _grant_admin(read_only=True)
    broker.resolve_session(_user("bob"), profile=ADMIN)
    assert assume_roles.session_policies() == [[READ_ONLY_ACCESS]]
    assert assume_roles.sent[0]["RoleSessionName"] == ["bob"]


@pytest.mark.django_db
def test_a_full_grant_and_a_manager_send_no_session_policy(demo_team, assume_roles):
    _grant_admin(read_only=False)
    broker.resolve_session(_user("bob"), profile=ADMIN)
    broker.resolve_session(_user("alice"), profile=ADMIN)  # the team's owner
    assert assume_roles.session_policies() == [None, None]


@pytest.mark.django_db
def test_a_full_grant_beside_a_read_only_one_is_full(demo_team, assume_roles):
    _grant_admin(read_only=True)
    _grant_admin(read_only=False, role=Role.MEMBER)
    broker.resolve_session(_user("bob"), profile=ADMIN)
    assert assume_roles.session_policies() == [None]


@pytest.mark.django_db
def test_a_read_only_use_and_a_full_use_never_share_a_cached_session(demo_team, assume_roles):
    bob = _user("bob")
    _grant_admin(read_only=True)
    read_only = broker.resolve_session(bob, profile=ADMIN).credentials
    # A full grant to every member makes bob's use full: not the cached read-only session.
    every_member = _grant_admin(read_only=False, role=Role.MEMBER)
    full = broker.resolve_session(bob, profile=ADMIN).credentials
    assert full.access_key_id != read_only.access_key_id
    # Gone by hand, so no session is ended: the key alone must tell the two apart.
    Grant.objects.filter(pk=every_member.pk).delete()
    again = broker.resolve_session(bob, profile=ADMIN).credentials
    assert again.access_key_id == read_only.access_key_id  # the read-only one, from the cache
    assert assume_roles.session_policies() == [[READ_ONLY_ACCESS], None]


@pytest.mark.django_db
def test_a_personal_role_over_a_read_only_team_profile_restricts_the_team_hop(demo_team):
    _grant_admin(read_only=True)
    _personal_role_over_admin()
    sections = load_sections(_user("bob"))
    mine = sections.named("mine")
    assert mine is not None and mine.read_only
    hop = sections.read_only_hop(mine)
    assert hop is not None and hop.name == ADMIN


@pytest.mark.django_db
def test_a_write_the_table_got_wrong_still_asks_aws_for_a_read_only_session(
    demo_team, assume_roles, monkeypatch
):
    # The console's own table is overridden, in this process only, to call CreateBucket
    # Read: the guardrail lets it through. The broker still asks AWS for ReadOnlyAccess,
    # which on AWS refuses the write; moto 5.2.5 would not (see the module's docstring),
    # so this checks what we send, not what the sandbox enforces.
    read = Classification(("s3:CreateBucket",), AccessLevel.READ, True)
    monkeypatch.setattr(guardrail, "classify", lambda service, operation: read)
    _grant_admin(read_only=True)
    parsed = parse_command(f"aws s3api create-bucket --bucket {_bucket()} --profile {ADMIN}")
    check = guardrail.Check(ctx=None, parsed=parsed)  # type: ignore[arg-type] - an allow needs no context
    broker.resolve_session(_user("bob"), profile=ADMIN, gate=check)
    assert assume_roles.session_policies() == [[READ_ONLY_ACCESS]]


def test_read_only_tightens_a_policy_and_never_loosens_it():
    careful = at_least(PRESETS["careful"], PRESETS["read-only"])
    assert careful == PRESETS["read-only"]  # Write confirm -> deny
    assert at_least({}, PRESETS["read-only"]) == PRESETS["read-only"]  # none set -> read-only
    denying = {**PRESETS["open"], "Read": "deny"}
    assert at_least(denying, PRESETS["read-only"])["Read"] == "deny"


@pytest.mark.parametrize(
    ("role", "policy"),
    [
        ("arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("arn:aws-cn:iam::123456789012:role/Admin", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"),
        ("arn:aws-us-gov:iam::123456789012:role/A", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"),
        ("not-an-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),  # AWS will refuse the role anyway
    ],
)
def test_the_session_policy_is_in_the_role_s_partition(role, policy):
    assert broker.read_only_policy_arn(role) == policy
