"""`aws sso login` and `aws sso logout`, run on the server.

The CLI's device-authorization flow (RegisterClient, StartDeviceAuthorization, then
CreateToken polled at `interval`), except that the server cannot open the user's browser:
it prints the verification URL with the code filled in (the terminal makes it a link) and
the code to check on the page. The wait polls in half-second slices so Ctrl-C ends it at
once. The token is stored sealed for this console user only; it never reaches the
browser, the logs or the audit record. I/O is two callables, as in configure.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from credentials import cache, sso
from credentials.errors import CredentialError
from credentials.models import CachedSession, SsoSecret, SsoSecretKind
from credentials.sso import Registration, SsoError, SsoSession, SsoToken

Write = Callable[[str, str], None]
Cancelled = Callable[[], bool]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLICE = 0.5
EXIT_CANCELLED = 130


@dataclass
class LoginIO:
    write: Write
    cancelled: Cancelled
    sleep: Callable[[float], None] = time.sleep


def login(user_id: int, session: SsoSession, io: LoginIO) -> SsoToken | None:
    """The device flow; the stored token, or None when the user pressed Ctrl-C."""
    oidc = sso.oidc_client(session)
    try:
        registration, auth = sso.authorize_device(user_id, session)
    except ClientError as exc:
        raise SsoError(
            f"{exc}\nCheck the start URL ({session.start_url}) and region ({session.region}) of "
            f"{_described(session)}.",
            sso.EXIT_SERVICE,
        ) from None
    _show_verification(io, auth)
    token = _wait_for_approval(oidc, registration, auth, io)
    if token is None:
        return None
    sso.store_token(user_id, session, token)
    io.write("stdout", f"Successfully logged into Start URL: {session.start_url}\n")
    return token


def _described(session: SsoSession) -> str:
    return f'sso-session "{session.name}"' if session.name else "the profile"


def _show_verification(io: LoginIO, auth: dict[str, Any]) -> None:
    url = auth.get("verificationUriComplete") or auth["verificationUri"]
    io.write(
        "stdout",
        "Open the following URL in your browser to sign in (it opens in a new tab):\n"
        f"\n{url}\n"
        "\nThen check that the page shows the code:\n"
        f"\n{auth['userCode']}\n\n",
    )
    io.write("stderr", "Waiting for approval in the browser (Ctrl-C to stop)...\n")


def _wait_for_approval(
    oidc: Any, registration: Registration, auth: dict[str, Any], io: LoginIO
) -> SsoToken | None:
    interval = float(auth.get("interval") or 5)
    deadline = time.monotonic() + float(auth.get("expiresIn") or 600)
    while True:
        if not _pause(interval, io):
            return None
        try:
            answer = sso.call(
                "CreateToken",
                lambda: oidc.create_token(
                    grantType=DEVICE_GRANT,
                    deviceCode=auth["deviceCode"],
                    clientId=registration.client_id,
                    clientSecret=registration.client_secret,
                ),
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "AuthorizationPendingException" and time.monotonic() < deadline:
                continue
            if code == "SlowDownException":
                interval += 5
                io.write(
                    "stderr", f"Identity Center asked to slow down; checking every {interval:g} seconds.\n"
                )
                continue
            raise _poll_error(code, exc) from None
        return sso.token_from(answer)


def _pause(seconds: float, io: LoginIO) -> bool:
    """Wait, watching for Ctrl-C; False when cancelled."""
    end = time.monotonic() + seconds
    while True:
        if io.cancelled():
            return False
        left = end - time.monotonic()
        if left <= 0:
            return True
        io.sleep(min(SLICE, left))


def _poll_error(code: str, exc: ClientError) -> SsoError:
    if code in ("ExpiredTokenException", "AuthorizationPendingException"):
        return SsoError(
            "The sign-in request expired before it was approved. Run aws sso login again.", sso.EXIT_SERVICE
        )
    if code == "AccessDeniedException":
        return SsoError(
            "The sign-in request was denied in the browser. Run aws sso login again to retry.",
            sso.EXIT_SERVICE,
        )
    return SsoError(str(exc), sso.EXIT_SERVICE)


def logout(user_id: int, sessions: list[SsoSession]) -> int:
    """Revoke (portal Logout) and delete the given sessions' tokens and their role
    credentials; returns how many tokens were removed."""
    removed = 0
    for session in sessions:
        token = sso.load_token(user_id, session)
        if token is not None and token.expires_at > datetime.now(UTC):
            _revoke(session, token)
        if token is not None:
            removed += 1
        sso.forget_token(user_id, session)
    # Roles assumed *from* SSO role credentials (source_profile chains) are cached under
    # their own profile's key; drop the user's whole session cache rather than miss one.
    cache.forget(user_id)
    return removed


def _revoke(session: SsoSession, token: SsoToken) -> None:
    try:
        portal = sso.portal_client(session)
        sso.call("Logout", lambda: portal.logout(accessToken=token.access_token))
    except (ClientError, CredentialError):
        pass  # the token is deleted here whatever the portal says; it expires on its own


def forget_all_tokens(user_id: int) -> int:
    """`aws sso logout` without a session: every token of this user, as the CLI empties
    its whole token cache. Tokens whose configuration is gone are deleted unrevoked."""
    deleted, _ = SsoSecret.objects.filter(user_id=user_id, kind=SsoSecretKind.TOKEN).delete()
    CachedSession.objects.filter(user_id=user_id, label__startswith="sso:").delete()
    return deleted
