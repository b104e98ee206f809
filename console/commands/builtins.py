"""Console builtins that are not AWS calls (`help`, `whoami`, `clear`, `export`, `unset`,
`env`, `history`, `guard explain` of guard.py, the file commands of files.py) and the entry
points of the CLI's hand-written commands (`aws configure`, `aws sso login|logout`). They
run through the same pipeline as any command, so they are audited and replayable like the
rest.

`rerun <id>` is not among them: it is expanded into the line it re-runs when it is
submitted (console/audit/rerun.py), as bash expands `!n` before running it, so the run
is recorded, checked and guarded as the command it really is."""

from __future__ import annotations

from collections.abc import Callable

from console.commands.configure import run_configure
from console.commands.context import CommandContext, PastRun
from console.commands.environment import NAME, EnvironmentRefused, shown
from console.commands.files import FILE_HANDLERS, run_file_builtin
from console.commands.guard import access_help, run_guard
from console.commands.sso import run_sso
from console.errors import ExitCode
from console.interpreter import Builtin, CommandError
from console.interpreter.help import render_help
from console.output.controls import show_controls
from credentials.profiles import profile_names

HELP = """This terminal runs AWS CLI commands on the server with your console identity.

  aws <service> <operation> [parameters]   e.g. aws sts get-caller-identity
  aws s3api list-buckets --output json     global options: --profile --region --output --query
  aws configure [set|get|list|list-profiles]   your profiles, kept on the server
  aws configure sso / aws sso login|logout     IAM Identity Center sign-in, run on the server
  export NAME=value / unset NAME / env     this terminal's environment (AWS_PROFILE, AWS_REGION, ...)
  ls cat rm mv cp mkdir df pwd cd          your workspace's files (~), and team/<slug>/ folders
  upload [folder] / download <path>        files from and to your browser (the Files button shows the panel)
  aws ... file://policy.json               parameters read from workspace files (fileb:// for bytes)
  whoami                                   your console user and profiles
  history [N]                              your last N runs (20), with the ids the server keeps
  guard explain <command>                  the IAM actions and access level a command needs, sending nothing
  guard elevate <profile> <time> <reason>  ask for Write on a team profile for a time (guard elevations lists)
  rerun <id>                               run one again, as you, with fresh credentials (Tab completes ids)
                                           (each run's page, to share, re-run or compare: /runs/<id>)
  clear                                    clear the screen (or Ctrl-L)
  help                                     this text

Keys: Up/Down history, Ctrl-C cancels a running command, Ctrl-A/Ctrl-E start/end of line.
"""


def run_builtin(builtin: Builtin, ctx: CommandContext) -> int:
    """Run a builtin; returns its exit code."""
    handler = _HANDLERS.get(builtin.name)
    if handler is None:
        ctx.write("stderr", f"console: {builtin.name}: not a builtin\n")
        return ExitCode.NOT_FOUND
    return handler(builtin, ctx)


def _help(builtin: Builtin, ctx: CommandContext) -> int:
    # `help` is this terminal's; `aws help`, `aws s3api help`, `aws configure set help` are
    # the CLI's pages, rendered from the models by the interpreter.
    if not builtin.args and not builtin.redacted_line.lstrip().startswith("aws"):
        ctx.write("stdout", HELP)
        return ExitCode.OK
    try:
        ctx.write("stdout", render_help(builtin.args, width=ctx.target.width, extra=access_help))
    except CommandError as exc:
        ctx.write("stderr", exc.message)
        return exc.exit_code
    return ExitCode.OK


def _whoami(builtin: Builtin, ctx: CommandContext) -> int:
    profiles = ", ".join(profile_names(ctx.user)) or "none"
    ctx.write("stdout", f"{ctx.user.get_username()}\nprofiles: {profiles}\n")
    return ExitCode.OK


def _clear(builtin: Builtin, ctx: CommandContext) -> int:
    ctx.write("stdout", "\x1b[H\x1b[2J")
    return ExitCode.OK


def _export(builtin: Builtin, ctx: CommandContext) -> int:
    args = builtin.args
    if not ctx.caller.has_terminal:
        ctx.write(
            "stderr", "export: only a terminal has an environment; API runs use --profile and --region\n"
        )
        return ExitCode.FAILED
    if not args:
        return _show_env((), ctx, prefix="declare -x ")
    assignments = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if sep:
            assignments[name] = value
        elif not NAME.match(name):
            ctx.write("stderr", f"export: `{name}': not a valid identifier\n")
            return ExitCode.FAILED
    try:
        ctx.environment.export(assignments)
    except EnvironmentRefused as exc:
        ctx.write("stderr", f"{exc.message}\n")
        return exc.exit_code
    ctx.environment_changed()
    return ExitCode.OK


def _unset(builtin: Builtin, ctx: CommandContext) -> int:
    args = builtin.args
    names = [a for a in args if not a.startswith("-")]
    if ctx.caller.has_terminal and names:
        ctx.environment.unset(names)
        ctx.environment_changed()
    return ExitCode.OK


def _env(builtin: Builtin, ctx: CommandContext) -> int:
    return _show_env(builtin.args, ctx)


def _show_env(args: tuple[str, ...], ctx: CommandContext, prefix: str = "") -> int:
    if args:
        ctx.write(
            "stderr", "env: running a command with a changed environment is not supported here; use export\n"
        )
        return ExitCode.NOT_RUN
    values = ctx.env
    ctx.write("stdout", "".join(f"{prefix}{k}={shown(k, v)}\n" for k, v in sorted(values.items())))
    return ExitCode.OK


HISTORY_DEFAULT = 20
HISTORY_MOST = 200


def _history(builtin: Builtin, ctx: CommandContext) -> int:
    """`history [N]`: the user's last N runs, oldest first as in a shell, as the server
    keeps them (the lines redacted), with the short ids that `rerun` and /runs/ take."""
    args = builtin.args
    if len(args) > 1 or (args and not (args[0].isdigit() and 0 < int(args[0]) <= HISTORY_MOST)):
        ctx.write("stderr", f"history: usage: history [N], N from 1 to {HISTORY_MOST}\n")
        return ExitCode.USAGE
    if ctx.history is None:
        ctx.write("stderr", "history: this run has no history to read\n")
        return ExitCode.OTHER
    runs = list(reversed(ctx.history.recent(int(args[0]) if args else HISTORY_DEFAULT)))
    ctx.write("stdout", "".join(_history_line(run) for run in runs))
    return ExitCode.OK


def _history_line(run: PastRun) -> str:
    when = run.created_at.strftime("%Y-%m-%d %H:%M:%S")
    code = "" if run.exit_code is None else str(run.exit_code)
    return f"{run.short_id}  {when}  {run.status:<9} {code:>3}  {show_controls(run.command)}\n"


def _configure(builtin: Builtin, ctx: CommandContext) -> int:
    # The interpreter takes the global options out of `args` (wherever they were typed).
    return run_configure(ctx, builtin.args)


def _sso(builtin: Builtin, ctx: CommandContext) -> int:
    # `aws sso login|logout`: the device flow runs here, in the worker; the token stays here.
    return run_sso(ctx, builtin.args)


_HANDLERS: dict[str, Callable[[Builtin, CommandContext], int]] = {
    "help": _help,
    "whoami": _whoami,
    "clear": _clear,
    "export": _export,
    "unset": _unset,
    "env": _env,
    "history": _history,
    "guard": run_guard,
    "configure": _configure,
    "sso": _sso,
    **dict.fromkeys(FILE_HANDLERS, run_file_builtin),
}
