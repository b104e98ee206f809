"""In-memory Identity Center: directory, registered clients, device authorizations, tokens.

Design decision: one ``IdentityCenter`` object per server process, guarded by one
lock (werkzeug serves each request on its own thread), with an injectable clock so
expiry is testable without sleeping. It knows nothing about HTTP: the ``oidc`` and
``portal`` modules translate its ``IdentityCenterError`` into the wire errors.
Secrets (client secrets, tokens, passwords) are compared in constant time and
never logged.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The scope that makes Identity Center issue refresh tokens (AWS CLI sso-session default).
REFRESH_SCOPE = "sso:account:access"
# AWS user codes: 8 letters in two groups, without look-alike characters.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


@dataclass
class Lifetimes:
    """Seconds; AWS's values by default, shortened by tests through the admin endpoint."""

    client_secret: int = 90 * 24 * 3600
    device_code: int = 600
    poll_interval: int = 1
    access_token: int = 3600
    session: int = 8 * 3600
    role_credentials: int = 3600


@dataclass(frozen=True)
class Assignment:
    """A permission set of a user in an account, and the IAM role that backs it."""

    account_id: str
    account_name: str
    email_address: str
    permission_set: str
    role_arn: str


@dataclass
class Client:
    client_id: str
    client_secret: str = field(repr=False)
    name: str
    scopes: list[str]
    issued_at: float
    expires_at: float


@dataclass
class DeviceAuthorization:
    device_code: str = field(repr=False)
    user_code: str
    client_id: str
    start_url: str
    expires_at: float
    interval: int
    last_poll: float | None = None
    status: str = "pending"  # pending -> approved | denied -> redeemed
    username: str | None = None


@dataclass
class Session:
    """What one sign-in produced: an access token and, with the scope, a refresh token."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    username: str
    client_id: str
    start_url: str
    access_expires_at: float
    session_expires_at: float
    revoked: bool = False


class IdentityCenterError(Exception):
    """``code`` is an OAuth error (``authorization_pending``...) or a portal one."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def normalize_start_url(url: str) -> str:
    # The CLI and the console may add a trailing slash or the portal's "#/" fragment.
    return url.split("#", 1)[0].rstrip("/")


def new_user_code() -> str:
    letters = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


class IdentityCenter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.lifetimes = Lifetimes()
        self.users: dict[str, str] = {}
        self.assignments: dict[str, list[Assignment]] = {}
        self.start_urls: set[str] = set()
        self._clients: dict[str, Client] = {}
        self._authorizations: dict[str, DeviceAuthorization] = {}
        self._sessions: dict[str, Session] = {}
        self._refresh: dict[str, Session] = {}
        self._lock = threading.Lock()

    # --- configuration ---------------------------------------------------------------

    def configure(self, config: dict[str, Any]) -> None:
        """Merge a (partial) configuration posted to the admin endpoint."""
        # Everything is parsed before anything changes: a bad configuration changes nothing.
        unknown = set(config) - {"users", "lifetimes", "start_urls", "assignments"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        lifetimes = {str(k): int(v) for k, v in config.get("lifetimes", {}).items()}
        for name in lifetimes:
            if not hasattr(self.lifetimes, name):
                raise ValueError(f"unknown lifetime {name!r}")
        assignments = {
            str(username): [Assignment(**item) for item in items]
            for username, items in config.get("assignments", {}).items()
        }
        with self._lock:
            self.users.update({str(k): str(v) for k, v in config.get("users", {}).items()})
            for name, seconds in lifetimes.items():
                setattr(self.lifetimes, name, seconds)
            self.start_urls.update(normalize_start_url(u) for u in config.get("start_urls", []))
            self.assignments.update(assignments)

    def check_password(self, username: str, password: str) -> bool:
        with self._lock:
            return _same(self.users.get(username), password)

    # --- sso-oidc --------------------------------------------------------------------

    def register_client(self, name: str, scopes: list[str]) -> Client:
        now = self.clock()
        client = Client(
            client_id=secrets.token_urlsafe(16),
            client_secret=secrets.token_urlsafe(48),
            name=name,
            scopes=list(scopes),
            issued_at=now,
            expires_at=now + self.lifetimes.client_secret,
        )
        with self._lock:
            self._clients[client.client_id] = client
        return client

    def _client(self, client_id: str, client_secret: str) -> Client:
        client = self._clients.get(client_id)
        if client is None or not _same(client.client_secret, client_secret):
            raise IdentityCenterError("invalid_client", "Invalid client id or secret")
        if self.clock() >= client.expires_at:
            raise IdentityCenterError("invalid_client", "Client secret has expired")
        return client

    def start_device_authorization(
        self, client_id: str, client_secret: str, start_url: str, also_valid: str = ""
    ) -> DeviceAuthorization:
        """``also_valid``: the portal start URL as seen from the caller (its Host)."""
        with self._lock:
            self._client(client_id, client_secret)
            if normalize_start_url(start_url) not in self.start_urls | {also_valid}:
                raise IdentityCenterError("invalid_request", f"Invalid start URL: {start_url}")
            auth = DeviceAuthorization(
                device_code=secrets.token_urlsafe(48),
                user_code=new_user_code(),
                client_id=client_id,
                start_url=normalize_start_url(start_url),
                expires_at=self.clock() + self.lifetimes.device_code,
                interval=self.lifetimes.poll_interval,
            )
            self._authorizations[auth.device_code] = auth
        return auth

    def create_token_from_device_code(self, client_id: str, client_secret: str, device_code: str) -> Session:
        with self._lock:
            client = self._client(client_id, client_secret)
            auth = self._authorizations.get(device_code)
            if auth is None or auth.client_id != client_id or auth.status == "redeemed":
                raise IdentityCenterError("invalid_grant", "Invalid device code provided")
            now = self.clock()
            if now >= auth.expires_at:
                raise IdentityCenterError("expired_token", "Device code has expired")
            self._check_poll_rate(auth, now)
            if auth.status == "denied":
                raise IdentityCenterError("access_denied", "Authorization was denied by the user")
            if auth.status == "pending":
                raise IdentityCenterError("authorization_pending", "Authorization is still pending")
            auth.status = "redeemed"
            assert auth.username is not None
            return self._new_session(client, auth.username, auth.start_url, now)

    def _check_poll_rate(self, auth: DeviceAuthorization, now: float) -> None:
        # RFC 8628 3.5: polling faster than the interval is answered slow_down.
        too_fast = auth.last_poll is not None and now - auth.last_poll < auth.interval
        auth.last_poll = now
        if too_fast and auth.status == "pending":
            raise IdentityCenterError("slow_down", "Client is polling too quickly")

    def _new_session(self, client: Client, username: str, start_url: str, now: float) -> Session:
        refresh = secrets.token_urlsafe(48) if REFRESH_SCOPE in client.scopes else None
        session = Session(
            access_token=secrets.token_urlsafe(64),
            refresh_token=refresh,
            username=username,
            client_id=client.client_id,
            start_url=start_url,
            access_expires_at=min(now + self.lifetimes.access_token, now + self.lifetimes.session),
            session_expires_at=now + self.lifetimes.session,
        )
        self._sessions[session.access_token] = session
        if refresh:
            self._refresh[refresh] = session
        return session

    def create_token_from_refresh_token(
        self, client_id: str, client_secret: str, refresh_token: str
    ) -> Session:
        with self._lock:
            client = self._client(client_id, client_secret)
            old = self._refresh.get(refresh_token)
            now = self.clock()
            if old is None or old.client_id != client_id or old.revoked or now >= old.session_expires_at:
                raise IdentityCenterError("invalid_grant", "Invalid refresh token provided")
            # A refreshed access token never outlives the sign-in session.
            session = Session(
                access_token=secrets.token_urlsafe(64),
                refresh_token=old.refresh_token,
                username=old.username,
                client_id=client.client_id,
                start_url=old.start_url,
                access_expires_at=min(now + self.lifetimes.access_token, old.session_expires_at),
                session_expires_at=old.session_expires_at,
            )
            self._sessions[session.access_token] = session
            self._refresh[refresh_token] = session
            return session

    # --- the verification page -------------------------------------------------------

    def pending_authorization(self, user_code: str) -> DeviceAuthorization:
        code = user_code.strip().upper()
        with self._lock:
            for auth in self._authorizations.values():
                if auth.user_code == code and auth.status == "pending" and self.clock() < auth.expires_at:
                    return auth
        raise IdentityCenterError("invalid_user_code", "This code is invalid or has expired")

    def decide(self, user_code: str, username: str, approve: bool) -> None:
        auth = self.pending_authorization(user_code)
        with self._lock:
            auth.status = "approved" if approve else "denied"
            auth.username = username

    # --- the portal ------------------------------------------------------------------

    def session_for(self, access_token: str | None) -> Session:
        with self._lock:
            session = self._sessions.get(access_token or "")
            if session is None or session.revoked or self.clock() >= session.access_expires_at:
                raise IdentityCenterError("unauthorized", "Session token not found or invalid")
            return session

    def logout(self, access_token: str | None) -> None:
        """Revoke the sign-in session: its access tokens and its refresh token."""
        session = self.session_for(access_token)
        with self._lock:
            for other in self._sessions.values():
                if other.refresh_token is not None and other.refresh_token == session.refresh_token:
                    other.revoked = True
            session.revoked = True
            if session.refresh_token:
                self._refresh.pop(session.refresh_token, None)

    def assignments_of(self, session: Session) -> list[Assignment]:
        with self._lock:
            return list(self.assignments.get(session.username, []))
