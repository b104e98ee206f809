"""Every kind of command the terminal runs, behind one registry and one contract.

A parsed line (console.interpreter) is one of four kinds: an AWS operation (through the
engine), one of the CLI's `aws s3` commands, a `--generate-cli-skeleton` answer, or a
builtin (`help`, `export`, ..., and the CLI's hand-written `aws configure` and `aws sso`).
`dispatch` finds its handler by kind; every handler takes the parse result and a
`CommandContext` and returns the exit code. Nothing here knows about runs, the DB rows
that hold them, or websockets: console/runs builds the context and stores what it writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.commands.aws import run_operation, run_s3
from console.commands.builtins import run_builtin
from console.commands.context import Caller, CommandContext, CommandIO, EnvironmentStore
from console.errors import ExitCode
from console.interpreter import Builtin, Invocation, S3Command, Skeleton

Parsed = Invocation | Builtin | Skeleton | S3Command


def _skeleton(skeleton: Skeleton, ctx: CommandContext) -> int:
    # --generate-cli-skeleton: the interpreter wrote it; no credentials, no AWS call.
    ctx.write("stdout", skeleton.text)
    return ExitCode.OK


REGISTRY: dict[type, Callable[[Any, CommandContext], int]] = {
    Invocation: run_operation,
    S3Command: run_s3,
    Skeleton: _skeleton,
    Builtin: run_builtin,
}


def dispatch(parsed: Parsed, ctx: CommandContext) -> int:
    """Run a parsed command in its context; returns its exit code."""
    options = getattr(parsed, "options", None)
    if options is not None:
        ctx.options = options
    return REGISTRY[type(parsed)](parsed, ctx)


__all__ = ["REGISTRY", "Caller", "CommandContext", "CommandIO", "Parsed", "EnvironmentStore", "dispatch"]
