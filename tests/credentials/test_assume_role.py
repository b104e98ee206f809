"""Roles against the sandbox (real moto over HTTP, IAM enforced): the console username as
session name, chaining across accounts with every hop cached, the one-hour cap on chained
sessions, MFA prompts, and a warm cache that makes no STS call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credentials import broker, cache
from credentials.clients import get_client
from credentials.errors import CredentialError, MfaCodeNeeded
from credentials.models import CachedSession
from credentials.services import save_profile
from credentials.types import AwsCredentials


def _whoami(session):
    sts = get_client(
        "sts", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    return sts.get_caller_identity()["Arn"]


@pytest.fixture
def chain(alice_profiles, sandbox):
    """admin (ConsoleAdmin, from default) -> cross (CrossAccountAdmin in the second account)."""
    save_profile(
        alice_profiles,
        "cross",
        {
            "role_arn": sandbox.seed.cross_account_role_arn,
            "source_profile": "admin",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    return alice_profiles


def test_it_names_the_console_user_in_the_assumed_role_session(alice_profiles, sandbox):
    session = broker.resolve_session(alice_profiles, profile="readonly")
    assert _whoami(session) == f"arn:aws:sts::{sandbox.seed.account_id}:assumed-role/ConsoleReadOnly/alice"
    assert session.credentials.method == "assume-role"


def test_it_chains_roles_across_accounts(chain, sandbox):
    session = broker.resolve_session(chain, profile="cross")
    assert (
        _whoami(session)
        == f"arn:aws:sts::{sandbox.seed.second_account_id}:assumed-role/CrossAccountAdmin/alice"
    )
    # Each hop is cached on its own: the chain's middle role is reusable directly.
    assert CachedSession.objects.filter(user=chain).count() == 2


def test_a_warm_cache_makes_no_sts_call(chain, sts_calls):
    broker.resolve_session(chain, profile="cross")
    assert sts_calls.operations() == ["AssumeRole", "AssumeRole"]
    sts_calls.calls.clear()
    for _ in range(3):
        broker.resolve_session(chain, profile="cross")
        broker.resolve_session(chain, profile="admin")
    assert sts_calls.calls == []


def test_it_refreshes_an_expiring_session_without_the_user_noticing(alice_profiles, sandbox, sts_calls):
    first = broker.resolve_session(alice_profiles, profile="admin").credentials
    row = CachedSession.objects.get(user=alice_profiles)
    # Inside botocore's mandatory window (10 min): must not be used any more.
    soon = datetime.now(UTC) + timedelta(minutes=5)
    cache.store(
        alice_profiles.pk,
        row.key,
        row.label,
        AwsCredentials(
            first.access_key_id, first.secret_access_key, first.session_token, soon, "assume-role"
        ),
    )
    sts_calls.calls.clear()
    session = broker.resolve_session(alice_profiles, profile="admin")
    assert sts_calls.operations() == ["AssumeRole"]
    assert session.credentials.access_key_id != first.access_key_id
    assert session.credentials.expires_at > soon + timedelta(minutes=30)
    assert _whoami(session).endswith("assumed-role/ConsoleAdmin/alice")


def test_it_keeps_a_session_in_the_advisory_window_when_refreshing_fails(
    alice_profiles, sandbox, monkeypatch
):
    first = broker.resolve_session(alice_profiles, profile="admin").credentials
    row = CachedSession.objects.get(user=alice_profiles)
    later = datetime.now(UTC) + timedelta(minutes=12)
    cache.store(
        alice_profiles.pk,
        row.key,
        row.label,
        AwsCredentials(
            first.access_key_id, first.secret_access_key, first.session_token, later, "assume-role"
        ),
    )

    def sts_down(*args, **kwargs):
        raise CredentialError("Could not connect to the endpoint URL", 255)

    monkeypatch.setattr("credentials.providers.assume_role", sts_down)
    assert (
        broker.resolve_session(alice_profiles, profile="admin").credentials.access_key_id
        == first.access_key_id
    )


def test_it_drops_cached_sessions_when_a_profile_changes(alice_profiles, sandbox):
    broker.resolve_session(alice_profiles, profile="admin")
    assert CachedSession.objects.filter(user=alice_profiles).exists()
    save_profile(
        alice_profiles,
        "readonly",
        {
            "role_arn": sandbox.seed.readonly_role_arn,
            "source_profile": "default",
            "region": "eu-west-1",
            "endpoint_url": sandbox.url,
        },
    )
    assert not CachedSession.objects.filter(user=alice_profiles).exists()


def test_it_drops_cached_sessions_on_sign_out(alice_profiles, client):
    broker.resolve_session(alice_profiles, profile="admin")
    client.force_login(alice_profiles)
    client.post("/accounts/logout/")
    assert not CachedSession.objects.filter(user=alice_profiles).exists()


def test_it_keeps_users_caches_apart(alice_profiles, bob, sandbox):
    from console.demo import install_sandbox_profiles

    install_sandbox_profiles(bob, sandbox.seed, sandbox.url)
    alice_creds = broker.resolve_session(alice_profiles, profile="admin").credentials
    bob_session = broker.resolve_session(bob, profile="admin")
    assert bob_session.credentials.access_key_id != alice_creds.access_key_id
    assert _whoami(bob_session).endswith("assumed-role/ConsoleAdmin/bob")


def test_a_sealed_session_moved_to_another_user_does_not_open(alice_profiles, bob, sandbox, sts_calls):
    broker.resolve_session(alice_profiles, profile="admin")
    row = CachedSession.objects.get(user=alice_profiles)
    assert cache.load(bob.pk, row.key) is None  # no row for Bob
    CachedSession.objects.create(
        user=bob, key=row.key, label=row.label, sealed_credentials=row.sealed_credentials
    )
    assert cache.load(bob.pk, row.key) is None
    assert not CachedSession.objects.filter(user=bob).exists()  # dropped, not trusted


def test_it_refuses_a_chained_session_longer_than_an_hour(chain, sandbox, sts_calls):
    save_profile(
        chain,
        "cross",
        {
            "role_arn": sandbox.seed.cross_account_role_arn,
            "source_profile": "admin",
            "duration_seconds": "7200",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(chain, profile="cross")
    message = caught.value.message
    assert message.startswith(
        "An error occurred (ValidationError) when calling the AssumeRole operation: "
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    assert "role chaining" in message.splitlines()[1] and "3600" in message
    assert sts_calls.operations() == ["AssumeRole"]  # only the first hop; the chained one was never sent


def test_it_passes_external_id_duration_and_session_name(alice_profiles, sandbox, monkeypatch):
    seen = {}
    real = broker.providers.assume_role

    def spy(source, params, **kwargs):
        seen.update(params)
        return real(source, params, **kwargs)

    monkeypatch.setattr(broker.providers, "assume_role", spy)
    save_profile(
        alice_profiles,
        "ext",
        {
            "role_arn": sandbox.seed.admin_role_arn,
            "source_profile": "default",
            "external_id": "team-42",
            "duration_seconds": "1800",
            "role_session_name": "alice-batch",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    session = broker.resolve_session(alice_profiles, profile="ext")
    assert seen == {
        "RoleArn": sandbox.seed.admin_role_arn,
        "RoleSessionName": "alice-batch",
        "SourceIdentity": "alice",
        "ExternalId": "team-42",
        "DurationSeconds": 1800,
    }
    assert _whoami(session).endswith("/ConsoleAdmin/alice-batch")


@pytest.fixture
def mfa_profile(alice_profiles, sandbox):
    save_profile(
        alice_profiles,
        "mfa",
        {
            "role_arn": sandbox.seed.admin_role_arn,
            "source_profile": "default",
            "mfa_serial": f"arn:aws:iam::{sandbox.seed.account_id}:mfa/demo",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    return alice_profiles


def test_it_prompts_for_an_mfa_code_once_per_session(mfa_profile, sandbox, sts_calls):
    asked = []

    def ask(text, secret):
        asked.append((text, secret))
        return "123456"

    session = broker.resolve_session(mfa_profile, profile="mfa", ask=ask)
    assert asked == [(f"Enter MFA code for arn:aws:iam::{sandbox.seed.account_id}:mfa/demo: ", True)]
    assert _whoami(session).endswith("assumed-role/ConsoleAdmin/alice")
    broker.resolve_session(mfa_profile, profile="mfa", ask=ask)
    assert len(asked) == 1  # the MFA session is reused until it expires
    assert sts_calls.operations().count("AssumeRole") == 1


def test_it_never_stores_the_mfa_code(mfa_profile):
    broker.resolve_session(mfa_profile, profile="mfa", ask=lambda text, secret: "917364")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_credentials, label, key FROM credentials_cachedsession")
        rows = cursor.fetchall()
    assert rows and "917364" not in repr(rows)


def test_it_says_how_to_give_the_code_when_it_cannot_ask(mfa_profile):
    with pytest.raises(MfaCodeNeeded) as caught:
        broker.resolve_session(mfa_profile, profile="mfa")
    assert "send the code as the run's stdin" in caught.value.message


def test_it_does_not_assume_the_role_without_a_code(mfa_profile, sts_calls):
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(mfa_profile, profile="mfa", ask=lambda text, secret: None)
    assert caught.value.message == "No MFA code was entered, so the role was not assumed."
    assert sts_calls.calls == []
