"""`guard explain <command line>` and the ACCESS LEVEL section of an operation's help: what
a command would do, in IAM's words, before anyone runs it.

The line after `guard explain` is parsed exactly as it would be run (same messages for an
unknown service or a bad parameter, `file://` read from the workspace), but nothing is
sent. Each IAM action is shown with AWS's access level, then the command's level (the
most privileged) and what the chosen profile's guardrail policy would do with it (the
same decision the worker makes, console/commands/guardrail.py; a profile without a
policy is "none set (allow)").

`guard elevate` and `guard elevations` ask for and list just-in-time elevations through
the provider the teams app registers (console/commands/elevation.py).
"""

from __future__ import annotations

import shlex

from console.commands import elevation
from console.commands.context import CommandContext
from console.commands.guardrail import classification_of, effective_policy, elevates
from console.commands.workspacefiles import WorkspaceFiles
from console.engine.access_levels import AccessLevel, action_level, classify
from console.engine.policies import Decision, decide, describe
from console.errors import ExitCode
from console.interpreter import Builtin, CommandError, Invocation, S3Command, parse_command
from console.interpreter.help import HelpSection
from credentials.profiles import load_sections, profile_choice

USAGE = "guard: usage: guard explain <command line>   e.g. guard explain aws s3 rm s3://bucket/key\n"
ELEVATE_USAGE = (
    "guard: usage: guard elevate <team>/<profile> <duration> <reason>   "
    "e.g. guard elevate platform/prod 2h fixing the release\n"
)
SUBCOMMANDS = ("explain", "elevate", "elevations")
_UNKNOWN = "not in AWS's data: counted as Write"
WHAT = {
    Decision.ALLOW: "it would run",
    Decision.CONFIRM: "you would be asked to type the profile's name first",
    Decision.APPROVE: "it would wait for another team member's approval, nothing sent until then",
    Decision.DENY: "it would be refused, nothing sent",
}


def run_guard(builtin: Builtin, ctx: CommandContext) -> int:
    if builtin.args[:1] in (("elevate",), ("elevations",)):
        return _elevation(builtin.args, ctx)
    if len(builtin.args) < 2 or builtin.args[0] != "explain":
        ctx.write("stderr", USAGE)
        return ExitCode.USAGE
    files = WorkspaceFiles(ctx.workspace).read if ctx.workspace is not None else None
    try:
        parsed = parse_command(shlex.join(builtin.args[1:]), files=files)
    except CommandError as exc:
        ctx.write("stderr", exc.message)
        return exc.exit_code
    if not isinstance(parsed, Invocation | S3Command):
        name = parsed.name if isinstance(parsed, Builtin) else "--generate-cli-skeleton"
        ctx.write("stdout", f"`{name}` sends no request that IAM authorizes: no guardrail applies.\n")
        return ExitCode.OK
    ctx.write("stdout", explanation(parsed, ctx))
    return ExitCode.OK


def _elevation(args: tuple[str, ...], ctx: CommandContext) -> int:
    """`guard elevate <profile> <duration> <reason...>` asks; `guard elevations` lists."""
    found = elevation.provider()
    if found is None or ctx.user is None:
        ctx.write("stderr", "guard: just-in-time elevation is not available here\n")
        return ExitCode.USAGE
    if args[0] == "elevate" and len(args) < 4:
        ctx.write("stderr", ELEVATE_USAGE)
        return ExitCode.USAGE
    try:
        if args[0] == "elevate":
            text = found.request(ctx.user, args[1], args[2], " ".join(args[3:]))
        else:
            text = found.listing(ctx.user)
    except elevation.ElevationRefused as exc:
        ctx.write("stderr", f"guard: {exc.message}\n")
        return ExitCode.USAGE
    ctx.write("stdout", text)
    return ExitCode.OK


def explanation(parsed: Invocation | S3Command, ctx: CommandContext) -> str:
    found = classification_of(parsed)
    width = max(len(action) for action in found.actions) + 2
    lines = [f"  {action.ljust(width)}{_level_text(action)}" for action in found.actions]
    return "".join(
        line + "\n"
        for line in [
            f"{_what(parsed)} needs:",
            *lines,
            f"Access level: {found.level}" + ("" if found.known else f" ({_UNKNOWN})"),
            _policy_line(parsed, ctx, found.level),
        ]
    )


def _policy_line(parsed: Invocation | S3Command, ctx: CommandContext, level: AccessLevel) -> str:
    name, _ = profile_choice(parsed.options.profile, ctx.env)
    profile = load_sections(ctx.user).named(name)
    policy = effective_policy(profile, level)
    if profile is None or not policy:
        return f"Policy: none set for profile {name} (allow)"
    decision = decide(policy, level)
    grant = "; your grant is read-only" if profile.read_only and not elevates(profile, level) else ""
    if elevates(profile, level) and decision == Decision.APPROVE:
        decision, grant = Decision.ALLOW, "; your elevation approves it in advance"
    elif elevates(profile, level) and profile.read_only:
        grant = "; your elevation lifts your read-only grant for it"
    return f"Policy: {decision} ({WHAT[decision]}; profile {name}: {describe(policy)}{grant})"


def _what(parsed: Invocation | S3Command) -> str:
    if isinstance(parsed, S3Command):
        return f"aws s3 {parsed.name}"
    return f"aws {parsed.cli_service} {parsed.operation_name}"


def _level_text(action: str) -> str:
    level = action_level(action)
    return str(level) if level is not None else _UNKNOWN


def access_help(service_name: str, operation_name: str) -> list[HelpSection]:
    """The ACCESS LEVEL section of `aws <service> <operation> help`."""
    found = classify(service_name, operation_name)
    level = str(found.level) + ("" if found.known else f" ({_UNKNOWN})")
    actions = [f"   o {action} ({_level_text(action)})" for action in found.actions]
    return [
        (
            "ACCESS LEVEL",
            [
                level,
                "",
                "IAM actions:",
                *actions,
                "",
                "`guard explain <command line>` shows it for a whole command.",
            ],
        )
    ]
