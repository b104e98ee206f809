from __future__ import annotations


class RunError(Exception):
    """Base for problems a user can act on; `message` is shown to them as is."""

    code = "run_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class RunInputError(RunError):
    code = "bad_command"


class RunNotFound(RunError):
    code = "not_found"
