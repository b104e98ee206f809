"""The verification page: sign in as a directory user, then approve or deny a code.

Design decision: plain HTML forms and no JavaScript, so a browser test clicks
through it and a script drives it with two form posts (or one, see ``confirm``).
The sign-in is remembered in an HttpOnly cookie holding a random ticket bound to
the user and the user code; nothing else is stored client side.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass

from sandbox.identitycenter.state import IdentityCenter, IdentityCenterError

COOKIE = "sandbox_sso_ticket"


@dataclass
class Page:
    status: int
    body: str
    cookie: str | None = None


class Tickets:
    """Signed-in browsers: ticket -> (username, user code)."""

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def issue(self, username: str, user_code: str) -> str:
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._tickets[ticket] = (username, user_code)
        return ticket

    def redeem(self, ticket: str | None, user_code: str) -> str | None:
        with self._lock:
            found = self._tickets.get(ticket or "")
            if found is None or found[1] != user_code:
                return None
            del self._tickets[ticket or ""]
            return found[0]


def _layout(title: str, content: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>Sandbox Identity Center</h1><h2>{html.escape(title)}</h2>{content}</body></html>"
    )


def sign_in_page(user_code: str = "", message: str = "", status: int = 200) -> Page:
    alert = f"<p role='alert' id='error'>{html.escape(message)}</p>" if message else ""
    form = (
        f"{alert}<form method='post' action='/device/signin'>"
        f"<label>Code <input name='user_code' id='user_code' value='{html.escape(user_code, quote=True)}'"
        " autocomplete='off' required></label><br>"
        "<label>Username <input name='username' id='username' autocomplete='username' required></label><br>"
        "<label>Password <input type='password' name='password' id='password'"
        " autocomplete='current-password' required></label><br>"
        "<button type='submit' id='sign-in'>Sign in</button></form>"
    )
    return Page(status, _layout("Authorize request", form))


def _confirm_page(username: str, user_code: str, ticket: str) -> Page:
    code = html.escape(user_code, quote=True)
    form = (
        f"<p>Signed in as <strong id='signed-in-user'>{html.escape(username)}</strong>.</p>"
        f"<p>Code: <strong id='code'>{code}</strong></p>"
        "<p>Allow this device to access your AWS accounts and roles?</p>"
        "<form method='post' action='/device/confirm'>"
        f"<input type='hidden' name='user_code' value='{code}'>"
        "<button type='submit' name='action' value='approve' id='approve'>Approve</button> "
        "<button type='submit' name='action' value='deny' id='deny'>Deny</button></form>"
    )
    return Page(200, _layout("Authorize request", form), cookie=ticket)


def _result_page(approved: bool) -> Page:
    if approved:
        text = "Request approved. You can close this window and return to the console."
        return Page(200, _layout("Request approved", f"<p id='result'>{text}</p>"))
    return Page(200, _layout("Request denied", "<p id='result'>Request denied.</p>"))


def sign_in(center: IdentityCenter, tickets: Tickets, form: dict[str, str]) -> Page:
    user_code = form.get("user_code", "").strip().upper()
    username = form.get("username", "")
    if not center.check_password(username, form.get("password", "")):
        return sign_in_page(user_code, "Incorrect username or password.", 401)
    try:
        center.pending_authorization(user_code)
    except IdentityCenterError as exc:
        return sign_in_page(user_code, exc.description + ".", 400)
    return _confirm_page(username, user_code, tickets.issue(username, user_code))


def confirm(center: IdentityCenter, tickets: Tickets, form: dict[str, str], ticket: str | None) -> Page:
    """Approve or deny: signed in by the cookie, or (for scripts) by username+password."""
    user_code = form.get("user_code", "").strip().upper()
    action = form.get("action", "")
    if action not in ("approve", "deny"):
        return sign_in_page(user_code, "Choose approve or deny.", 400)
    username = tickets.redeem(ticket, user_code)
    if username is None and "username" in form:
        if center.check_password(form["username"], form.get("password", "")):
            username = form["username"]
        else:
            return sign_in_page(user_code, "Incorrect username or password.", 401)
    if username is None:
        return sign_in_page(user_code, "Sign in first.", 401)
    try:
        center.decide(user_code, username, approve=action == "approve")
    except IdentityCenterError as exc:
        return sign_in_page(user_code, exc.description + ".", 400)
    return _result_page(action == "approve")


def start_page(start_url: str) -> Page:
    content = (
        f"<p>This is the AWS access portal of the sandbox ({html.escape(start_url)}).</p>"
        "<p>To sign in a device, open <a href='/device'>the verification page</a>.</p>"
    )
    return Page(200, _layout("AWS access portal", content))
