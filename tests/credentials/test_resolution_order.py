"""Where the profile, region, endpoint, retries and credentials come from: command
options, then the terminal's environment, then the profile, with the CLI's messages."""

from __future__ import annotations

import pytest

from credentials import broker
from credentials.errors import CredentialError, NoCredentials, NoRegion, ProfileNotFound, Refused
from credentials.services import save_profile


def test_it_says_which_profile_is_missing(alice):
    with pytest.raises(ProfileNotFound) as caught:
        broker.resolve_session(alice, profile="nope")
    assert caught.value.message == "The config profile (nope) could not be found"


def test_aws_profile_from_the_environment_must_exist_too(alice):
    with pytest.raises(ProfileNotFound):
        broker.resolve_session(alice, profile=None, env={"AWS_PROFILE": "gone"})


def test_it_says_when_there_are_no_credentials(alice):
    with pytest.raises(NoCredentials) as caught:
        broker.resolve_session(alice, profile=None)
    assert (
        caught.value.message
        == 'Unable to locate credentials. You can configure credentials by running "aws configure".'
    )


def test_a_profile_without_credentials_has_none(alice):
    save_profile(alice, "default", {"region": "eu-west-1"})
    with pytest.raises(NoCredentials):
        broker.resolve_session(alice, profile=None)


def test_regions_come_from_option_then_environment_then_profile(alice_profiles, sandbox):
    env = {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "ap-south-1"}
    assert (
        broker.resolve_session(alice_profiles, profile=None, region="us-west-2", env=env).region
        == "us-west-2"
    )
    assert broker.resolve_session(alice_profiles, profile=None, env=env).region == "eu-central-1"
    assert (
        broker.resolve_session(alice_profiles, profile=None, env={"AWS_DEFAULT_REGION": "ap-south-1"}).region
        == "ap-south-1"
    )
    assert broker.resolve_session(alice_profiles, profile=None).region == sandbox.seed.region


def test_it_asks_for_a_region_as_the_cli_does(alice, sandbox):
    save_profile(alice, "default", {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "x" * 40})
    session = broker.resolve_session(alice, profile=None)
    with pytest.raises(NoRegion) as caught:
        broker.require_region(session)
    assert (
        caught.value.message
        == 'You must specify a region. You can also configure your region by running "aws configure".'
    )


def test_aws_profile_picks_the_profile_and_the_option_wins(alice_profiles):
    assert (
        broker.resolve_session(alice_profiles, profile=None, env={"AWS_PROFILE": "admin"}).profile == "admin"
    )
    assert (
        broker.resolve_session(alice_profiles, profile="readonly", env={"AWS_PROFILE": "admin"}).profile
        == "readonly"
    )


def test_environment_keys_beat_aws_profile_but_not_the_option(alice_profiles, sandbox):
    env = {"AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT1", "AWS_SECRET_ACCESS_KEY": "s" * 40, "AWS_PROFILE": "admin"}
    from_env = broker.resolve_session(alice_profiles, profile=None, env=env).credentials
    assert (from_env.access_key_id, from_env.method) == ("AKIAENVIRONMENT1", "env")
    explicit = broker.resolve_session(alice_profiles, profile="default", env=env).credentials
    assert explicit.access_key_id == sandbox.seed.access_key_id


def test_partial_environment_keys_are_an_error(alice_profiles):
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(alice_profiles, profile=None, env={"AWS_ACCESS_KEY_ID": "AKIAONLYHALF"})
    assert caught.value.message == "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY"


def test_static_keys_are_refused_where_not_allowed(alice_profiles, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(alice_profiles, profile="default")
    assert "CONSOLE_ALLOW_STATIC_KEYS is off" in caught.value.message
    with pytest.raises(Refused):
        broker.resolve_session(
            alice_profiles, profile=None, env={"AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "y"}
        )


def test_credential_source_environment_assumes_a_role_with_the_terminals_keys(alice_profiles, sandbox):
    save_profile(
        alice_profiles,
        "fromenv",
        {
            "role_arn": sandbox.seed.readonly_role_arn,
            "credential_source": "Environment",
            "region": "us-east-1",
            "endpoint_url": sandbox.url,
        },
    )
    env = {
        "AWS_ACCESS_KEY_ID": sandbox.seed.access_key_id,
        "AWS_SECRET_ACCESS_KEY": sandbox.seed.secret_access_key,
    }
    session = broker.resolve_session(alice_profiles, profile="fromenv", env=env)
    assert session.credentials.method == "assume-role"


@pytest.mark.parametrize(
    ("values", "phrase"),
    [
        ({"credential_process": "/usr/bin/get-creds"}, "it would run a program on the shared server"),
        (
            {"role_arn": "arn:aws:iam::123456789012:role/R", "web_identity_token_file": "/var/run/token"},
            "never read the server's files",
        ),
        (
            {"role_arn": "arn:aws:iam::123456789012:role/R", "credential_source": "EcsContainer"},
            "EcsContainer",
        ),
        (
            {"role_arn": "arn:aws:iam::123456789012:role/R", "credential_source": "Ec2InstanceMetadata"},
            "CONSOLE_ALLOW_INSTANCE_ROLE",
        ),
    ],
)
def test_it_refuses_what_would_touch_the_server_and_says_why(alice, values, phrase):
    save_profile(alice, "odd", values)
    with pytest.raises(Refused) as caught:
        broker.resolve_session(alice, profile="odd")
    assert phrase in caught.value.message


def test_it_refuses_a_web_identity_token_file_from_the_environment(alice):
    env = {"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/R", "AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/token"}
    with pytest.raises(Refused) as caught:
        broker.resolve_session(alice, profile=None, env=env)
    assert "AWS_WEB_IDENTITY_TOKEN_FILE names a file" in caught.value.message


def test_it_detects_a_loop_of_source_profiles(alice):
    save_profile(alice, "a", {"role_arn": "arn:aws:iam::123456789012:role/A", "source_profile": "b"})
    save_profile(alice, "b", {"role_arn": "arn:aws:iam::123456789012:role/B", "source_profile": "a"})
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(alice, profile="a")
    assert caught.value.message == "Infinite loop in credential configuration detected: a -> b -> a"


def test_endpoints_come_from_the_environment_then_services_then_profile(alice_profiles, sandbox, settings):
    base = f"127.0.0.1:{settings.SANDBOX_PORT}"
    settings.CONSOLE_ENDPOINT_ALLOWLIST = f"{base},s3.eu-west-1.amazonaws.com,sts.us-east-1.amazonaws.com"
    save_profile(
        alice_profiles,
        "local",
        {"s3": {"endpoint_url": "https://s3.eu-west-1.amazonaws.com"}},
        kind="services",
    )
    save_profile(
        alice_profiles,
        "svc",
        {
            "aws_access_key_id": "AKIAX",
            "aws_secret_access_key": "y" * 40,
            "services": "local",
            "endpoint_url": sandbox.url,
        },
    )
    resolve = broker.resolve_session
    assert (
        resolve(alice_profiles, profile="svc", service="s3").endpoint_url
        == "https://s3.eu-west-1.amazonaws.com"
    )
    assert resolve(alice_profiles, profile="svc", service="ec2").endpoint_url == sandbox.url
    env = {"AWS_ENDPOINT_URL_STS": "https://sts.us-east-1.amazonaws.com"}
    assert (
        resolve(alice_profiles, profile="svc", service="sts", env=env).endpoint_url
        == env["AWS_ENDPOINT_URL_STS"]
    )
    assert (
        resolve(
            alice_profiles, profile="svc", service="s3", env={"AWS_ENDPOINT_URL": sandbox.url}
        ).endpoint_url
        == sandbox.url
    )


def test_retry_settings_come_from_environment_then_profile(alice_profiles):
    save_profile(
        alice_profiles,
        "retry",
        {
            "aws_access_key_id": "AKIAX",
            "aws_secret_access_key": "y" * 40,
            "retry_mode": "adaptive",
            "max_attempts": "7",
        },
    )
    session = broker.resolve_session(alice_profiles, profile="retry")
    assert (session.retry_mode, session.max_attempts) == ("adaptive", 7)
    session = broker.resolve_session(
        alice_profiles, profile="retry", env={"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "2"}
    )
    assert (session.retry_mode, session.max_attempts) == ("legacy", 2)
    with pytest.raises(CredentialError) as caught:
        broker.resolve_session(alice_profiles, profile="retry", env={"AWS_RETRY_MODE": "eager"})
    assert "Valid values are: legacy, standard, adaptive" in caught.value.message
