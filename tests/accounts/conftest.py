"""Sign-in helpers: codes computed here from the key, as an authenticator app would (RFC
6238 written out again, so the console's verification is checked against the standard,
not against itself), and the two steps of a sign-in through the real pages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

import pytest
from django.test import Client

from console.accounts.models import SealedTOTPDevice
from tests.conftest import PASSWORD


def totp(secret: str | bytes, at: float | None = None) -> str:
    """The 6-digit code for `secret` (base32 text as shown, or the raw key) at time `at`."""
    if isinstance(secret, str):
        text = secret.replace(" ", "").upper()
        secret = base64.b32decode(text + "=" * (-len(text) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def next_code(device: SealedTOTPDevice) -> str:
    """A code the device has not accepted yet. A code is good once, so after this step's
    code was used, the next step's (within the one step of tolerance); after that one too,
    the device's memory of it is moved back, as if the half minute had passed."""
    device.refresh_from_db()
    now = time.time()
    step = int(now // 30)
    if device.last_t >= step + 1:
        type(device).objects.filter(pk=device.pk).update(last_t=step - 1)
        return totp(device.key(), now)
    return totp(device.key(), now if device.last_t < step else now + 30)


def enrol(user: Any) -> tuple[SealedTOTPDevice, list[str]]:
    """Give `user` a confirmed authenticator and recovery codes, as the enrolment page does."""
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/security/enrol/")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', response.content.decode()).group(1)
    response = client.post("/accounts/security/enrol/", {"code": totp(secret)})
    assert response.status_code == 200, response.content
    return SealedTOTPDevice.objects.get(user=user, confirmed=True), recovery_codes(response)


def recovery_codes(response: Any) -> list[str]:
    return re.findall(
        r"<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode()
    )


def sign_in(client: Client, user: Any, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": user.get_username(), "password": password}, **extra)


def give_code(client: Client, code: str, **extra: Any) -> Any:
    return client.post("/accounts/login/code/", {"code": code}, **extra)


def unthrottle(device: Any) -> None:
    """django-otp makes each try after a wrong code wait 1, 2, 4... s; move its clock on."""
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)


def require_2fa(settings: Any, mode: str) -> None:
    """CONSOLE_REQUIRE_2FA for a test, and the rule console.teams derives from it
    (console/settings.py derives it once at start-up)."""
    settings.CONSOLE_REQUIRE_2FA = mode
    settings.CONSOLE_REQUIRE_SECOND_FACTOR = {"off": "off", "admins": "managers", "all": "everyone"}[mode]


@pytest.fixture
def enrolled_alice(alice: Any) -> tuple[Any, SealedTOTPDevice, list[str]]:
    device, codes = enrol(alice)
    return alice, device, codes


def move_clock(client: Client, *, started_ago: float | None = None, seen_ago: float | None = None) -> None:
    """Move the session's sign-in clocks back, as if that much time had passed."""
    from console.accounts import sessionclock

    session = client.session
    now = time.time()
    if started_ago is not None:
        session[sessionclock.STARTED] = int(now - started_ago)
    if seen_ago is not None:
        session[sessionclock.SEEN] = int(now - seen_ago)
    session.save()


async def open_terminal_of(client: Client) -> tuple[Any, bool]:
    """The terminal websocket with the session cookie of `client`, as its browser would open it."""
    from channels.testing import WebsocketCommunicator

    from console.asgi import application
    from tests.wsclient import ORIGIN

    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm = WebsocketCommunicator(
        application, "/ws/terminal/?terminal=t1", headers=[(b"origin", ORIGIN), (b"cookie", cookie)]
    )
    connected, _ = await comm.connect(timeout=5)
    return comm, connected
