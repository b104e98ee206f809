"""What may be stored in a section, checked once for every way in (`aws configure set`,
an imported file, a team profile's form or paste): the key's name, keys this server
refuses, and values whose shape the CLI would reject later anyway. Problems are collected
and reported together, botocore's way, so a form shows every field that is wrong at once.

Team sections have two more rules: `role_session_name` cannot be set (AWS must see each
member's own username, whoever wrote the profile), and access keys are governed by
CONSOLE_ALLOW_TEAM_KEYS (an administrator enters them; members never see them) instead of
CONSOLE_ALLOW_STATIC_KEYS."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credentials import conf
from credentials.errors import EXIT_USAGE, CredentialError

STATIC_KEY_NAMES = frozenset({"aws_access_key_id", "aws_secret_access_key", "aws_session_token"})
REFUSED_KEYS = {
    "credential_process": "it would run a program on the shared server",
    "web_identity_token_file": (
        "commands never read the server's files; set web_identity_token to the token itself"
    ),
}
TEAM_REFUSED_KEYS = {
    "role_session_name": (
        "AWS must see each member's own username as the role session name, whoever configured the profile"
    ),
}
_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}(\.[A-Za-z0-9_]{1,64})?$")
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f\[\]]")
_CHOICES = {
    "output": ("json", "text", "table", "yaml", "yaml-stream"),
    "retry_mode": ("legacy", "standard", "adaptive"),
    "credential_source": ("Environment", "Ec2InstanceMetadata", "EcsContainer"),
    "cli_timestamp_format": ("iso8601", "wire", "none"),
}
_PATTERNS = {
    "region": (re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"), "a region name such as eu-west-1"),
    "sso_region": (re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"), "a region name such as eu-west-1"),
    "role_arn": (
        re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"),
        "a role ARN such as arn:aws:iam::123456789012:role/ReadOnly",
    ),
    "sso_account_id": (re.compile(r"^\d{12}$"), "a 12-digit account id"),
    "endpoint_url": (re.compile(r"^https?://[^\s/]+/?$"), "a URL such as https://host:443"),
    "sso_start_url": (re.compile(r"^https?://\S+$"), "a URL such as https://my.awsapps.com/start"),
}
_WHOLE_NUMBERS = {"duration_seconds": (900, 43200), "max_attempts": (1, 100)}


def check_name(name: str, *, team: bool) -> None:
    """A section's own name: personal names never contain "/" (that is how a team
    profile is addressed, `<team>/<profile>`), and a team's names are its bare names."""
    if not name or len(name) > 128 or _NAME_BAD.search(name) or name != name.strip():
        raise CredentialError(
            f"The profile name {name!r} cannot be used: give 1 to 128 characters without "
            "brackets, control characters or leading and trailing spaces.",
            EXIT_USAGE,
        )
    if "/" in name:
        where = (
            "a team's own profiles are named without their team"
            if team
            else "that is how team profiles are named (<team>/<profile>); team profiles are "
            "changed on the team's page"
        )
        raise CredentialError(
            f'The profile name "{name}" contains "/": {where}. Choose a name without "/".', EXIT_USAGE
        )


def problems(values: Mapping[str, Any], *, team: bool) -> list[str]:
    """Every problem with these keys and values, as one line each (empty when all is well)."""
    found: list[str] = []
    for key, value in values.items():
        found.extend(_key_problems(str(key), value, team=team))
    return found


def check_values(values: Mapping[str, Any], *, team: bool) -> None:
    found = problems(values, team=team)
    if found:
        raise CredentialError("\n".join(found), EXIT_USAGE)


def _key_problems(key: str, value: Any, *, team: bool) -> list[str]:
    if not _KEY.match(key):
        return [f"{key!r} is not a configuration key (letters, digits and _, as `aws configure set` takes)."]
    if key in REFUSED_KEYS:
        return [f"{key} cannot be set in this console: {REFUSED_KEYS[key]}."]
    if team and key in TEAM_REFUSED_KEYS:
        return [f"{key} cannot be set on a team profile: {TEAM_REFUSED_KEYS[key]}."]
    if key in STATIC_KEY_NAMES and not _keys_allowed(team):
        return [static_keys_refusal(key, team=team)]
    if isinstance(value, dict):
        return [p for sub, v in value.items() for p in _value_problems(f"{key}.{sub}", sub, v)]
    return _value_problems(key, key, value)


def _keys_allowed(team: bool) -> bool:
    return conf.allow_team_keys() if team else conf.allow_static_keys()


def static_keys_refusal(key: str, *, team: bool) -> str:
    setting = "CONSOLE_ALLOW_TEAM_KEYS" if team else "CONSOLE_ALLOW_STATIC_KEYS"
    return (
        f"{key} cannot be stored: this console does not accept access keys ({setting} is off). "
        "Use a role or IAM Identity Center instead."
    )


def _value_problems(label: str, key: str, value: Any) -> list[str]:
    text = str(value)
    if "\n" in text or "\r" in text or "\x00" in text:
        return [f"{label}: a value is one line."]
    if len(text) > 4096:
        return [f"{label}: the value is longer than 4096 characters."]
    if key in _CHOICES and text not in _CHOICES[key]:
        return [f"{label}: {text!r} is not one of {', '.join(_CHOICES[key])}."]
    if key in _PATTERNS and text and not _PATTERNS[key][0].match(text):
        return [f"{label}: {text!r} is not {_PATTERNS[key][1]}."]
    if key in _WHOLE_NUMBERS and text:
        low, high = _WHOLE_NUMBERS[key]
        if not text.isdigit() or not low <= int(text) <= high:
            return [f"{label}: {text!r} is not a whole number from {low} to {high}."]
    return []
