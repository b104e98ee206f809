"""The calls that turn one set of credentials into another: AssumeRole (with MFA),
AssumeRoleWithWebIdentity, and the host's instance role. Each takes plain values and
returns AwsCredentials; which profile asks for which, and caching, is the broker's job.

Errors from AWS are shown as the AWS CLI shows them (`An error occurred (AccessDenied)
when calling the AssumeRole operation: ...`, exit code 254), with an explanation added
where AWS's own words do not say what to change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from credentials.clients import get_client
from credentials.errors import (
    CHAINING_LIMIT_ERROR,
    EXIT_OTHER,
    EXIT_SERVICE,
    ChainedSessionTooLong,
    CredentialError,
    SourceIdentityRefused,
)
from credentials.types import AwsCredentials

CHAINED_MAX_SECONDS = 3600


def assume_role(
    source: AwsCredentials,
    params: dict[str, Any],
    *,
    profile: str,
    region: str | None,
    endpoint: str | None,
) -> AwsCredentials:
    sts = get_client("sts", region=region or "us-east-1", endpoint_url=endpoint, credentials=source)
    answer = _call(lambda: sts.assume_role(**params), profile, params.get("DurationSeconds"))
    return _credentials(answer, "assume-role")


def assume_role_with_web_identity(
    params: dict[str, Any], *, profile: str, region: str | None, endpoint: str | None
) -> AwsCredentials:
    # The request is not signed: the token is the proof of identity.
    sts = get_client("sts", region=region or "us-east-1", endpoint_url=endpoint, credentials=None)
    answer = _call(
        lambda: sts.assume_role_with_web_identity(**params), profile, params.get("DurationSeconds")
    )
    return _credentials(answer, "assume-role-with-web-identity")


def _call(call: Any, profile: str, duration: int | None) -> dict[str, Any]:
    try:
        return dict(call())
    except ClientError as exc:
        if "1 hour session limit" in str(exc) and duration:
            raise ChainedSessionTooLong(profile, int(duration)) from None
        if _refused_source_identity(exc):
            raise SourceIdentityRefused(str(exc), profile) from None
        raise CredentialError(str(exc), EXIT_SERVICE) from None
    except (BotoCoreError, ResponseParserError) as exc:  # the parser's error is no BotoCoreError
        raise CredentialError(str(exc), EXIT_OTHER) from None


def _refused_source_identity(exc: ClientError) -> bool:
    # AWS's words when the caller or the role's trust policy lacks the permission: "User:
    # <arn> is not authorized to perform: sts:SetSourceIdentity on resource: <role arn>".
    error = exc.response.get("Error", {})
    return error.get("Code") == "AccessDenied" and "sts:SetSourceIdentity" in str(error.get("Message", ""))


def _credentials(answer: dict[str, Any], method: str) -> AwsCredentials:
    """The keys of an STS answer, with the assumed-role ARN it names (for the audit)."""
    keys = answer["Credentials"]
    expiration = keys["Expiration"]
    if isinstance(expiration, datetime):
        expiration = expiration.astimezone(UTC)
    arn = (answer.get("AssumedRoleUser") or {}).get("Arn")
    return AwsCredentials(
        keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"], expiration, method, arn=arn
    )


__all__ = ["CHAINED_MAX_SECONDS", "CHAINING_LIMIT_ERROR", "assume_role", "assume_role_with_web_identity"]
