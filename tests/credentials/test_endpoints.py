"""The endpoint allow-list refuses internal targets before any connection is made."""

from __future__ import annotations

import socket
import threading

import pytest

from credentials import broker
from credentials.endpoints import check_endpoint
from credentials.errors import EndpointNotAllowed
from credentials.services import save_profile


@pytest.fixture
def listener():
    """A socket that records whether anybody connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    accepted = []

    def watch():
        try:
            accepted.append(sock.accept())
        except OSError:
            pass

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield sock.getsockname()[1], accepted
    thread.join(1)
    sock.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254",
        "http://127.0.0.1:6379",
        "http://2130706433:{port}",
        "http://0x7f000001:{port}",
        "http://0177.0.0.1:{port}",
        "http://127.1:{port}",
        "http://[::1]:{port}",
        "http://[::ffff:127.0.0.1]:{port}",
        "http://10.0.0.8",
        "http://192.168.1.1",
        "https://sts.amazonaws.com.evil.test",
        "https://sts.amazonaws.com@evil.test",
        "https://user:pw@sts.amazonaws.com",
        "http://sts.us-east-1.amazonaws.com",
        "https://localhost",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}",
    ],
)
def test_it_refuses_internal_and_look_alike_endpoints(url, settings):
    port = settings.SANDBOX_PORT
    with pytest.raises(EndpointNotAllowed):
        check_endpoint(url.format(port=port))


@pytest.mark.parametrize(
    "url",
    [
        "https://sts.us-east-1.amazonaws.com",
        "https://s3.dualstack.eu-west-1.amazonaws.com",
        "https://vpce-0abc-123.sts.us-east-1.vpce.amazonaws.com",
    ],
)
def test_it_allows_aws_endpoints(url):
    assert check_endpoint(url) == url


def test_it_allows_the_sandbox_by_its_exact_name_only(settings):
    assert check_endpoint(f"http://127.0.0.1:{settings.SANDBOX_PORT}")
    with pytest.raises(EndpointNotAllowed):
        check_endpoint(f"http://127.0.0.1:{settings.SANDBOX_PORT + 1}")


def test_a_wildcard_name_that_resolves_to_an_internal_address_is_refused(settings):
    settings.CONSOLE_ENDPOINT_ALLOWLIST = "*.amazonaws.com,*.localhost,localhost*"
    with pytest.raises(EndpointNotAllowed) as caught:
        check_endpoint("https://localhost")
    assert "resolves to 127.0.0.1, which is not a public address" in caught.value.message


def test_a_refused_endpoint_is_never_connected_to(alice_profiles, listener, settings):
    port, accepted = listener
    for url in (f"http://2130706433:{port}", f"http://0x7f000001:{port}", f"http://[::1]:{port}"):
        save_profile(
            alice_profiles,
            "sneaky",
            {
                "aws_access_key_id": "AKIAX",
                "aws_secret_access_key": "y" * 40,
                "endpoint_url": url,
                "region": "us-east-1",
            },
        )
        with pytest.raises(EndpointNotAllowed):
            broker.resolve_session(alice_profiles, profile="sneaky")
        with pytest.raises(EndpointNotAllowed):
            broker.resolve_session(alice_profiles, profile="default", endpoint_url=url)
    assert accepted == []
