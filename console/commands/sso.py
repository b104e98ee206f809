"""The terminal commands for IAM Identity Center: `aws sso login|logout` and
`aws configure sso`, with the CLI's questions and messages.

Where the CLI shows an arrow-key picker for accounts and roles, the terminal shows a
numbered list and asks for a number (prompts are one line each). `--endpoint-url` on
`aws configure sso` is stored as the sso-session's and the profile's `endpoint_url` (a
console extension the sandbox uses); elsewhere the sso-oidc and portal endpoints follow
the CLI's endpoint settings (`AWS_ENDPOINT_URL_SSO_OIDC`, `[services]`, `endpoint_url`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.commands import ssologin
from console.commands.context import CommandContext, ContextCall
from console.commands.failures import report
from console.errors import ExitCode
from credentials import broker, services, sso
from credentials.errors import CredentialError
from credentials.models import ConfigSection, SectionKind
from credentials.profiles import load_sections, profile_choice
from credentials.sso import SsoError, SsoSession

NOT_SSO = (
    "Missing the following required SSO configuration values: sso_start_url, sso_region. To make "
    "sure this profile is properly configured to use SSO, please run: `aws configure sso`"
)


@dataclass
class SsoCall(ContextCall):
    """One `aws sso` or `aws configure sso` command: the profile and endpoint it names
    (from the global options, or the words after `configure`)."""

    profile: str | None = None
    endpoint_url: str | None = None


def run_sso(ctx: CommandContext, args: tuple[str, ...]) -> int:
    """`aws sso login|logout [--profile p | --sso-session s]`."""
    call = SsoCall(ctx, ctx.options.profile, ctx.options.endpoint_url)
    words = list(args)
    sub = words.pop(0) if words else ""
    try:
        options = _options(words)
        if sub == "login":
            return _login(call, options)
        if sub == "logout":
            return _logout(call, options)
    except ValueError as exc:
        call.write("stderr", f"aws: error: {exc}\n")
        return ExitCode.USAGE
    except CredentialError as exc:
        # These commands print the broker's messages without the CLI's blank line.
        return report(call.ctx, exc, leading_newline=False)
    call.write(
        "stderr", "aws: error: argument operation: Invalid choice, valid choices are: login | logout\n"
    )
    return ExitCode.USAGE


def _options(words: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    while words:
        word = words.pop(0)
        if word in ("--no-browser", "--use-device-code"):
            continue  # the console always uses the device code and never opens a browser
        if word in ("--sso-session", "--profile"):
            if not words:
                raise ValueError(f"argument {word}: expected one argument")
            options[word[2:]] = words.pop(0)
            continue
        raise ValueError(f"unrecognized arguments: {word}")
    return options


def _login(call: SsoCall, options: dict[str, str]) -> int:
    session = _chosen_session(call, options)
    return ExitCode.OK if ssologin.login(call.user.pk, session, call.ctx) is not None else ExitCode.CANCELLED


def _chosen_session(call: SsoCall, options: dict[str, str]) -> SsoSession:
    if options.get("sso-session"):
        return sso.session_named(call.user, options["sso-session"], call.env)
    name, source = profile_choice(options.get("profile") or call.profile, call.env)
    sections = load_sections(call.user)
    chosen = sections.named(name)
    if chosen is None:
        if source is not None:
            raise broker.profile_not_found(call.user, name)
        raise CredentialError(NOT_SSO, ExitCode.CONFIG)
    if not sso.is_sso_profile(chosen):
        raise CredentialError(NOT_SSO, ExitCode.CONFIG)
    return sso.session_for_profile(call.user, chosen, call.env, sections)


def _logout(call: SsoCall, options: dict[str, str]) -> int:
    if options.get("sso-session") or options.get("profile") or call.profile:
        sso.logout(call.user.pk, [_chosen_session(call, options)])
        return 0
    # As the CLI: every session this user signed in to.
    sso.logout(call.user.pk, configured_sessions(call))
    sso.forget_all_tokens(call.user.pk)
    return 0


def configured_sessions(call: SsoCall) -> list[SsoSession]:
    found: dict[str, SsoSession] = {}
    names = ConfigSection.objects.filter(owner=call.user, team__isnull=True, kind=SectionKind.SSO_SESSION)
    for section in names:
        try:
            session = sso.session_named(call.user, section.name, call.env)
        except CredentialError:
            continue
        found[session.key] = session
    sections = load_sections(call.user)
    for name in sections.names():
        profile = sections.profiles[name]
        if sso.is_sso_profile(profile):
            try:
                session = sso.session_for_profile(call.user, profile, call.env, sections)
            except CredentialError:
                continue
            found.setdefault(session.key, session)
    return list(found.values())


# --- aws configure sso ---------------------------------------------------------------


class _Stop(Exception):
    """The user cancelled a question (Ctrl-C, or an API run's stdin ran out)."""


def run_configure_sso(call: SsoCall, args: list[str]) -> int:
    if args:
        call.write("stderr", f"aws: error: unrecognized arguments: {' '.join(args)}\n")
        return ExitCode.USAGE
    try:
        return _configure_sso(call)
    except _Stop:
        return ExitCode.CANCELLED
    except CredentialError as exc:
        # These commands print the broker's messages without the CLI's blank line.
        return report(call.ctx, exc, leading_newline=False)


def _question(call: SsoCall, text: str, default: str | None = None) -> str:
    answer = call.ask(f"{text} [{default or 'None'}]: " if default is not None else f"{text}: ", False)
    if answer is None:
        raise _Stop()
    return answer.strip() or (default or "")


def _configure_sso(call: SsoCall) -> int:
    name = _question(call, "SSO session name (Recommended)")
    existing = sso.load_session_section(call.user, name) if name else None
    existing = existing or {}
    start_url = _required(call, "SSO start URL", existing.get("sso_start_url"))
    region = _required(call, "SSO region", existing.get("sso_region"))
    values: dict[str, Any] = {"sso_start_url": start_url, "sso_region": region}
    if name:
        scopes = _question(
            call, "SSO registration scopes", existing.get("sso_registration_scopes") or sso.DEFAULT_SCOPES[0]
        )
        values["sso_registration_scopes"] = scopes
        endpoint = call.endpoint_url or existing.get("endpoint_url")
        if endpoint:
            values["endpoint_url"] = endpoint
        services.save_profile(call.user, name, values, SectionKind.SSO_SESSION)
        session = sso.session_named(call.user, name, {}, endpoint_url=call.endpoint_url)
    else:
        session = SsoSession(None, start_url, region, (), call.endpoint_url, call.endpoint_url)
    if ssologin.login(call.user.pk, session, call.ctx) is None:
        return ExitCode.CANCELLED
    account = _pick_account(call, session)
    role = _pick_role(call, session, account)
    return _write_profile(call, session, values, account, role)


def _required(call: SsoCall, text: str, current: str | None) -> str:
    for _ in range(3):
        answer = _question(call, text, current or "")
        if answer:
            return answer
    raise SsoError(f"{text} is required.", ExitCode.USAGE)


def _portal_list(session: SsoSession, user_id: int, operation: str, key: str, **params: Any) -> list[Any]:
    token = sso.access_token(user_id, session)
    portal = sso.portal_client(session)
    items: list[Any] = []
    try:
        for page in portal.get_paginator(operation).paginate(accessToken=token, **params):
            items.extend(page.get(key) or [])
    except ClientError as exc:
        raise SsoError(str(exc), ExitCode.SERVICE) from None
    except BotoCoreError as exc:
        raise SsoError(str(exc), ExitCode.OTHER) from None
    return items


def _pick_account(call: SsoCall, session: SsoSession) -> str:
    accounts = _portal_list(session, call.user.pk, "list_accounts", "accountList")
    if not accounts:
        raise SsoError("No AWS accounts are available to you.", ExitCode.CONFIG)
    if len(accounts) == 1:
        account = accounts[0]["accountId"]
        call.write("stdout", f"The only AWS account available to you is: {account}\n")
    else:
        call.write("stdout", f"There are {len(accounts)} AWS accounts available to you.\n")
        shown = [
            f"{a.get('accountName', '')}, {a.get('emailAddress', '')} ({a['accountId']})" for a in accounts
        ]
        account = accounts[_choose(call, shown, "account")]["accountId"]
    call.write("stdout", f"Using the account ID {account}\n")
    return str(account)


def _pick_role(call: SsoCall, session: SsoSession, account: str) -> str:
    roles = _portal_list(session, call.user.pk, "list_account_roles", "roleList", accountId=account)
    if not roles:
        raise SsoError(f"No roles are available to you in account {account}.", ExitCode.CONFIG)
    if len(roles) == 1:
        role = roles[0]["roleName"]
        call.write("stdout", f"The only role available to you is: {role}\n")
    else:
        call.write("stdout", f"There are {len(roles)} roles available to you.\n")
        role = roles[_choose(call, [r["roleName"] for r in roles], "role")]["roleName"]
    call.write("stdout", f'Using the role name "{role}"\n')
    return str(role)


def _choose(call: SsoCall, labels: list[str], what: str) -> int:
    call.write("stdout", "".join(f"  {i}) {label}\n" for i, label in enumerate(labels, 1)))
    for _ in range(3):
        answer = _question(call, f"Choose the {what} (1-{len(labels)})", "1")
        if answer.isdigit() and 1 <= int(answer) <= len(labels):
            return int(answer) - 1
        call.write("stderr", f"Enter a number from 1 to {len(labels)}.\n")
    raise SsoError(f"No {what} was chosen.", ExitCode.USAGE)


def _write_profile(
    call: SsoCall, session: SsoSession, session_values: dict[str, Any], account: str, role: str
) -> int:
    region = _question(call, "CLI default client Region", session.region)
    output = _question(call, "CLI default output format", "json")
    name = call.profile or _question(call, "CLI profile name", f"{role}-{account}")
    values: dict[str, Any] = {"sso_account_id": account, "sso_role_name": role}
    if session.name:
        values["sso_session"] = session.name
    else:
        values.update(session_values)
    for key, value in (("region", region), ("output", output), ("endpoint_url", call.endpoint_url)):
        if value:
            values[key] = value
    services.save_profile(call.user, name, values)
    call.write(
        "stdout",
        "\nTo use this profile, specify the profile name using --profile, as shown:\n\n"
        f"aws sts get-caller-identity --profile {name}\n",
    )
    return 0
