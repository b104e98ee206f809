"""Identity Center after a restart, as a new user of `make run` meets it: the emulator
forgets its clients, tokens and sessions, while the console still holds the client
registration it made before. `aws sso login` registers again and signs in, instead of
answering InvalidClientException until the registration's 90 days are up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from credentials import sso
from credentials.clients import clear_clients
from sandbox.identitycenter.seed import configure_identity_center, demo_assignments
from sandbox.seed import enforce_auth, seed_demo
from sandbox.server import SandboxProcess, pick_free_port
from tests.credentials.test_sso import DIRECTORY, IdentityCenter, caller_arn, run_line, sso_profiles


class RestartableSandbox:
    """A sandbox of this test's own on a fixed port, so its URLs survive a restart."""

    def __init__(self) -> None:
        self.port = pick_free_port()
        self.process: SandboxProcess | None = None
        self.center: IdentityCenter | None = None

    def start(self) -> IdentityCenter:
        self.process = SandboxProcess(port=self.port)
        self.process.start()
        url, secret = self.process.url, self.process.control_secret
        seed = seed_demo(url, secret=secret)
        enforce_auth(url, secret=secret)
        center = seed.identity_center
        assert center is not None
        assignments = {name: demo_assignments(center) for name in DIRECTORY}
        configure_identity_center(url, secret=secret, users=DIRECTORY, assignments=assignments)
        self.center = IdentityCenter(
            url, center.start_url, center.region, center.role_arns, seed.account_id, secret
        )
        clear_clients()
        return self.center

    def restart(self) -> IdentityCenter:
        self.stop()
        return self.start()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@pytest.fixture
def restartable(settings: Any) -> Iterator[RestartableSandbox]:
    sandbox = RestartableSandbox()
    settings.CONSOLE_ENDPOINT_ALLOWLIST += f",127.0.0.1:{sandbox.port}"
    sandbox.start()
    yield sandbox
    sandbox.stop()
    clear_clients()


def registered_client_id(user: Any) -> str:
    registration = sso.load_registration(user.id, sso.session_named(user, "sandbox", {}))
    assert registration is not None
    return registration.client_id


def test_sso_login_registers_again_when_the_emulator_forgot_the_client(alice, restartable):
    assert restartable.center is not None
    sso_profiles(alice, restartable.center)
    code, sink = run_line(alice, "aws sso login --profile sso")
    assert code == 0, sink.text("stderr")
    before, url = registered_client_id(alice), restartable.center.url

    center = restartable.restart()
    code, sink = run_line(alice, "aws sso login --profile sso")

    assert code == 0, sink.text("stderr")
    assert "InvalidClientException" not in sink.text("stderr")
    assert registered_client_id(alice) != before
    assert center.url == url  # the same start URL and endpoint as before
    assert caller_arn(alice).endswith("/alice-dir")
