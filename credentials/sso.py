"""IAM Identity Center (SSO) on the server: the sso-session configuration, the sealed
token store, token refresh, and role credentials from the portal.

The CLI keeps one token per sso-session in ~/.aws/sso/cache; a shared server keeps one
per (console user, sso-session) — or per start URL for the legacy `sso_start_url` form —
sealed in `SsoSecret`, so several users of one start URL never share a token. The
sso-oidc client registration is cached the same way until `clientSecretExpiresAt`; when
Identity Center no longer knows it (InvalidClientException: its state was reset, as the
sandbox's is by a restart, or the secret lapsed early) the client registers again and
the call is retried once, instead of failing until the cached expiry, 90 days on.
Role credentials from GetRoleCredentials go to the ordinary session cache under a label
that names the token they came from, so `aws sso logout` can drop exactly those.

Like botocore's SSOTokenProvider: a token is refreshed with the refresh-token grant
inside the 15-minute window when the session has registration scopes (the CLI only
refreshes `[sso-session]` tokens), and a failed refresh keeps a still-valid token. The
session lasts as long as Identity Center says (`expiresIn`), not a fixed 8 hours."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError
from django.db import IntegrityError, transaction

from credentials import cache, crypto
from credentials.clients import get_client
from credentials.endpoints import check_endpoint
from credentials.errors import (
    EXIT_CONFIG,
    EXIT_OTHER,
    EXIT_SERVICE,
    CredentialError,
    SsoSessionExpired,
    SsoTokenMissing,
)
from credentials.models import CachedSession, ConfigSection, SectionKind, SsoSecret, SsoSecretKind
from credentials.profiles import Profile, Sections, configured_endpoint, load_sections, qualify
from credentials.types import AwsCredentials

REFRESH_WINDOW = timedelta(minutes=15)
DEFAULT_SCOPES = ("sso:account:access",)
# A generic `aws sso <operation>` given this as --access-token gets the session's token.
TOKEN_PLACEHOLDER = "session"  # noqa: S105 (a placeholder word, not a secret)
# sso-oidc's answer to an unknown client id or a wrong or expired client secret.
INVALID_CLIENT = "InvalidClientException"

T = TypeVar("T")


class SsoError(CredentialError):
    """A sign-in problem with the line the user should read."""


class TokenUnavailable(CredentialError):
    """No token for `--access-token session`; the CLI reports it through its general handler."""

    exit_code = EXIT_OTHER
    leading_newline = True


@dataclass(frozen=True)
class SsoSession:
    """What an `[sso-session]` (or a legacy profile) says about where to sign in."""

    name: str | None
    start_url: str
    region: str
    scopes: tuple[str, ...] = ()
    oidc_endpoint: str | None = None
    portal_endpoint: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.start_url

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps([self.name, self.start_url]).encode()).hexdigest()

    def login_hint(self) -> str:
        return (
            f"aws sso login --sso-session {self.name}" if self.name else "aws sso login --profile <profile>"
        )


@dataclass(frozen=True)
class SsoToken:
    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "accessToken": self.access_token,
            "expiresAt": self.expires_at.isoformat(),
            "refreshToken": self.refresh_token,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SsoToken:
        return cls(data["accessToken"], datetime.fromisoformat(data["expiresAt"]), data.get("refreshToken"))


@dataclass(frozen=True)
class Registration:
    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] = ()


# --- configuration -------------------------------------------------------------------


def is_sso_profile(profile: Profile) -> bool:
    return bool(profile.settings.get("sso_session") or profile.settings.get("sso_start_url"))


def load_session_section(user: Any, name: str, sections: Sections | None = None) -> dict[str, Any] | None:
    """An sso-session's values: the user's own, or (`<team>/<name>`) a team's, among the
    teams in which the user may use a profile."""
    if "/" in name:
        return (sections or load_sections(user)).sso_sessions.get(name)
    section = ConfigSection.objects.filter(
        owner=user, team__isnull=True, kind=SectionKind.SSO_SESSION, name=name
    ).first()
    return dict(section.settings) if section is not None else None


def session_named(
    user: Any,
    name: str,
    env: Mapping[str, str],
    *,
    endpoint_url: str | None = None,
    sections: Sections | None = None,
) -> SsoSession:
    values = load_session_section(user, name, sections)
    if values is None:
        raise CredentialError(f'The specified sso-session does not exist: "{name}"', EXIT_CONFIG)
    missing = [k for k in ("sso_start_url", "sso_region") if not values.get(k)]
    if missing:
        raise CredentialError(
            f'The sso-session "{name}" is missing required configuration: {", ".join(missing)}', EXIT_CONFIG
        )
    oidc = endpoint_url or _env_endpoint("sso_oidc", env) or values.get("endpoint_url")
    portal = endpoint_url or _env_endpoint("sso", env) or values.get("endpoint_url")
    return SsoSession(
        name, str(values["sso_start_url"]), str(values["sso_region"]), _scopes(values), oidc, portal
    )


def session_for_profile(
    user: Any, profile: Profile, env: Mapping[str, str], sections: Sections
) -> SsoSession:
    """The sign-in a profile uses. A team profile's `sso_session` is its team's: each member
    signs in to it as themselves and keeps their own token (keyed by user and session)."""
    settings = profile.settings
    services = sections.services
    if settings.get("sso_session"):
        name = profile.reference("sso_session") or str(settings["sso_session"])
        session = session_named(user, name, env, sections=sections)
    else:
        missing = [k for k in ("sso_start_url", "sso_region") if not settings.get(k)]
        if missing:
            raise CredentialError(
                f'The profile "{profile.name}" is configured to use SSO but is missing required '
                f"configuration: {', '.join(missing)}",
                EXIT_CONFIG,
            )
        session = SsoSession(None, str(settings["sso_start_url"]), str(settings["sso_region"]))
    # The profile's own endpoint settings win, as they would for the CLI's clients.
    oidc = configured_endpoint("sso-oidc", env, profile, services) or session.oidc_endpoint
    portal = configured_endpoint("sso", env, profile, services) or session.portal_endpoint
    return SsoSession(session.name, session.start_url, session.region, session.scopes, oidc, portal)


def _env_endpoint(service_id: str, env: Mapping[str, str]) -> str | None:
    return env.get(f"AWS_ENDPOINT_URL_{service_id.upper()}") or env.get("AWS_ENDPOINT_URL") or None


def _scopes(values: Mapping[str, Any]) -> tuple[str, ...]:
    raw = str(values.get("sso_registration_scopes") or "")
    return tuple(s.strip() for s in raw.split(",") if s.strip())


# --- clients -------------------------------------------------------------------------


def oidc_client(session: SsoSession) -> Any:
    return _client("sso-oidc", session, session.oidc_endpoint)


def portal_client(session: SsoSession) -> Any:
    return _client("sso", session, session.portal_endpoint)


def _client(service: str, session: SsoSession, endpoint: str | None) -> Any:
    if endpoint:
        check_endpoint(endpoint)
    # Both APIs authenticate with the client secret or the bearer token, never SigV4.
    return get_client(service, region=session.region, endpoint_url=endpoint, credentials=None, max_attempts=2)


def call(operation: str, fn: Callable[[], Any]) -> dict[str, Any]:
    """One sso-oidc / portal call, its errors as the CLI shows them."""
    try:
        return dict(fn())
    except ClientError:
        raise
    except EndpointConnectionError as exc:
        raise SsoError(
            f"{exc}\nIAM Identity Center could not be reached ({operation}): check sso_region and "
            "the endpoint settings.",
            EXIT_OTHER,
        ) from None
    except (BotoCoreError, ResponseParserError) as exc:
        raise SsoError(f"{exc}", EXIT_OTHER) from None


# --- the sealed store ----------------------------------------------------------------


def _load(user_id: int, kind: str, key: str) -> dict[str, Any] | None:
    row = SsoSecret.objects.filter(user_id=user_id, kind=kind, key=key).first()
    if row is None:
        return None
    try:
        return row.open_data()
    except (crypto.CryptoError, ValueError):
        row.delete()  # a row that does not open is never trusted
        return None


def _store(user_id: int, kind: str, key: str, label: str, data: dict[str, Any], expires: datetime) -> None:
    row = SsoSecret(user_id=user_id, kind=kind, key=key, label=label[:300], expires_at=expires)
    row.seal_data(data)
    try:
        with transaction.atomic():
            SsoSecret.objects.filter(user_id=user_id, kind=kind, key=key).delete()
            row.save()
    except IntegrityError:
        pass  # stored by a concurrent run a moment ago


def load_token(user_id: int, session: SsoSession) -> SsoToken | None:
    data = _load(user_id, SsoSecretKind.TOKEN, session.key)
    return SsoToken.from_json(data) if data else None


def store_token(user_id: int, session: SsoSession, token: SsoToken) -> None:
    _store(user_id, SsoSecretKind.TOKEN, session.key, session.label, token.to_json(), token.expires_at)


def load_registration(user_id: int, session: SsoSession) -> Registration | None:
    data = _load(user_id, SsoSecretKind.CLIENT, session.key)
    if not data:
        return None
    reg = Registration(
        data["clientId"],
        data["clientSecret"],
        datetime.fromisoformat(data["expiresAt"]),
        tuple(data["scopes"]),
    )
    if reg.expires_at <= datetime.now(UTC) + timedelta(minutes=15) or reg.scopes != session.scopes:
        return None
    return reg


def store_registration(user_id: int, session: SsoSession, reg: Registration) -> None:
    data = {
        "clientId": reg.client_id,
        "clientSecret": reg.client_secret,
        "expiresAt": reg.expires_at.isoformat(),
        "scopes": list(reg.scopes),
    }
    _store(user_id, SsoSecretKind.CLIENT, session.key, session.label, data, reg.expires_at)


# --- the client registration ---------------------------------------------------------


def registration(user_id: int, session: SsoSession) -> Registration:
    """The stored client registration while it lasts, else a new one."""
    return load_registration(user_id, session) or register(user_id, session)


def register(user_id: int, session: SsoSession) -> Registration:
    """RegisterClient, as the CLI does it; the registration replaces the stored one."""
    oidc = oidc_client(session)
    params: dict[str, Any] = {"clientName": _client_name(session), "clientType": "public"}
    if session.scopes:
        params["scopes"] = list(session.scopes)
    try:
        answer = call("RegisterClient", lambda: oidc.register_client(**params))
    except ClientError as exc:
        raise SsoError(str(exc), EXIT_SERVICE) from None
    expires = datetime.fromtimestamp(int(answer["clientSecretExpiresAt"]), UTC)
    fresh = Registration(answer["clientId"], answer["clientSecret"], expires, session.scopes)
    store_registration(user_id, session, fresh)
    return fresh


def _client_name(session: SsoSession) -> str:
    # The CLI's names: botocore-client-<session> or, for the legacy form, a timestamp.
    return f"botocore-client-{session.name}" if session.name else f"botocore-client-{int(time.time())}"


def is_invalid_client(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == INVALID_CLIENT)


def with_registration(
    user_id: int, session: SsoSession, operation: Callable[[Registration], T]
) -> tuple[Registration, T]:
    """Run an sso-oidc call that authenticates with the client registration; when Identity
    Center says the client is invalid or expired, register again and retry once."""
    current = registration(user_id, session)
    try:
        return current, operation(current)
    except ClientError as exc:
        if not is_invalid_client(exc):
            raise
    fresh = register(user_id, session)
    return fresh, operation(fresh)


def authorize_device(user_id: int, session: SsoSession) -> tuple[Registration, dict[str, Any]]:
    """StartDeviceAuthorization (the first call of `aws sso login`) with a registration
    Identity Center accepts; the registration goes on to poll CreateToken with."""
    oidc = oidc_client(session)
    return with_registration(
        user_id,
        session,
        lambda reg: call(
            "StartDeviceAuthorization",
            lambda: oidc.start_device_authorization(
                clientId=reg.client_id, clientSecret=reg.client_secret, startUrl=session.start_url
            ),
        ),
    )


def role_label_prefix(session: SsoSession) -> str:
    return f"sso:{session.key}:"


def forget_token(user_id: int, session: SsoSession) -> None:
    """Drop the token and every role credential obtained with it."""
    SsoSecret.objects.filter(user_id=user_id, kind=SsoSecretKind.TOKEN, key=session.key).delete()
    CachedSession.objects.filter(user_id=user_id, label__startswith=role_label_prefix(session)).delete()


# --- tokens and role credentials -----------------------------------------------------


def access_token(user_id: int, session: SsoSession) -> str:
    """A usable access token: the stored one, refreshed when it is about to expire."""
    token = load_token(user_id, session)
    if token is None:
        raise SsoTokenMissing(session.label, session.login_hint())
    now = datetime.now(UTC)
    if token.expires_at - now < REFRESH_WINDOW:
        fresh = _refreshed(user_id, session, token)
        if fresh is not None:
            return fresh.access_token
    if token.expires_at <= now:
        raise SsoSessionExpired(session.login_hint())
    return token.access_token


def _refreshed(user_id: int, session: SsoSession, token: SsoToken) -> SsoToken | None:
    registration = load_registration(user_id, session)
    if not (session.name and session.scopes and token.refresh_token and registration):
        return None
    oidc = oidc_client(session)
    try:
        answer = call(
            "CreateToken",
            lambda: oidc.create_token(
                grantType="refresh_token",
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                refreshToken=token.refresh_token,
            ),
        )
    except (ClientError, CredentialError):
        # As botocore: keep the current token while it lasts. A refused client changes
        # nothing here: its refresh token is bound to it, and login registers again.
        return None
    fresh = token_from(answer, fallback_refresh=token.refresh_token)
    store_token(user_id, session, fresh)
    return fresh


def token_from(answer: dict[str, Any], fallback_refresh: str | None = None) -> SsoToken:
    expires = datetime.now(UTC) + timedelta(seconds=int(answer.get("expiresIn") or 3600))
    return SsoToken(answer["accessToken"], expires, answer.get("refreshToken") or fallback_refresh)


def role_credentials(user_id: int, session: SsoSession, account_id: str, role_name: str) -> AwsCredentials:
    key = cache.cache_key("sso", session.key, session.portal_endpoint, session.region, account_id, role_name)
    cached = cache.load(user_id, key)
    if cached is not None and not cached.needs_refresh():
        return cached
    try:
        fresh = _fetch_role_credentials(user_id, session, account_id, role_name)
    except CredentialError:
        if cached is not None and not cached.must_refresh():
            return cached
        raise
    cache.store(user_id, key, f"{role_label_prefix(session)}{account_id}/{role_name}", fresh)
    return fresh


def _fetch_role_credentials(
    user_id: int, session: SsoSession, account_id: str, role_name: str
) -> AwsCredentials:
    token = access_token(user_id, session)
    portal = portal_client(session)
    try:
        answer = call(
            "GetRoleCredentials",
            lambda: portal.get_role_credentials(roleName=role_name, accountId=account_id, accessToken=token),
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "UnauthorizedException":
            raise SsoSessionExpired(session.login_hint()) from None
        if code == "ForbiddenException":
            raise CredentialError(
                f"{exc}\nYour Identity Center user may no longer be assigned the role {role_name} "
                f"in account {account_id}. Run aws sso list-account-roles, or aws configure sso "
                "to pick another role.",
                EXIT_SERVICE,
            ) from None
        raise CredentialError(str(exc), EXIT_SERVICE) from None
    creds = answer["roleCredentials"]
    expires = datetime.fromtimestamp(int(creds["expiration"]) / 1000, UTC)
    return AwsCredentials(
        creds["accessKeyId"],
        creds["secretAccessKey"],
        creds["sessionToken"],
        expires,
        "sso",
        account=account_id,
        role_name=role_name,
    )


# --- the token for generic `aws sso` operations --------------------------------------


def with_access_token(params: dict[str, Any], provider: Callable[[], str] | None) -> dict[str, Any]:
    """`aws sso <operation>`'s parameters with the placeholder replaced by the user's real
    token, so the token is used on the server and never shown to the user."""
    if params.get("accessToken") not in (None, TOKEN_PLACEHOLDER):
        return params
    if provider is None:
        raise TokenUnavailable(
            f"--access-token {TOKEN_PLACEHOLDER} needs a profile that signs in with "
            "IAM Identity Center (--profile or AWS_PROFILE)."
        )
    try:
        return {**params, "accessToken": provider()}
    except CredentialError as exc:
        raise TokenUnavailable(exc.message) from None


# --- signing out ---------------------------------------------------------------------


def logout(user_id: int, sessions: list[SsoSession]) -> int:
    """Revoke (portal Logout) and delete the given sessions' tokens and their role
    credentials; returns how many tokens were removed."""
    removed = 0
    for session in sessions:
        token = load_token(user_id, session)
        if token is not None and token.expires_at > datetime.now(UTC):
            _revoke(session, token)
        if token is not None:
            removed += 1
        forget_token(user_id, session)
    # Roles assumed *from* SSO role credentials (source_profile chains) are cached under
    # their own profile's key; drop the user's whole session cache rather than miss one.
    cache.forget(user_id)
    return removed


def _revoke(session: SsoSession, token: SsoToken) -> None:
    try:
        portal = portal_client(session)
        call("Logout", lambda: portal.logout(accessToken=token.access_token))
    except (ClientError, CredentialError):
        pass  # the token is deleted here whatever the portal says; it expires on its own


def forget_all_tokens(user_id: int) -> int:
    """`aws sso logout` without a session: every token of this user, as the CLI empties
    its whole token cache. Tokens whose configuration is gone are deleted unrevoked."""
    deleted, _ = SsoSecret.objects.filter(user_id=user_id, kind=SsoSecretKind.TOKEN).delete()
    CachedSession.objects.filter(user_id=user_id, label__startswith="sso:").delete()
    return deleted


# --- team sections ---------------------------------------------------------------------


def team_session_key(address: str, start_url: str) -> str:
    """The key of a team sso-session `<team>/<name>` (each member's own token under it)."""
    return SsoSession(address, start_url, "").key


def _team_sections(team_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    rows = ConfigSection.objects.filter(team_id=team_id).values_list("kind", "name", "settings")
    return [(kind, name, dict(values)) for kind, name, values in rows]


def _team_profile_key(slug: str, values: dict[str, Any], sessions: dict[str, dict[str, Any]]) -> str | None:
    if values.get("sso_session"):
        address = qualify(slug, str(values["sso_session"]))
        session = sessions.get(address or "")
        if address is None or session is None or not session.get("sso_start_url"):
            return None
        return team_session_key(address, str(session["sso_start_url"]))
    if values.get("sso_start_url"):
        return SsoSession(None, str(values["sso_start_url"]), "").key
    return None


def team_role_labels(slug: str, team_id: int, section: ConfigSection | None = None) -> list[str]:
    """The cache labels of role credentials got through the team's SSO profiles: all of
    them, those of one profile, or those of the profiles using one sso-session."""
    rows = _team_sections(team_id)
    sessions = {f"{slug}/{name}": values for kind, name, values in rows if kind == SectionKind.SSO_SESSION}
    labels = []
    for kind, name, values in rows:
        if kind != SectionKind.PROFILE or not _selected(slug, name, values, section):
            continue
        key = _team_profile_key(slug, values, sessions)
        if key and values.get("sso_account_id") and values.get("sso_role_name"):
            labels.append(f"sso:{key}:{values['sso_account_id']}/{values['sso_role_name']}")
    return labels


def _selected(slug: str, name: str, values: dict[str, Any], section: ConfigSection | None) -> bool:
    if section is None:
        return True
    if section.kind == SectionKind.SSO_SESSION:
        return qualify(slug, str(values.get("sso_session") or "")) == f"{slug}/{section.name}"
    return name == section.name


def team_session_prefixes(slug: str, team_id: int) -> list[str]:
    """The label prefixes of everything got with a team sso-session's tokens."""
    return [
        f"sso:{team_session_key(f'{slug}/{name}', str(values['sso_start_url']))}:"
        for kind, name, values in _team_sections(team_id)
        if kind == SectionKind.SSO_SESSION and values.get("sso_start_url")
    ]
