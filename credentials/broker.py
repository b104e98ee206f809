"""The credential broker: turns (user, profile, region, endpoint) into short-lived AWS
credentials, following the AWS CLI's profile rules. Profiles are read from the DB per
command (one query); assumed-role sessions are cached in process memory per (user,
profile chain, settings version) and refreshed inside botocore's advisory window, so a
warm cache costs no STS call. The console username is the role session name and the
SourceIdentity, so CloudTrail names the person behind a shared role."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from credentials import crypto
from credentials.clients import get_client
from credentials.endpoints import check_endpoint
from credentials.errors import CredentialError, NoCredentials, NoRegion, ProfileNotFound, StaticKeysNotAllowed
from credentials.models import ConfigSection, SectionKind
from credentials.types import AwsCredentials, ResolvedSession

MAX_CHAIN = 8
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")

_cache_lock = threading.Lock()
_role_cache: dict[tuple[Any, ...], AwsCredentials] = {}


@dataclass(frozen=True)
class Profile:
    name: str
    settings: dict[str, str]
    secrets: dict[str, str]
    version: str


def _open_secrets(section: ConfigSection) -> dict[str, str]:
    if not section.sealed_secrets:
        return {}
    return dict(json.loads(crypto.open_sealed(section.sealed_secrets, section.secret_context())))


_PROFILES_SQL = f"SELECT * FROM {ConfigSection._meta.db_table} WHERE owner_id = %s AND kind = %s"


def load_profiles(user: Any) -> dict[str, Profile]:
    # Read on every command: a plain query, which skips the ORM's compile step.
    sections = ConfigSection.objects.raw(_PROFILES_SQL, [user.pk, SectionKind.PROFILE.value])
    return {
        s.name: Profile(s.name, dict(s.settings), _open_secrets(s), s.updated_at.isoformat())
        for s in sections
    }


def session_name_for(username: str) -> str:
    name = _SESSION_NAME_CHARS.sub("-", username)[:64]
    return name if len(name) >= 2 else f"{name}--"[:2]


def resolve_session(
    user: Any,
    *,
    profile: str | None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> ResolvedSession:
    profiles = load_profiles(user)
    name = profile or "default"
    if name not in profiles:
        if profile is None:
            raise NoCredentials()
        raise ProfileNotFound(name)
    chosen = profiles[name]
    endpoint = endpoint_url or chosen.settings.get("endpoint_url")
    if endpoint:
        check_endpoint(endpoint)
    resolved_region = region or chosen.settings.get("region")
    credentials = _credentials_for(user, profiles, name, (), resolved_region, endpoint)
    return ResolvedSession(
        profile=name,
        region=resolved_region,
        endpoint_url=endpoint,
        credentials=credentials,
        output=chosen.settings.get("output"),
        settings=chosen.settings,
    )


def require_region(session: ResolvedSession) -> str:
    if not session.region:
        raise NoRegion()
    return session.region


def _credentials_for(
    user: Any,
    profiles: dict[str, Profile],
    name: str,
    chain: tuple[str, ...],
    region: str | None,
    endpoint: str | None,
) -> AwsCredentials:
    if name in chain or len(chain) >= MAX_CHAIN:
        raise CredentialError(f"Infinite loop in credential configuration detected: {' -> '.join((*chain, name))}")
    if name not in profiles:
        raise ProfileNotFound(name)
    profile = profiles[name]
    if "credential_process" in profile.settings:
        raise CredentialError(
            f"The profile ({name}) uses credential_process, which this console refuses: it "
            "would run a program on the shared server. Use a role, web identity or IAM "
            "Identity Center instead."
        )
    if profile.settings.get("role_arn"):
        return _assumed_role(user, profiles, profile, (*chain, name), region, endpoint)
    if profile.secrets.get("aws_access_key_id") and profile.secrets.get("aws_secret_access_key"):
        return _static(profile)
    raise NoCredentials()


def _static(profile: Profile) -> AwsCredentials:
    from django.conf import settings

    if not settings.CONSOLE_ALLOW_STATIC_KEYS:
        raise StaticKeysNotAllowed(profile.name)
    return AwsCredentials(
        profile.secrets["aws_access_key_id"],
        profile.secrets["aws_secret_access_key"],
        profile.secrets.get("aws_session_token") or None,
    )


def _assumed_role(
    user: Any,
    profiles: dict[str, Profile],
    profile: Profile,
    chain: tuple[str, ...],
    region: str | None,
    endpoint: str | None,
) -> AwsCredentials:
    source = profile.settings.get("source_profile")
    if not source:
        raise CredentialError(
            f"The profile ({profile.name}) has role_arn but no source_profile; "
            "credential_source and web identity are configured by the credential broker's "
            "next release."
        )
    if profile.settings.get("mfa_serial"):
        raise CredentialError(
            f"The profile ({profile.name}) needs an MFA code (mfa_serial); prompting for "
            "MFA codes is not available in this console yet."
        )
    versions = tuple(profiles[n].version for n in chain if n in profiles)
    key = (user.pk, chain, versions, region, endpoint)
    with _cache_lock:
        cached = _role_cache.get(key)
    if cached is not None and not cached.needs_refresh():
        return cached
    source_creds = _credentials_for(user, profiles, source, chain, region, endpoint)
    fresh = _call_assume_role(user, profile, source_creds, region, endpoint)
    with _cache_lock:
        _role_cache[key] = fresh
    return fresh


def _call_assume_role(
    user: Any, profile: Profile, source: AwsCredentials, region: str | None, endpoint: str | None
) -> AwsCredentials:
    sts = get_client("sts", region=region or "us-east-1", endpoint_url=endpoint, credentials=source)
    name = session_name_for(user.get_username())
    params: dict[str, Any] = {
        "RoleArn": profile.settings["role_arn"],
        "RoleSessionName": profile.settings.get("role_session_name") or name,
        "SourceIdentity": name,
    }
    if profile.settings.get("external_id"):
        params["ExternalId"] = profile.settings["external_id"]
    if profile.settings.get("duration_seconds"):
        params["DurationSeconds"] = int(profile.settings["duration_seconds"])
    try:
        answer = sts.assume_role(**params)["Credentials"]
    except ClientError as exc:
        raise CredentialError(f"Could not assume the role of profile ({profile.name}): {exc}", 255) from None
    except BotoCoreError as exc:
        raise CredentialError(f"Could not assume the role of profile ({profile.name}): {exc}", 255) from None
    return AwsCredentials(
        answer["AccessKeyId"],
        answer["SecretAccessKey"],
        answer["SessionToken"],
        answer["Expiration"].astimezone(timezone.utc) if isinstance(answer["Expiration"], datetime) else None,
    )


def forget_user_sessions(user_id: int) -> None:
    """Drop this process's cached sessions for a user (sign-out, profile change)."""
    with _cache_lock:
        for key in [k for k in _role_cache if k[0] == user_id]:
            del _role_cache[key]
