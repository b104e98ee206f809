"""The ``sso-oidc`` API: RegisterClient, StartDeviceAuthorization, CreateToken.

Errors are the OAuth error codes (RFC 6749/8628) in ``error``, typed by the
modeled exception that botocore raises for them (``AuthorizationPendingException``
for ``authorization_pending`` and so on).
"""

from __future__ import annotations

from typing import Any

from sandbox.identitycenter.state import IdentityCenter, IdentityCenterError
from sandbox.identitycenter.wire import Reply, error, ok

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"  # noqa: S105 (a name, not a secret)

# OAuth error code -> (modeled exception, HTTP status from the sso-oidc model)
ERRORS: dict[str, tuple[str, int]] = {
    "invalid_client": ("InvalidClientException", 401),
    "invalid_grant": ("InvalidGrantException", 400),
    "expired_token": ("ExpiredTokenException", 400),
    "authorization_pending": ("AuthorizationPendingException", 400),
    "slow_down": ("SlowDownException", 400),
    "access_denied": ("AccessDeniedException", 400),
    "invalid_request": ("InvalidRequestException", 400),
    "invalid_client_metadata": ("InvalidClientMetadataException", 400),
    "unsupported_grant_type": ("UnsupportedGrantTypeException", 400),
}


def oauth_error(exc: IdentityCenterError) -> Reply:
    error_type, status = ERRORS.get(exc.code, ("InvalidRequestException", 400))
    return error(status, error_type, {"error": exc.code, "error_description": exc.description})


def _required(body: dict[str, Any], *names: str) -> list[str]:
    missing = [name for name in names if not isinstance(body.get(name), str) or not body[name]]
    if missing:
        raise IdentityCenterError("invalid_request", f"Missing required parameter(s): {', '.join(missing)}")
    return [body[name] for name in names]


def register_client(center: IdentityCenter, body: dict[str, Any], base_url: str) -> Reply:
    name, client_type = _required(body, "clientName", "clientType")
    if client_type != "public":
        raise IdentityCenterError(
            "invalid_client_metadata", "Invalid client type: only 'public' is supported"
        )
    client = center.register_client(name, [str(s) for s in body.get("scopes") or []])
    return ok(
        {
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
            "clientIdIssuedAt": int(client.issued_at),
            "clientSecretExpiresAt": int(client.expires_at),
        }
    )


def start_device_authorization(center: IdentityCenter, body: dict[str, Any], base_url: str) -> Reply:
    client_id, client_secret, start_url = _required(body, "clientId", "clientSecret", "startUrl")
    auth = center.start_device_authorization(client_id, client_secret, start_url, f"{base_url}/start")
    return ok(
        {
            "deviceCode": auth.device_code,
            "userCode": auth.user_code,
            "verificationUri": f"{base_url}/device",
            "verificationUriComplete": f"{base_url}/device?user_code={auth.user_code}",
            "expiresIn": int(auth.expires_at - center.clock()),
            "interval": auth.interval,
        }
    )


def create_token(center: IdentityCenter, body: dict[str, Any], base_url: str) -> Reply:
    client_id, client_secret, grant_type = _required(body, "clientId", "clientSecret", "grantType")
    if grant_type == DEVICE_CODE_GRANT:
        (device_code,) = _required(body, "deviceCode")
        session = center.create_token_from_device_code(client_id, client_secret, device_code)
    elif grant_type == REFRESH_TOKEN_GRANT:
        (refresh_token,) = _required(body, "refreshToken")
        session = center.create_token_from_refresh_token(client_id, client_secret, refresh_token)
    else:
        raise IdentityCenterError("unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    reply: dict[str, Any] = {
        "accessToken": session.access_token,
        "tokenType": "Bearer",
        "expiresIn": max(0, int(session.access_expires_at - center.clock())),
    }
    if session.refresh_token:
        reply["refreshToken"] = session.refresh_token
    return ok(reply)


OPERATIONS = {
    "/client/register": register_client,
    "/device_authorization": start_device_authorization,
    "/token": create_token,
}
