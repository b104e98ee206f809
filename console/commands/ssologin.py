"""`aws sso login` and `aws sso logout`, run on the server.

The CLI's device-authorization flow (RegisterClient, StartDeviceAuthorization, then
CreateToken polled at `interval`), except that the server cannot open the user's browser:
it prints the verification URL with the code filled in (the terminal makes it a link) and
the code to check on the page. The wait polls in half-second slices so Ctrl-C ends it at
once. The token is stored sealed for this console user only; it never reaches the
browser, the logs or the audit record. It talks through the command's context."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from console.engine import Sink
from console.errors import ExitCode
from credentials import sso
from credentials.sso import Registration, SsoError, SsoSession, SsoToken

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLICE = 0.5


def login(user_id: int, session: SsoSession, io: Sink) -> SsoToken | None:
    """The device flow; the stored token, or None when the user pressed Ctrl-C."""
    oidc = sso.oidc_client(session)
    try:
        registration, auth = sso.authorize_device(user_id, session)
    except ClientError as exc:
        raise SsoError(
            f"{exc}\nCheck the start URL ({session.start_url}) and region ({session.region}) of "
            f"{_described(session)}.",
            ExitCode.SERVICE,
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


def _show_verification(io: Sink, auth: dict[str, Any]) -> None:
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
    oidc: Any, registration: Registration, auth: dict[str, Any], io: Sink
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


def _pause(seconds: float, io: Sink) -> bool:
    """Wait, watching for Ctrl-C; False when cancelled."""
    end = time.monotonic() + seconds
    while True:
        if io.cancelled():
            return False
        left = end - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(SLICE, left))


def _poll_error(code: str, exc: ClientError) -> SsoError:
    if code in ("ExpiredTokenException", "AuthorizationPendingException"):
        return SsoError(
            "The sign-in request expired before it was approved. Run aws sso login again.", ExitCode.SERVICE
        )
    if code == "AccessDeniedException":
        return SsoError(
            "The sign-in request was denied in the browser. Run aws sso login again to retry.",
            ExitCode.SERVICE,
        )
    return SsoError(str(exc), ExitCode.SERVICE)
