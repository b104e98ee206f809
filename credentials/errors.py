"""The broker's errors, worded as the AWS CLI words them, with its v2 return codes.

The broker never imports the console, so it names the four codes it uses here; they are
the same numbers as console.errors.ExitCode (tests/test_errors.py holds them equal), and
the commands layer maps a CredentialError to the console's error once."""

from __future__ import annotations

EXIT_USAGE = 252  # a value that cannot be parsed (argparse's class of error)
EXIT_CONFIG = 253  # the environment or configuration is invalid
EXIT_SERVICE = 254  # the service answered with an error
EXIT_OTHER = 255  # the CLI's general handler


class CredentialError(Exception):
    """A credential or configuration problem, worded as the AWS CLI words it.

    `exit_code` follows AWS CLI v2's return codes: 253 means the environment or
    configuration is invalid (no credentials, no region, unknown profile)."""

    exit_code = EXIT_CONFIG
    # The CLI writes some of these after a blank line (its generic handler), others not.
    leading_newline = False

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class ProfileNotFound(CredentialError):
    leading_newline = True

    def __init__(self, name: str) -> None:
        super().__init__(f"The config profile ({name}) could not be found")


class NoCredentials(CredentialError):
    def __init__(self) -> None:
        super().__init__(
            'Unable to locate credentials. You can configure credentials by running "aws configure".'
        )


class NoRegion(CredentialError):
    def __init__(self) -> None:
        super().__init__(
            'You must specify a region. You can also configure your region by running "aws configure".'
        )


class EndpointNotAllowed(CredentialError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(
            f"The endpoint {url} is not allowed here: {why}. An administrator can allow it "
            "in CONSOLE_ENDPOINT_ALLOWLIST.",
            exit_code=EXIT_USAGE,
        )


class EndpointHasPath(EndpointNotAllowed):
    def __init__(self, url: str, path: str) -> None:
        CredentialError.__init__(
            self,
            f"The endpoint {url} is not allowed here: it has a path ({path}), and the AWS CLI's "
            "endpoints have none. Give only the scheme, host and port, such as https://host:443.",
            exit_code=252,
        )


class StaticKeysNotAllowed(CredentialError):
    def __init__(self, profile: str, setting: str = "CONSOLE_ALLOW_STATIC_KEYS") -> None:
        super().__init__(
            f"The profile ({profile}) holds static access keys, which this console does not "
            f"accept ({setting} is off). Use a role or IAM Identity Center instead."
        )


class Refused(CredentialError):
    """Configuration this console will not act on, with the reason and what to do instead."""


class MfaCodeNeeded(CredentialError):
    def __init__(self, profile: str, serial: str) -> None:
        super().__init__(
            f"The profile ({profile}) needs an MFA code for {serial}, and this run cannot ask "
            "for one. In the terminal you are prompted; over the API, send the code as the "
            "run's stdin."
        )


class InstanceRoleUnavailable(CredentialError):
    def __init__(self, why: str) -> None:
        super().__init__(
            "Unable to locate credentials: the host's instance role could not be read from "
            f"the instance metadata service (IMDSv2): {why}. Is this console running on EC2 "
            "with an instance profile and IMDSv2 reachable?"
        )


CHAINING_LIMIT_ERROR = (
    "An error occurred (ValidationError) when calling the AssumeRole operation: The requested "
    "DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)


class ChainedSessionTooLong(CredentialError):
    def __init__(self, profile: str, asked: int) -> None:
        super().__init__(
            f"{CHAINING_LIMIT_ERROR}\nThe profile ({profile}) assumes its role with credentials "
            f"that are themselves an assumed role (role chaining), and AWS caps such sessions at "
            f"3600 seconds; it asks for duration_seconds = {asked}. Set duration_seconds to 3600 "
            "or less in that profile.",
            EXIT_OTHER,
        )


class SsoTokenMissing(CredentialError):
    """botocore's SSOTokenLoadError, as the CLI prints it, with what to do."""

    def __init__(self, label: str, login: str) -> None:
        super().__init__(f"Error loading SSO Token: Token for {label} does not exist\nSign in first: {login}")


class SsoSessionExpired(CredentialError):
    """botocore's UnauthorizedSSOTokenError: expired, revoked or otherwise refused."""

    def __init__(self, login: str) -> None:
        super().__init__(
            "The SSO session associated with this profile has expired or is otherwise invalid. "
            "To refresh this SSO session run aws sso login with the corresponding profile.\n"
            f"({login})"
        )


class SourceIdentityRefused(CredentialError):
    """AssumeRole refused because setting the SourceIdentity is not allowed: the console
    always sets it (the member's username, for CloudTrail), so say what to change."""

    def __init__(self, aws_message: str, profile: str) -> None:
        role = (
            aws_message.rsplit("on resource: ", 1)[-1].strip()
            if "on resource: " in aws_message
            else "the role"
        )
        super().__init__(
            f"{aws_message}\nThis console names you to AWS as the SourceIdentity of every role it "
            f"assumes for you (profile {profile}), and {role} does not allow that. Add "
            '"sts:SetSourceIdentity" beside "sts:AssumeRole" in the Action of the trust policy '
            "statement that lets the calling principal assume the role (and, when that principal "
            "is itself a role or a user, to its permissions policy too). See docs/teams.md.",
            EXIT_SERVICE,
        )
