from __future__ import annotations


class CredentialError(Exception):
    """A credential or configuration problem, worded as the AWS CLI words it.

    `exit_code` follows AWS CLI v2's return codes: 253 means the environment or
    configuration is invalid (no credentials, no region, unknown profile)."""

    exit_code = 253

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class ProfileNotFound(CredentialError):
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
            exit_code=252,
        )


class StaticKeysNotAllowed(CredentialError):
    def __init__(self, profile: str) -> None:
        super().__init__(
            f"The profile ({profile}) holds static access keys, which this console does not "
            "accept (CONSOLE_ALLOW_STATIC_KEYS is off). Use a role or IAM Identity Center instead."
        )
