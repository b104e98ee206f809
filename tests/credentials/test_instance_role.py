"""The host's instance role over IMDSv2 (only when an administrator enables it), against
a local metadata service that speaks IMDSv2."""

from __future__ import annotations

import socket
import time

import pytest

from credentials import broker
from credentials.errors import InstanceRoleUnavailable, NoCredentials
from credentials.services import save_profile
from tests.credentials.imds_server import ImdsServer


@pytest.fixture
def imds(settings):
    server = ImdsServer()
    settings.CONSOLE_ALLOW_INSTANCE_ROLE = True
    settings.CONSOLE_IMDS_ENDPOINT = server.url
    yield server
    server.close()


def test_it_is_off_unless_an_administrator_enables_it(alice, settings):
    server = ImdsServer()
    settings.CONSOLE_IMDS_ENDPOINT = server.url
    try:
        with pytest.raises(NoCredentials):
            broker.resolve_session(alice, profile=None)
        assert server.requests == []
    finally:
        server.close()


def test_it_reads_the_instance_role_with_a_session_token(alice, imds):
    creds = broker.resolve_session(alice, profile=None).credentials
    assert (creds.access_key_id, creds.method) == (imds.credentials["AccessKeyId"], "iam-role")
    assert creds.session_token == imds.credentials["Token"]
    method, path, headers = imds.requests[0]
    assert (method, path) == ("PUT", "/latest/api/token")
    assert headers["X-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert all(h.get("X-aws-ec2-metadata-token") in imds.tokens for m, _, h in imds.requests[1:])


def test_it_caches_the_instance_role_sealed(alice, imds):
    broker.resolve_session(alice, profile=None)
    count = len(imds.requests)
    broker.resolve_session(alice, profile=None)
    assert len(imds.requests) == count


def test_it_never_falls_back_to_imdsv1(alice, settings):
    server = ImdsServer(v1_only=True)
    settings.CONSOLE_ALLOW_INSTANCE_ROLE = True
    settings.CONSOLE_IMDS_ENDPOINT = server.url
    try:
        with pytest.raises(InstanceRoleUnavailable) as caught:
            broker.resolve_session(alice, profile=None)
        assert "answered with HTTP 403 (IMDSv1 is never used)" in caught.value.message
        assert [m for m, _, _ in server.requests] == ["PUT"]
    finally:
        server.close()


def test_it_says_clearly_when_not_on_ec2(alice, settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CONSOLE_ALLOW_INSTANCE_ROLE = True
    settings.CONSOLE_IMDS_ENDPOINT = f"http://127.0.0.1:{port}"
    began = time.monotonic()
    with pytest.raises(InstanceRoleUnavailable) as caught:
        broker.resolve_session(alice, profile=None)
    assert time.monotonic() - began < 3
    assert "Is this console running on EC2" in caught.value.message


def test_a_role_can_be_assumed_from_the_instance_role(alice, imds, monkeypatch):
    seen = {}

    def fake_assume(source, params, **kwargs):
        seen["source"] = source
        raise broker.CredentialError("stop here", 255)

    monkeypatch.setattr(broker.providers, "assume_role", fake_assume)
    save_profile(
        alice,
        "host",
        {"role_arn": "arn:aws:iam::123456789012:role/R", "credential_source": "Ec2InstanceMetadata"},
    )
    with pytest.raises(broker.CredentialError):
        broker.resolve_session(alice, profile="host")
    assert seen["source"].access_key_id == imds.credentials["AccessKeyId"]
