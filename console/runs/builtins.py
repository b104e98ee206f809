"""Terminal builtins that are not AWS calls. They run through the same pipeline as any
command, so they are audited and replayable like the rest.

Questions (`aws configure` answers, MFA codes) go to the terminal as prompt frames; an
API run has no one to ask, so its answers are the lines of the run's stdin, in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.interpreter import Builtin, CommandError
from console.interpreter.help import render_help
from console.runs import environment, services
from console.runs.models import CommandRun, RunSource
from credentials.configure import run_configure
from credentials.models import ConfigSection, SectionKind
from credentials.ssocommands import SsoCall, run_sso

HELP = """This terminal runs AWS CLI commands on the server with your console identity.

  aws <service> <operation> [parameters]   e.g. aws sts get-caller-identity
  aws s3api list-buckets --output json     global options: --profile --region --output --query
  aws configure [set|get|list|list-profiles]   your profiles, kept on the server
  aws configure sso / aws sso login|logout     IAM Identity Center sign-in, run on the server
  export NAME=value / unset NAME / env     this terminal's environment (AWS_PROFILE, AWS_REGION, ...)
  whoami                                   your console user and profiles
  clear                                    clear the screen (or Ctrl-L)
  help                                     this text

Keys: Up/Down history, Ctrl-C cancels a running command, Ctrl-A/Ctrl-E start/end of line.
"""

Ask = Callable[[str, bool], "str | None"]


def asker_for(run: CommandRun, sink: Any) -> Ask:
    """How this run asks the user a question: a prompt frame, or the next stdin line."""
    if run.source == RunSource.API:
        lines: list[str] | None = None

        def from_stdin(text: str, secret: bool) -> str | None:
            nonlocal lines
            if lines is None:
                lines = (services.take_stdin(run) or "").splitlines()
            return lines.pop(0) if lines else None

        return from_stdin
    return lambda text, secret: sink.ask(text, secret=secret)


def run_builtin(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    handler = _HANDLERS.get(builtin.name)
    if handler is None:
        sink.write("stderr", f"console: {builtin.name}: not a builtin\n")
        return 127
    return handler(builtin, run, sink)


def _help(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    # `help` is this terminal's; `aws help`, `aws s3api help`, `aws configure set help` are
    # the CLI's pages, rendered from the models by the interpreter.
    if not builtin.args and not builtin.redacted_line.lstrip().startswith("aws"):
        sink.write("stdout", HELP)
        return 0
    try:
        sink.write("stdout", render_help(builtin.args, width=run.cols))
    except CommandError as exc:
        sink.write("stderr", exc.message)
        return exc.exit_code
    return 0


def _whoami(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    names = ConfigSection.objects.filter(owner=run.user, team="", kind=SectionKind.PROFILE).values_list(
        "name", flat=True
    )
    profiles = ", ".join(names) or "none"
    sink.write("stdout", f"{run.user.get_username()}\nprofiles: {profiles}\n")
    return 0


def _clear(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    sink.write("stdout", "\x1b[H\x1b[2J")
    return 0


def _export(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    args = builtin.args
    if not run.terminal_id:
        sink.write(
            "stderr", "export: only a terminal has an environment; API runs use --profile and --region\n"
        )
        return 1
    if not args:
        return _show_env((), run, sink, prefix="declare -x ")
    assignments = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if sep:
            assignments[name] = value
        elif not environment.NAME.match(name):
            sink.write("stderr", f"export: `{name}': not a valid identifier\n")
            return 1
    try:
        environment.export(run.user, run.terminal_id, assignments)
    except environment.EnvironmentError_ as exc:
        sink.write("stderr", f"{exc}\n")
        return 1
    return 0


def _unset(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    args = builtin.args
    names = [a for a in args if not a.startswith("-")]
    if run.terminal_id and names:
        environment.unset(run.user, run.terminal_id, names)
    return 0


def _env(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    return _show_env(builtin.args, run, sink)


def _show_env(args: tuple[str, ...], run: CommandRun, sink: Any, prefix: str = "") -> int:
    if args:
        sink.write(
            "stderr", "env: running a command with a changed environment is not supported here; use export\n"
        )
        return 125
    values = environment.load(run.user, run.terminal_id)
    sink.write(
        "stdout", "".join(f"{prefix}{k}={environment.shown(k, v)}\n" for k, v in sorted(values.items()))
    )
    return 0


def _configure(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    # The interpreter takes the global options out of `args` (wherever they were typed).
    options = getattr(builtin, "options", None)
    env = environment.load(run.user, run.terminal_id)
    return run_configure(
        run.user,
        builtin.args,
        env,
        sink.write,
        asker_for(run, sink),
        profile=getattr(options, "profile", None),
        region=getattr(options, "region", None),
        cancelled=sink.cancelled,
        endpoint_url=getattr(options, "endpoint_url", None),
    )


def _sso(builtin: Builtin, run: CommandRun, sink: Any) -> int:
    # `aws sso login|logout`: the device flow runs here, in the worker; the token stays here.
    options = getattr(builtin, "options", None)
    call = SsoCall(
        run.user,
        environment.load(run.user, run.terminal_id),
        sink.write,
        asker_for(run, sink),
        sink.cancelled,
        profile=getattr(options, "profile", None),
        endpoint_url=getattr(options, "endpoint_url", None),
    )
    return run_sso(call, builtin.args)


_HANDLERS: dict[str, Callable[[Builtin, CommandRun, Any], int]] = {
    "help": _help,
    "whoami": _whoami,
    "clear": _clear,
    "export": _export,
    "unset": _unset,
    "env": _env,
    "configure": _configure,
    "sso": _sso,
}
