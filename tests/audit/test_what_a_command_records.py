"""What a command learns about its run as it goes, against the sandbox (a real moto server
over HTTP, IAM enforced): the principal from the broker's STS answer (also from a warm
cache), the profile chain, region and endpoint, and every AWS call with its HTTP status
and AWS's request id. The request ids are checked against botocore's own debug log of
the response, a second path to the same answer."""

from __future__ import annotations

import json
import socket

import pytest

from credentials.services import save_profile
from tests.audit.conftest import run_line
from tests.credentials.test_sso import BrowserSink, sso_profiles
from tests.credentials.test_sso import ic as ic  # the Identity Center fixtures, for these tests too
from tests.credentials.test_sso import identity_center as identity_center

pytestmark = pytest.mark.django_db


def test_it_records_the_assumed_role_arn_that_sts_answered(alice_profiles, sandbox):
    code, sink, recorded = run_line(alice_profiles, "aws sts get-caller-identity --profile admin")
    assert code == 0, sink.stderr
    arn = json.loads(sink.stdout)["Arn"]
    assert arn == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleAdmin/alice"
    assert recorded.principal["arn"] == arn
    assert recorded.principal["type"] == "assume-role"
    assert recorded.principal["account"] == sandbox.seed.account_id
    assert recorded.principal["access_key_id"].startswith("ASIA")
    assert recorded.profile == "admin"
    assert recorded.profile_chain == ("admin", "default")
    assert (recorded.region, recorded.endpoint) == (sandbox.seed.region, sandbox.url)


def test_a_warm_session_still_names_its_principal(alice_profiles, sts_calls):
    run_line(alice_profiles, "aws sts get-caller-identity --profile admin")
    assert sts_calls.operations().count("AssumeRole") == 1
    _, _, recorded = run_line(alice_profiles, "aws iam list-roles --profile admin")
    assert sts_calls.operations().count("AssumeRole") == 1  # the cached session was used
    assert recorded.principal["arn"].endswith(":assumed-role/ConsoleAdmin/alice")


def test_static_keys_are_named_by_their_access_key_id_and_never_their_secret(alice_profiles, sandbox):
    _, _, recorded = run_line(alice_profiles, "aws sts get-caller-identity")
    assert recorded.principal == {
        "type": "shared-credentials-file",
        "access_key_id": sandbox.seed.access_key_id,
    }
    assert recorded.profile_chain == ("default",)
    assert sandbox.seed.secret_access_key not in repr(recorded)


def test_each_call_has_its_status_and_the_request_id_aws_sent(alice_profiles):
    code, sink, recorded = run_line(alice_profiles, "aws sts get-caller-identity --debug")
    assert code == 0
    [call] = recorded.calls
    assert (call.service, call.operation, call.status, call.attempts) == ("sts", "GetCallerIdentity", 200, 1)
    assert call.request_id and call.request_id in sink.stderr  # botocore's debug log of the answer


def test_every_page_of_a_listing_is_a_call_of_its_own(alice_profiles):
    code, sink, recorded = run_line(alice_profiles, "aws iam list-roles --page-size 1 --profile admin")
    assert code == 0, sink.stderr
    roles = json.loads(sink.stdout)["Roles"]
    assert recorded.call_count == len(recorded.calls) == len(roles) >= 2
    assert {call.operation for call in recorded.calls} == {"ListRoles"}
    assert all(call.status == 200 for call in recorded.calls)
    assert len({call.request_id for call in recorded.calls}) == len(recorded.calls)


def test_an_error_answer_is_recorded_with_its_status_and_code(alice_profiles):
    code, sink, recorded = run_line(
        alice_profiles, "aws s3api create-bucket --bucket nope --profile readonly"
    )
    assert code == 254
    [call] = recorded.calls
    assert (call.operation, call.status, call.error) == ("CreateBucket", 403, "AccessDenied")
    assert call.request_id
    assert recorded.principal["arn"].endswith(":assumed-role/ConsoleReadOnly/alice")


def test_a_call_that_got_no_answer_is_recorded_without_a_status(alice_profiles, sandbox, settings):
    with socket.socket() as sock:  # a port nothing listens on (allowed, so the call is made)
        sock.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{sock.getsockname()[1]}"
    settings.CONSOLE_ENDPOINT_ALLOWLIST = f"{settings.CONSOLE_ENDPOINT_ALLOWLIST},{closed}"
    save_profile(
        alice_profiles,
        "closed",
        {
            "region": "us-east-1",
            "endpoint_url": f"http://{closed}",
            "aws_access_key_id": sandbox.seed.access_key_id,
            "aws_secret_access_key": sandbox.seed.secret_access_key,
            "max_attempts": "1",
        },
    )
    code, sink, recorded = run_line(alice_profiles, "aws sts get-caller-identity --profile closed")
    assert code == 255, sink.stderr
    [call] = recorded.calls
    assert (call.service, call.operation, call.status) == ("sts", "GetCallerIdentity", None)
    assert call.error == "EndpointConnectionError"


def test_a_builtin_records_no_session_and_no_call(alice_profiles):
    _, _, recorded = run_line(alice_profiles, "whoami")
    assert recorded.principal == {} and recorded.calls == () and recorded.profile == ""


def test_an_sso_session_is_named_by_its_account_and_role(alice, ic):
    sso_profiles(alice, ic)
    code, sink, _ = run_line(alice, "aws sso login --profile sso", BrowserSink())
    assert code == 0, sink.stderr
    code, sink, recorded = run_line(alice, "aws sts get-caller-identity --profile sso")
    assert code == 0, sink.stderr
    assert recorded.principal["type"] == "sso"
    assert (recorded.principal["account"], recorded.principal["role"]) == (
        ic.account_id,
        "AdministratorAccess",
    )
    assert recorded.profile_chain == ("sso",)
