"""What `export`, `unset` and `env` accept and show: a shell's rules for names, the
console's limits, and masking of secret values. Where the variables are kept (per user
and terminal, sealed) is console/runs/environment.py; commands reach it through
`CommandContext.environment`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from console.errors import ConsoleError, ExitCode

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Shown masked by `env` as `aws configure list` masks keys: never sent back in full.
SECRET_NAMES = frozenset({"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"})
MAX_VARIABLES = 100
MAX_VALUE_LENGTH = 8192


class EnvironmentRefused(ConsoleError):
    """A bad `export`: the message is what the shell would say."""

    exit_code = ExitCode.FAILED


def check_assignments(assignments: Mapping[str, str]) -> None:
    for name, value in assignments.items():
        if not NAME.match(name):
            raise EnvironmentRefused(f"export: `{name}': not a valid identifier")
        if len(value) > MAX_VALUE_LENGTH:
            raise EnvironmentRefused(
                f"export: {name}: value too long (at most {MAX_VALUE_LENGTH} characters)"
            )


def check_count(values: Mapping[str, str]) -> None:
    if len(values) > MAX_VARIABLES:
        raise EnvironmentRefused(f"export: too many variables (at most {MAX_VARIABLES})")


def shown(name: str, value: str) -> str:
    if name in SECRET_NAMES or name.endswith(("_SECRET", "_TOKEN", "_PASSWORD")):
        return ("*" * 16) + value[-4:] if value else ""
    return value
