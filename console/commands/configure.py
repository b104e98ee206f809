"""`aws configure` and its subcommands, with the AWS CLI's prompts, output and messages,
over the console's stored profiles instead of ~/.aws files.

Differences, each for the shared server: access keys are accepted only where
CONSOLE_ALLOW_STATIC_KEYS allows them and are never printed again (`get` shows them
masked, as `list` does); `export-credentials` is refused unless an administrator allows
it; `credential_process` and `web_identity_token_file` cannot be set (they would run a
program or read a file on the server); `web_identity_token` stores a token sealed.
It talks through the command's context, so the same code serves the terminal (prompt
frames) and the API (stdin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from console.commands.context import CommandContext, ContextCall
from console.commands.failures import report
from console.commands.sso import SsoCall, run_configure_sso
from console.errors import ExitCode
from credentials import broker, conf, services
from credentials.errors import CredentialError
from credentials.keys import REFUSED_KEYS
from credentials.models import SECRET_KEYS
from credentials.types import ConfigSource

NOT_SET = "<not set>"
USAGE = (
    "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    "To see help text, you can run:\n\n"
    "  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\n"
)
NOT_HERE = {
    "sso-session": "aws configure sso-session is not available in this console yet",
    "import": "aws configure import reads a local file; upload your files on the profiles page instead",
    "add-model": "aws configure add-model is not available in this console",
}

Write = Callable[[str, str], None]


@dataclass
class ConfigureCall(ContextCall):
    """One `aws configure` command: its words, and the profile and region it names
    (global options, or `--profile`/`--region` still among the words)."""

    args: list[str] = field(default_factory=list)
    profile: str | None = None
    region: str | None = None


def mask(value: str | None) -> str:
    return "None" if value is None else ("*" * 16) + value[-4:]


def run_configure(ctx: CommandContext, args: tuple[str, ...]) -> int:
    """`args` are the words after `aws configure`; --profile/--region may come as global
    options (taken out by the interpreter) or still be among the words."""
    write = ctx.write
    call = ConfigureCall(ctx, [], ctx.options.profile, ctx.options.region)
    try:
        call.args = _take_globals(call, list(args))
    except ValueError as exc:
        return _usage(write, str(exc))
    sub = call.args[0] if call.args else ""
    handler = _SUBCOMMANDS.get(sub)
    if sub in NOT_HERE:
        write("stderr", f"{NOT_HERE[sub]}.\n")
        return ExitCode.USAGE
    if handler is None:
        return _usage(write, f"argument subcommand: Invalid choice, valid choices are:\n\n{_choices()}")
    try:
        return handler(call, call.args[1:])
    except CredentialError as exc:
        # These commands print the broker's messages without the CLI's blank line.
        return report(ctx, exc, leading_newline=False)


def _take_globals(call: ConfigureCall, args: list[str]) -> list[str]:
    rest = []
    while args:
        item = args.pop(0)
        if item in ("--profile", "--region"):
            if not args:
                raise ValueError(f"argument {item}: expected one argument")
            setattr(call, item[2:], args.pop(0))
        else:
            rest.append(item)
    return rest


def _usage(write: Write, message: str) -> int:
    write("stderr", f"{USAGE}aws: error: {message}\n")
    return ExitCode.USAGE


def _choices() -> str:
    return " | ".join(sorted(name for name in [*_SUBCOMMANDS, *NOT_HERE] if name))


def _profile(call: ConfigureCall) -> str:
    return broker.profile_choice(call.profile, call.env)[0]


def _interactive(call: ConfigureCall, args: list[str]) -> int:
    if args:
        return _usage(call.write, f"unrecognized arguments: {' '.join(args)}")
    profile = _profile(call)
    questions = [("region", "Default region name"), ("output", "Default output format")]
    if settings.CONSOLE_ALLOW_STATIC_KEYS:
        questions[:0] = [
            ("aws_access_key_id", "AWS Access Key ID"),
            ("aws_secret_access_key", "AWS Secret Access Key"),
        ]
    else:
        call.write(
            "stderr",
            "Access keys are not accepted by this console (CONSOLE_ALLOW_STATIC_KEYS is off); "
            "use a role profile: aws configure set role_arn ... and source_profile ...\n",
        )
    secrets = services.secrets_of(call.user, profile)
    for key, text in questions:
        current = (
            secrets.get(key) if key in SECRET_KEYS else services.get_value(call.user, profile, key).value
        )
        shown = mask(current) if key in SECRET_KEYS else (current or "None")
        answer = call.ask(f"{text} [{shown}]: ", key in SECRET_KEYS)
        if answer is None:
            return ExitCode.CANCELLED
        if answer.strip():
            services.set_value(call.user, profile, key, answer.strip())
    return 0


def _set(call: ConfigureCall, args: list[str]) -> int:
    if len(args) != 2:
        missing = ["varname", "value"][len(args) :] if len(args) < 2 else []
        if missing:
            return _usage(call.write, f"the following arguments are required: {', '.join(missing)}")
        return _usage(call.write, f"unrecognized arguments: {' '.join(args[2:])}")
    varname, value = args
    profile, key = _scoped(call, varname)
    if key in REFUSED_KEYS:
        raise CredentialError(f"{key} cannot be set in this console: {REFUSED_KEYS[key]}.", ExitCode.USAGE)
    services.set_value(call.user, profile, key, value)
    return 0


def _scoped(call: ConfigureCall, varname: str) -> tuple[str, str]:
    """The CLI's dotted names: default.region, profile.dev.region, else the current profile."""
    parts = varname.split(".")
    if parts[0] == "default" and len(parts) > 1:
        return "default", ".".join(parts[1:])
    if parts[0] == "profile" and len(parts) > 2:
        return parts[1], ".".join(parts[2:])
    if len(parts) > 1 and parts[0] in services.profile_names(call.user):
        return parts[0], ".".join(parts[1:])
    return _profile(call), varname


def _get(call: ConfigureCall, args: list[str]) -> int:
    if len(args) != 1:
        if not args:
            return _usage(call.write, "the following arguments are required: varname")
        return _usage(call.write, f"unrecognized arguments: {' '.join(args[1:])}")
    profile, key = _scoped(call, args[0])
    stored = _stored_value(call, profile, key)
    if stored.value is None:
        return 1
    call.write("stdout", (mask(stored.value) if stored.secret else stored.value) + "\n")
    return 0


def _stored_value(call: ConfigureCall, profile: str, key: str) -> services.StoredValue:
    """A personal profile's value; a team profile's (one the user may use) never shows a
    secret, not even masked: members use the team's keys without seeing them."""
    if "/" not in profile:
        return services.get_value(call.user, profile, key)
    chosen = broker.load_sections(call.user).named(profile)
    if chosen is None or key in SECRET_KEYS:
        return services.StoredValue(None)
    value: Any = chosen.settings
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return services.StoredValue(value if isinstance(value, str) else None)


def _list(call: ConfigureCall, args: list[str]) -> int:
    if args:
        return _usage(call.write, f"unrecognized arguments: {' '.join(args)}")
    rows = [
        ("Name", ConfigSource("Value", "Type", "Location")),
        ("----", ConfigSource("-----", "----", "--------")),
    ]
    name, source = broker.profile_choice(call.profile, call.env)
    if source == "manual":
        rows.append(("profile", ConfigSource(name, "manual", "--profile")))
    elif source == "env":
        var = "AWS_PROFILE" if call.env.get("AWS_PROFILE") else "AWS_DEFAULT_PROFILE"
        rows.append(("profile", ConfigSource(name, "env", var)))
    else:
        rows.append(("profile", ConfigSource(NOT_SET)))
    access, secret = _credential_sources(call, name, explicit=source == "manual")
    rows += [("access_key", access), ("secret_key", secret)]
    chosen = broker.load_sections(call.user).named(name)
    region, kind, where = broker.region_choice(call.region, call.env, chosen)
    rows.append(("region", ConfigSource(region, kind, where) if region else ConfigSource(NOT_SET)))
    for label, row in rows:
        # The CLI's own layout (awscli/customizations/configure/list.py), None printed as "None".
        call.write("stdout", "%10s %24s %16s    %s\n" % (label, row.value, row.type, row.location))  # noqa: UP031
    return 0


def _credential_sources(
    call: ConfigureCall, name: str, *, explicit: bool
) -> tuple[ConfigSource, ConfigSource]:
    env = call.env
    if not explicit and env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return (
            ConfigSource(mask(env["AWS_ACCESS_KEY_ID"]), "env", "AWS_ACCESS_KEY_ID"),
            ConfigSource(mask(env["AWS_SECRET_ACCESS_KEY"]), "env", "AWS_SECRET_ACCESS_KEY"),
        )
    try:
        creds = broker.resolve_session(call.user, profile=call.profile, env=env, ask=call.ask).credentials
    except CredentialError:
        return ConfigSource(NOT_SET), ConfigSource(NOT_SET)
    if creds.method != "shared-credentials-file":
        return (
            ConfigSource(mask(creds.access_key_id), creds.method, ""),
            ConfigSource(mask(creds.secret_access_key), creds.method, ""),
        )
    location = broker.profile_location(name)
    # A team's own keys are never shown, not even their last characters.
    shown = (lambda value: "*" * 20) if "/" in name else mask
    return (
        ConfigSource(shown(creds.access_key_id), creds.method, location),
        ConfigSource(shown(creds.secret_access_key), creds.method, location),
    )


def _list_profiles(call: ConfigureCall, args: list[str]) -> int:
    if args:
        return _usage(call.write, f"unrecognized arguments: {' '.join(args)}")
    # The user's own profiles, then the team profiles they may use now (<team>/<profile>).
    for name in broker.profile_names(call.user):
        call.write("stdout", name + "\n")
    return 0


def _export_credentials(call: ConfigureCall, args: list[str]) -> int:
    if not conf.allow_export_credentials():
        raise CredentialError(
            "aws configure export-credentials is refused here: it would print your session's "
            "secret keys into the browser, and this console keeps them on the server. An "
            "administrator can allow it (CONSOLE_ALLOW_EXPORT_CREDENTIALS).",
            ExitCode.USAGE,
        )
    fmt = "process"
    if args[:1] == ["--format"] and len(args) == 2:
        fmt = args[1]
    elif args:
        return _usage(call.write, f"unrecognized arguments: {' '.join(args)}")
    creds = broker.resolve_session(call.user, profile=call.profile, env=call.env, ask=call.ask).credentials
    call.write("stdout", _exported(creds, fmt))
    return 0


def _exported(creds: Any, fmt: str) -> str:
    values = {"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key}
    if creds.session_token:
        values["AWS_SESSION_TOKEN"] = creds.session_token
    if creds.expires_at:
        values["AWS_CREDENTIAL_EXPIRATION"] = creds.expires_at.isoformat()
    if fmt in ("env", "env-no-export"):
        prefix = "export " if fmt == "env" else ""
        return "".join(f"{prefix}{k}={v}\n" for k, v in values.items())
    document = {"Version": 1, "AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}
    if creds.session_token:
        document["SessionToken"] = creds.session_token
    if creds.expires_at:
        document["Expiration"] = creds.expires_at.isoformat()
    return json.dumps(document, indent=2) + "\n"


def _sso(call: ConfigureCall, args: list[str]) -> int:
    return run_configure_sso(SsoCall(call.ctx, call.profile, call.ctx.options.endpoint_url), args)


_SUBCOMMANDS: dict[str, Callable[[ConfigureCall, list[str]], int]] = {
    "": _interactive,
    "set": _set,
    "get": _get,
    "list": _list,
    "list-profiles": _list_profiles,
    "export-credentials": _export_credentials,
    "sso": _sso,
}
