"""Problems with a run request, and a programming error the state machine refuses."""

from __future__ import annotations

from console.errors import ConsoleError, ExitCode


class RunError(ConsoleError):
    """A run request the console refuses; `code` names the reason for protocol clients."""

    code = "run_error"
    exit_code = ExitCode.USAGE

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class RunInputError(RunError):
    code = "bad_command"


class RunLimitReached(RunError):
    """The user already has as many runs queued or running as one user may have at once.
    Nothing was recorded: the user waits for one to end, or cancels one."""

    code = "too_many_runs"


class IllegalTransition(RuntimeError):
    """A status change that `TRANSITIONS` does not allow: a bug, never a user's doing."""
