"""AWS operations and the CLI's `aws s3` commands: the broker resolves the user's session
for what they selected (profile, region, endpoint, the terminal's environment), a cached
client is taken for it, and the engine makes the calls. The session (profile chain,
principal, region, endpoint) and every call's answer go to the run's record. The profile decides the default
output format and `cli_timestamp_format`; questions (an MFA code) go through the context;
botocore's retries show as a dim line on this command's stderr only. The profile's
guardrail policy is checked on the way (console/commands/guardrail.py), before anything
is sent."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import Any

from console import stages
from console.commands.context import CommandContext
from console.commands.failures import report
from console.commands.guardrail import Check
from console.commands.workspacefiles import WorkspaceFiles
from console.engine import CALL_FAILURES, OutputFormat, run_invocation
from console.engine.debuglog import DebugLog, debug_to
from console.engine.localfiles import Local
from console.engine.s3 import run_s3_command
from console.interpreter import Invocation, S3Command
from credentials import broker, retries, sso
from credentials.clients import get_client
from credentials.errors import CredentialError
from credentials.types import ApiCall, ResolvedSession


def run_operation(invocation: Invocation, ctx: CommandContext) -> int:
    with debug_to(ctx, invocation.options.debug) as debug:
        try:
            with _hidden(debug):  # the broker's own calls are not the command's requests
                session, client = connect(ctx, invocation.service_name, Check(ctx, invocation))
            if invocation.service_name == "sso":
                parameters = sso.with_access_token(invocation.parameters, session.access_token)
                invocation = dataclasses.replace(invocation, parameters=parameters)
        except (CredentialError, *CALL_FAILURES) as exc:
            return report(ctx, exc)
        files = WorkspaceFiles(ctx.workspace) if ctx.workspace is not None else None
        return run_invocation(
            invocation, client, ctx, ctx.target, output_format(invocation, session), files=files
        )


def run_s3(command: S3Command, ctx: CommandContext) -> int:
    with debug_to(ctx, command.options.debug) as debug:
        try:
            with _hidden(debug):
                session, client = connect(ctx, "s3", Check(ctx, command))
        except (CredentialError, *CALL_FAILURES) as exc:
            return report(ctx, exc)
        local = Local(
            WorkspaceFiles(ctx.workspace) if ctx.workspace is not None else None,
            stdin=ctx.stdin,
            s3_settings=dict(session.settings),
            tty=ctx.target.tty,
        )
        return run_s3_command(command, client, ctx, local)


def _hidden(debug: DebugLog | None) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext() if debug is None else debug.hidden()


def connect(ctx: CommandContext, service: str, check: Check) -> tuple[ResolvedSession, Any]:
    """The user's session for this command, and a client for `service` that announces
    its retries on this command's stderr. The profile's guardrail policy is checked
    (`check`, which raises GuardrailRefused) before any credential or request."""
    options = ctx.options
    session = broker.resolve_session(
        ctx.user,
        profile=options.profile,
        region=options.region,
        endpoint_url=options.endpoint_url,
        service=service,
        env=ctx.env,
        ask=ctx.ask,
        gate=check,
    )
    stages.mark(ctx.caller.run_id, "credentials")
    client = get_client(
        service,
        region=broker.require_region(session),
        endpoint_url=session.endpoint_url,
        credentials=session.credentials,
        read_timeout=options.cli_read_timeout,
        connect_timeout=options.cli_connect_timeout,
        max_attempts=session.max_attempts,
        retry_mode=session.retry_mode,
        timestamp_format=session.timestamp_format,
    )
    ctx.record.connected(session, endpoint=client.meta.endpoint_url)
    stages.mark(ctx.caller.run_id, "client")
    on_call = _marking(ctx) if stages.ENABLED else ctx.record.add_call
    return session, retries.notifying(
        client, lambda op, attempt, most: _retrying(ctx, op, attempt, most), on_call=on_call
    )


def _marking(ctx: CommandContext) -> Callable[[ApiCall], None]:
    """The record's `add_call` that also marks the benchmark's "called" stage."""

    def add_call(call: ApiCall) -> None:
        ctx.record.add_call(call)
        stages.mark(ctx.caller.run_id, "called")

    return add_call


def _retrying(ctx: CommandContext, operation: str, attempt: int, most: int | None) -> None:
    ctx.write("stderr", retries.dim_retry_line(operation, attempt, most))


def output_format(invocation: Invocation, session: ResolvedSession) -> OutputFormat:
    """`--output`, else the profile's `output`, else json; the profile's timestamp format."""
    return OutputFormat(
        output=invocation.options.output or session.output or "json",
        timestamp_format=session.timestamp_format,
    )
