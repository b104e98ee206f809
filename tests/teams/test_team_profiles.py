"""Team profiles through the broker, against the sandbox (real moto over HTTP, IAM
enforced): `<team>/<profile>` beside the user's own, the member named to AWS whoever wrote
the profile, sources kept inside the team, "not found" for anyone without the right, and
sessions that end the moment access does."""

from __future__ import annotations

from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from console.demo import install_team_demo
from console.teams import services
from console.teams.models import Grant, Team
from credentials import broker
from credentials.clients import botocore_session, clear_clients, get_client
from credentials.errors import CredentialError, ProfileNotFound
from credentials.models import CachedSession, ConfigSection
from credentials.services import save_profile
from tests.credentials.conftest import builtin

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(alice, sandbox) -> Team:
    """The demo team, owned by Alice: bob (member, granted readonly), carol (auditor)."""
    install_team_demo(alice, sandbox.seed, sandbox.url)
    return Team.objects.get(slug="platform")


def _user(name):
    return get_user_model().objects.get(username=name)


def _arn(session):
    sts = get_client(
        "sts", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    return sts.get_caller_identity()["Arn"]


def _not_found_message(user, profile):
    with pytest.raises(ProfileNotFound) as caught:
        broker.resolve_session(user, profile=profile)
    return caught.value.message


@pytest.fixture
def assume_role_requests():
    """The form fields of every AssumeRole botocore sends (a hook at its send step)."""
    sent: list[dict[str, list[str]]] = []

    def capture(request: Any, **kwargs: Any) -> None:
        fields = parse_qs(request.body.decode() if isinstance(request.body, bytes) else request.body or "")
        if fields.get("Action") == ["AssumeRole"]:
            sent.append(fields)

    clear_clients()
    botocore_session().register("before-send.sts", capture)
    yield sent
    botocore_session().unregister("before-send.sts", capture)
    clear_clients()


def test_a_member_with_a_grant_acts_as_themselves_in_the_team_role(platform, sandbox):
    session = broker.resolve_session(_user("bob"), profile="platform/readonly")
    assert _arn(session) == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleReadOnly/bob"
    assert session.team_id == platform.pk and session.profile == "platform/readonly"


def test_aws_sees_the_member_whoever_configured_the_profile(platform, sandbox, alice, assume_role_requests):
    # Written past the team services (which refuse the key): the broker still ignores it.
    readonly = ConfigSection.objects.get(team=platform, name="readonly")
    save_profile(None, "readonly", {**readonly.settings, "role_session_name": "alice"}, team=platform)
    session = broker.resolve_session(_user("bob"), profile="platform/readonly")
    assert _arn(session).endswith("assumed-role/ConsoleReadOnly/bob")
    (request,) = assume_role_requests
    assert request["RoleSessionName"] == ["bob"] and request["SourceIdentity"] == ["bob"]


def test_owners_use_every_team_profile(platform, alice, sandbox):
    assert _arn(broker.resolve_session(alice, profile="platform/admin")).endswith("ConsoleAdmin/alice")


@pytest.mark.parametrize("who", ["carol", "charlie"])
def test_without_the_right_a_team_profile_does_not_exist(platform, charlie, who):
    message = _not_found_message(_user(who), "platform/readonly")
    assert message == "The config profile (platform/readonly) could not be found"
    assert message == _not_found_message(_user(who), "platform/nothing").replace("nothing", "readonly")


def test_naming_a_team_profile_one_may_not_use_is_audited_and_a_typo_is_not(platform, charlie):
    from console.runs.models import AuditEvent

    _not_found_message(charlie, "platform/readonly")
    _not_found_message(charlie, "platform/readnoly")
    _not_found_message(charlie, "nosuch")
    denied = AuditEvent.objects.filter(action="console:access:denied")
    readonly = ConfigSection.objects.get(team=platform, name="readonly")
    assert [(e.actor_name, e.data) for e in denied] == [
        ("charlie", {"permission": "teams.use_profile", "object": "ConfigSection", "id": str(readonly.pk)})
    ]


def test_a_member_reaches_the_keys_only_through_the_granted_profile(platform, sandbox):
    bob = _user("bob")
    assert _not_found_message(bob, "platform/keys") == "The config profile (platform/keys) could not be found"
    save_profile(bob, "mine", {"role_arn": sandbox.seed.admin_role_arn, "source_profile": "platform/keys"})
    assert _not_found_message(bob, "mine") == "The config profile (platform/keys) could not be found"


def test_a_team_profile_never_reaches_another_teams_sections(platform, alice, sandbox):
    other = services.create_team(alice, "other", "Other")
    services.save_team_profile(
        alice, other, "keys", {"aws_access_key_id": "AKIAOTHER", "aws_secret_access_key": "x"}
    )
    readonly = ConfigSection.objects.get(team=platform, name="readonly")
    save_profile(None, "readonly", {**readonly.settings, "source_profile": "other/keys"}, team=platform)
    assert (
        _not_found_message(alice, "platform/readonly") == "The config profile (other/keys) could not be found"
    )


def test_a_revoked_grant_ends_the_members_sessions_at_once(platform, alice):
    bob = _user("bob")
    broker.resolve_session(bob, profile="platform/readonly")
    assert CachedSession.objects.filter(user=bob).exists()
    services.revoke_grant(alice, Grant.objects.get(user=bob))
    assert not CachedSession.objects.filter(user=bob).exists()
    assert (
        _not_found_message(bob, "platform/readonly")
        == "The config profile (platform/readonly) could not be found"
    )


def test_an_expired_grant_stops_the_next_command(platform, sts_calls):
    bob = _user("bob")
    broker.resolve_session(bob, profile="platform/readonly")
    Grant.objects.filter(user=bob).update(expires_at=timezone.now() - timedelta(seconds=1))
    sts_calls.calls.clear()
    assert (
        _not_found_message(bob, "platform/readonly")
        == "The config profile (platform/readonly) could not be found"
    )
    assert sts_calls.calls == []  # the cached session is out of reach too


def test_removing_a_member_ends_their_sessions(platform, alice):
    bob = _user("bob")
    broker.resolve_session(bob, profile="platform/readonly")
    services.remove_member(alice, services.membership_of(bob, platform))
    assert not CachedSession.objects.filter(user=bob).exists()
    with pytest.raises(ProfileNotFound):
        broker.resolve_session(bob, profile="platform/readonly")


def test_the_profiles_of_a_command_are_one_query(platform, django_assert_num_queries):
    bob = _user("bob")
    with django_assert_num_queries(1):
        sections = broker.load_sections(bob)
    assert sections.names() == ["platform/readonly"]


def test_list_profiles_shows_own_and_team_profiles_to_those_who_may_use_them(platform, alice):
    bob = _user("bob")
    save_profile(bob, "mine", {"region": "eu-west-1"})
    assert builtin(bob, "aws configure list-profiles")[1].stdout == "mine\nplatform/readonly\n"
    assert (
        builtin(alice, "aws configure list-profiles")[1].stdout
        == "platform/admin\nplatform/keys\nplatform/readonly\n"
    )
    assert builtin(_user("carol"), "aws configure list-profiles")[1].stdout == ""


def test_a_personal_profile_cannot_take_a_team_name(platform):
    code, sink = builtin(_user("bob"), "aws configure set region eu-west-1 --profile platform/readonly")
    assert code == 252
    assert 'contains "/": that is how team profiles are named' in sink.stderr
    assert ConfigSection.objects.filter(owner__username="bob").count() == 0


def test_configure_get_never_shows_a_team_secret(platform, alice):
    code, sink = builtin(alice, "aws configure get aws_access_key_id --profile platform/keys")
    assert (code, sink.stdout) == (1, "")
    code, sink = builtin(alice, "aws configure get region --profile platform/keys")
    assert (code, sink.stdout) == (0, "us-east-1\n")


class RefusingSts:
    """An STS endpoint that answers AssumeRole as AWS does when the trust policy lacks
    sts:SetSourceIdentity. A real HTTP peer (moto does not evaluate that permission: it
    checks the trust policy for sts:AssumeRole only), so botocore parses AWS's own error."""

    BODY = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        b"<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/demo is not authorized "
        b"to perform: sts:SetSourceIdentity on resource: arn:aws:iam::123456789012:role/Legacy</Message>"
        b"</Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
    )

    def __init__(self) -> None:
        body = self.BODY

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.hostport = f"127.0.0.1:{self.httpd.server_address[1]}"
        import threading

        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def test_a_trust_policy_without_set_source_identity_says_what_to_add(platform, alice, settings):
    peer = RefusingSts()
    settings.CONSOLE_ENDPOINT_ALLOWLIST = peer.hostport
    clear_clients()
    services.save_team_profile(
        alice,
        platform,
        "legacy",
        {
            "role_arn": "arn:aws:iam::123456789012:role/Legacy",
            "source_profile": "keys",
            "region": "us-east-1",
            "endpoint_url": f"http://{peer.hostport}",
        },
    )
    try:
        with pytest.raises(CredentialError) as caught:
            broker.resolve_session(alice, profile="platform/legacy")
    finally:
        peer.httpd.shutdown()
        clear_clients()
    first, hint = caught.value.message.split("\n", 1)
    assert first == (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:iam::123456789012:user/demo is not authorized to perform: sts:SetSourceIdentity on "
        "resource: arn:aws:iam::123456789012:role/Legacy"
    )
    assert 'Add "sts:SetSourceIdentity" beside "sts:AssumeRole"' in hint
    assert "arn:aws:iam::123456789012:role/Legacy does not allow that" in hint
    assert caught.value.exit_code == 254


def test_the_demo_team_is_the_same_after_a_restart(platform, alice, sandbox):
    again = install_team_demo(alice, sandbox.seed, sandbox.url)
    assert [(s.username, s.role) for s in again] == [("bob", "member"), ("carol", "auditor")]
    assert Grant.objects.filter(team=platform).count() == 1
    assert _user("bob").check_password(again[0].password)
    assert _arn(broker.resolve_session(_user("bob"), profile="platform/readonly")).endswith("/bob")


def test_a_team_role_over_the_servers_instance_role_only_where_enabled(
    platform, alice, sandbox, settings, assume_role_requests
):
    from tests.credentials.imds_server import ImdsServer

    services.save_team_profile(
        alice,
        platform,
        "host",
        {
            "role_arn": sandbox.seed.readonly_role_arn,
            "credential_source": "Ec2InstanceMetadata",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    services.grant(alice, ConfigSection.objects.get(team=platform, name="host"), user="bob")
    with pytest.raises(CredentialError, match="CONSOLE_ALLOW_INSTANCE_ROLE"):
        broker.resolve_session(_user("bob"), profile="platform/host")
    server = ImdsServer()
    settings.CONSOLE_ALLOW_INSTANCE_ROLE, settings.CONSOLE_IMDS_ENDPOINT = True, server.url
    try:
        # The metadata server's keys are not the sandbox's, so AWS refuses them; what
        # matters is that the team role was asked for with them, in bob's name.
        with pytest.raises(CredentialError, match="InvalidClientTokenId"):
            broker.resolve_session(_user("bob"), profile="platform/host")
    finally:
        server.close()
    assert server.requests[0][:2] == ("PUT", "/latest/api/token")
    (request,) = assume_role_requests
    assert request["RoleSessionName"] == request["SourceIdentity"] == ["bob"]
