"""The host's instance role, read from the EC2 instance metadata service with IMDSv2 only.

IMDSv2 first PUTs for a session token (with a TTL), then sends that token with every GET;
a metadata service that refuses the PUT is treated as unavailable, never retried with
IMDSv1's unauthenticated GETs (IMDSv1 is what SSRF attacks on metadata exploit). Timeouts
are short, so a console off EC2 reports the problem in about a second instead of hanging.
Only used when an administrator sets CONSOLE_ALLOW_INSTANCE_ROLE."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from credentials.errors import InstanceRoleUnavailable
from credentials.types import AwsCredentials

TOKEN_PATH = "/latest/api/token"  # noqa: S105 - a URL path, not a secret
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TOKEN_TTL_SECONDS = 21600
TIMEOUT = httpx.Timeout(1.0)


def fetch_instance_credentials(base_url: str) -> AwsCredentials:
    try:
        with httpx.Client(
            base_url=base_url, timeout=TIMEOUT, follow_redirects=False, trust_env=False
        ) as http:
            token = _session_token(http)
            headers = {"X-aws-ec2-metadata-token": token}
            role = _get(http, ROLE_PATH, headers).strip().splitlines()
            if not role or not role[0]:
                raise InstanceRoleUnavailable("the instance has no IAM role attached")
            document = http.get(ROLE_PATH + role[0], headers=headers)
            document.raise_for_status()
            data = document.json()
    except httpx.HTTPError as exc:
        raise InstanceRoleUnavailable(f"{type(exc).__name__} from {base_url}") from None
    except ValueError:
        raise InstanceRoleUnavailable(
            "the metadata service answered with something other than JSON"
        ) from None
    return _credentials(data, role[0])


def _session_token(http: httpx.Client) -> str:
    answer = http.put(TOKEN_PATH, headers={"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)})
    if answer.status_code != 200 or not answer.text:
        raise InstanceRoleUnavailable(
            f"the IMDSv2 token request was answered with HTTP {answer.status_code} (IMDSv1 is never used)"
        )
    return answer.text


def _get(http: httpx.Client, path: str, headers: dict[str, str]) -> str:
    answer = http.get(path, headers=headers)
    if answer.status_code == 404:
        raise InstanceRoleUnavailable("the instance has no IAM role attached")
    answer.raise_for_status()
    return answer.text


def _credentials(data: dict[str, str], role_name: str) -> AwsCredentials:
    try:
        expiration = datetime.fromisoformat(data["Expiration"].replace("Z", "+00:00"))
        return AwsCredentials(
            data["AccessKeyId"],
            data["SecretAccessKey"],
            data.get("Token"),
            expiration.astimezone(UTC),
            "iam-role",
            role_name=role_name,
        )
    except (KeyError, AttributeError, ValueError):
        raise InstanceRoleUnavailable("the credentials document is incomplete") from None
