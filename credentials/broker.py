"""The credential broker: turns (user, command options, terminal environment) into a
profile, a region, an endpoint, retry settings and short-lived AWS credentials, following
the AWS CLI's documented order, adapted to a server that serves many users:

1. command options (`--profile`, `--region`, `--endpoint-url`);
2. the terminal's own environment (`export AWS_PROFILE=...` etc., kept server-side);
3. the profile (static keys where allowed, role_arn with source_profile /
   credential_source / a web identity token, chained to any depth);
4. the host's instance role over IMDSv2, only if an administrator enabled it.

Every temporary credential is cached sealed in the DB (credentials/cache.py) per user and
per hop of the chain, and reused until botocore's advisory refresh window, so a warm
command costs no STS call. The console username is the role session name and the
SourceIdentity, so CloudTrail names the person behind a shared role; on a team profile
the username is used whatever the profile says, since the person who wrote the profile
is not the one using it. Nothing here reads the server's own files or environment.

Team profiles (`<team>/<name>`) resolve like the user's own, with the team's sections
as their sources; a team profile the user may not use now is reported exactly as one
that does not exist (credentials/profiles.py, credentials/access.py).

A member who may use a team profile only read-only gets it read-only from AWS too where
the broker assumes a role: the AssumeRole of that profile (the first team profile on the
chain, whose grant decides) carries the session policy `ReadOnlyAccess` in `PolicyArns`,
so the session can do at most what both the role and that policy allow. The read-only
hop is part of every assumed-role cache key of the command, so a read-only use never
finds a full session in the cache, nor a full use a read-only one. A just-in-time
elevation lifts the session policy for the commands the console's gate says it covers;
their sessions are keyed as a full use, so once the elevation ends no read-only command
meets them (and ending it deletes them). SSO role credentials,
static keys and the instance role take no session policy (docs/guardrails.md)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from credentials import access, cache, conf, providers, sso
from credentials.endpoints import check_endpoint
from credentials.errors import (
    EXIT_CONFIG,
    EXIT_OTHER,
    EXIT_USAGE,
    ChainedSessionTooLong,
    CredentialError,
    InstanceRoleUnavailable,
    MfaCodeNeeded,
    NoCredentials,
    NoRegion,
    ProfileNotFound,
    Refused,
    StaticKeysNotAllowed,
)
from credentials.imds import fetch_instance_credentials
from credentials.profiles import (
    Profile,
    Sections,
    configured_endpoint,
    load_profiles,
    load_sections,
    profile_choice,
    profile_location,
    profile_names,
    region_choice,
    retry_settings,
)
from credentials.types import AwsCredentials, ResolvedSession

MAX_CHAIN = 8
# Placeholder keys for `aws sso <operation>`: the portal's operations are never signed
# (the user's SSO access token is the proof, so that is the principal the audit names).
PORTAL_ONLY = AwsCredentials("sso-portal", "unsigned", None, None, "sso-access-token")
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")

# Asks the user a question (an MFA code); None when they cancel or cannot be asked.
Ask = Callable[[str, bool], "str | None"]
# Told the profile the command named (None: no such profile, e.g. keys from the
# environment) before any credential is fetched; raises to stop the command there. The
# console's guardrail check (console/commands/guardrail.py): the broker only calls it.
# It answers True when the command uses the profile's just-in-time elevation beyond a
# read-only grant (a Write or Tagging command): the broker then asks AWS for no read-only
# session, if the profile it read does carry an elevation.
Gate = Callable[[Profile | None], "bool | None"]


@dataclass
class _Context:
    user: Any
    sections: Sections
    env: Mapping[str, str]
    region: str | None
    sts_endpoint: str | None
    ask: Ask | None
    # The team profile whose AssumeRole carries the read-only session policy, if any.
    read_only_hop: str | None = None


def profile_not_found(user: Any, name: str) -> ProfileNotFound:
    """The CLI's "could not be found", the same for a team profile the user may not use
    as for one that does not exist; the console hears of the former (access.py)."""
    access.report_refused(user, name)
    return ProfileNotFound(name)


def session_name_for(username: str) -> str:
    name = _SESSION_NAME_CHARS.sub("-", username)[:64]
    return name if len(name) >= 2 else f"{name}--"[:2]


def resolve_session(
    user: Any,
    *,
    profile: str | None,
    region: str | None = None,
    endpoint_url: str | None = None,
    service: str | None = None,
    env: Mapping[str, str] | None = None,
    ask: Ask | None = None,
    gate: Gate | None = None,
) -> ResolvedSession:
    env = env or {}
    sections = load_sections(user)
    services = sections.services
    name, source = profile_choice(profile, env)
    found = sections.named(name)
    if found is None and source is not None:
        raise profile_not_found(user, name)
    lifted = False
    if gate is not None:
        # The profile the command names decides, not the sources it chains through.
        lifted = bool(gate(found)) and found is not None and found.elevation is not None
    chosen = found or Profile(name, {}, {}, "")
    resolved_region = region_choice(region, env, chosen)[0]
    endpoint = endpoint_url or configured_endpoint(service, env, chosen, services)
    if endpoint:
        check_endpoint(endpoint)
    sts_endpoint = endpoint if service == "sts" else configured_endpoint("sts", env, chosen, services)
    if sts_endpoint and sts_endpoint != endpoint:
        check_endpoint(sts_endpoint)
    retry_mode, max_attempts = retry_settings(env, chosen)
    hop = None if lifted else sections.read_only_hop(found)
    context = _Context(user, sections, env, resolved_region, sts_endpoint, ask, hop.name if hop else None)
    access_token = None
    if service == "sso":
        credentials, access_token = _portal_access(context, chosen, explicit=source == "manual")
    else:
        credentials = _top_credentials(context, name, explicit=source == "manual")
    return ResolvedSession(
        profile=name,
        region=resolved_region,
        endpoint_url=endpoint,
        credentials=credentials,
        output=chosen.settings.get("output"),
        settings=chosen.settings,
        retry_mode=retry_mode,
        max_attempts=max_attempts,
        access_token=access_token,
        team_id=_team_on_chain(sections, found),
        profile_chain=profile_chain(sections, found, credentials),
    )


def _team_on_chain(sections: Sections, profile: Profile | None) -> int | None:
    """The team whose profile the command acts through: the chosen profile's team, or
    that of the first team profile its sources lead to (a personal role over a team's)."""
    found = sections.first_team_profile(profile)
    return found.team_id if found is not None else None


def profile_chain(sections: Sections, found: Profile | None, credentials: AwsCredentials) -> tuple[str, ...]:
    """How `credentials` were found for the chosen profile (`found`, None when it does not
    exist), for the audit: the profile and each source_profile after it, then the source
    that is not a profile, if any. Read from the profiles rather than traced while
    resolving, because a warm cache skips the sources."""
    if credentials.method == "env":
        return ("environment",)
    if found is None:
        return ("instance role",) if credentials.method == "iam-role" else ()
    chain: list[str] = []
    profile: Profile | None = found
    while profile is not None and profile.name not in chain and len(chain) < MAX_CHAIN:
        chain.append(profile.name)
        profile = _source_of(sections, profile, chain)
    return tuple(chain)


def _source_of(sections: Sections, profile: Profile, chain: list[str]) -> Profile | None:
    """The next profile after `profile` on a chain; notes a non-profile source in `chain`."""
    config = profile.settings
    if not config.get("role_arn"):
        return None
    source = sections.source(profile)
    if source and source != profile.name:
        return sections.profiles.get(source)
    if config.get("credential_source"):
        chain.append(f"credential_source:{config['credential_source']}")
    elif profile.secrets.get("web_identity_token"):
        chain.append("web identity token")
    return None


def _portal_access(
    ctx: _Context, chosen: Profile, *, explicit: bool
) -> tuple[AwsCredentials, Callable[[], str] | None]:
    """`aws sso <operation>`: the portal API is not signed (the access token is the proof),
    so no role credentials are fetched; `--access-token session` gets the token of the
    profile's sso-session, looked up only when the call is made."""
    if sso.is_sso_profile(chosen):
        session = sso.session_for_profile(ctx.user, chosen, ctx.env, ctx.sections)
        return PORTAL_ONLY, lambda: sso.access_token(ctx.user.pk, session)
    try:
        return _top_credentials(ctx, chosen.name, explicit=explicit), None
    except NoCredentials:
        return PORTAL_ONLY, None


def _sso_credentials(ctx: _Context, profile: Profile) -> AwsCredentials:
    missing = [k for k in ("sso_account_id", "sso_role_name") if not profile.settings.get(k)]
    if missing:
        raise CredentialError(
            f'The profile "{profile.name}" is configured to use SSO but is missing required '
            f"configuration: {', '.join(missing)}",
            EXIT_CONFIG,
        )
    session = sso.session_for_profile(ctx.user, profile, ctx.env, ctx.sections)
    return sso.role_credentials(
        ctx.user.pk, session, str(profile.settings["sso_account_id"]), str(profile.settings["sso_role_name"])
    )


def require_region(session: ResolvedSession) -> str:
    if not session.region:
        raise NoRegion()
    return session.region


def _top_credentials(ctx: _Context, name: str, *, explicit: bool) -> AwsCredentials:
    # As botocore: an explicit --profile skips the environment's keys; AWS_PROFILE does not.
    if not explicit:
        from_env = _env_credentials(ctx, required=False)
        if from_env is not None:
            return from_env
        if ctx.env.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
            raise Refused(
                "AWS_WEB_IDENTITY_TOKEN_FILE names a file, and commands here never read the "
                "server's files (your workspace does not exist yet). Put the token in a profile "
                "instead: aws configure set web_identity_token <token> (with role_arn), see "
                "docs/credentials.md."
            )
    if ctx.sections.named(name) is not None:
        found = _credentials_for(ctx, name, ())
        if found is not None:
            return found
    return _instance_role(ctx, required=False)


def _env_credentials(ctx: _Context, *, required: bool) -> AwsCredentials | None:
    key, secret = ctx.env.get("AWS_ACCESS_KEY_ID"), ctx.env.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        if not settings.CONSOLE_ALLOW_STATIC_KEYS:
            raise Refused(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in this terminal, but this "
                "console does not accept access keys (CONSOLE_ALLOW_STATIC_KEYS is off). Run "
                "`unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY` and use a role instead."
            )
        return AwsCredentials(key, secret, ctx.env.get("AWS_SESSION_TOKEN") or None, None, "env")
    if key or secret:
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise CredentialError(f"Partial credentials found in env, missing: {missing}", EXIT_OTHER)
    if required:
        raise CredentialError(
            "No credentials found in credential_source referenced in profile: Environment "
            "(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in this terminal)",
            EXIT_OTHER,
        )
    return None


def _credentials_for(ctx: _Context, name: str, chain: tuple[str, ...]) -> AwsCredentials | None:
    if name in chain or len(chain) >= MAX_CHAIN:
        raise CredentialError(
            f"Infinite loop in credential configuration detected: {' -> '.join((*chain, name))}", EXIT_OTHER
        )
    profile = ctx.sections.profiles.get(name)
    if profile is None:
        raise profile_not_found(ctx.user, name)
    _refuse_unsupported(profile)
    if profile.settings.get("role_arn"):
        return _assumed_role(ctx, profile, (*chain, name))
    if sso.is_sso_profile(profile):  # botocore's order: assume-role, web identity, sso, keys
        return _sso_credentials(ctx, profile)
    if profile.secrets.get("aws_access_key_id") and profile.secrets.get("aws_secret_access_key"):
        return _static(profile)
    if chain:
        raise CredentialError(
            f'The source_profile "{name}" must specify either static credentials or an assume role '
            "configuration",
            EXIT_OTHER,
        )
    return None


def _refuse_unsupported(profile: Profile) -> None:
    if "credential_process" in profile.settings:
        raise Refused(
            f"The profile ({profile.name}) uses credential_process, which this console refuses: it "
            "would run a program on the shared server. Use a role, web identity or IAM "
            "Identity Center instead."
        )
    if profile.settings.get("web_identity_token_file"):
        raise Refused(
            f"The profile ({profile.name}) uses web_identity_token_file, and commands here never "
            "read the server's files (your workspace does not exist yet). Store the token "
            f"itself, sealed: aws configure set web_identity_token <token> --profile {profile.name}"
        )


def _static(profile: Profile) -> AwsCredentials:
    if profile.team is not None and not conf.allow_team_keys():
        raise StaticKeysNotAllowed(profile.name, "CONSOLE_ALLOW_TEAM_KEYS")
    if profile.team is None and not conf.allow_static_keys():
        raise StaticKeysNotAllowed(profile.name)
    return AwsCredentials(
        profile.secrets["aws_access_key_id"],
        profile.secrets["aws_secret_access_key"],
        profile.secrets.get("aws_session_token") or None,
        None,
        "shared-credentials-file",
    )


def _lineage(ctx: _Context, name: str, seen: tuple[str, ...] = ()) -> list[Any]:
    """What a hop's credentials depend on: its profile and, recursively, its sources."""
    profile = ctx.sections.profiles.get(name)
    if profile is None or name in seen or len(seen) >= MAX_CHAIN:
        return [name, None]
    described: list[Any] = [name, profile.settings, profile.version, _secrets_digest(profile)]
    source = ctx.sections.source(profile)
    if source and source != name and profile.settings.get("role_arn"):
        described.append(_lineage(ctx, source, (*seen, name)))
    elif profile.settings.get("credential_source") == "Environment":
        described.append(
            hashlib.sha256(
                f"{ctx.env.get('AWS_ACCESS_KEY_ID')}\0{ctx.env.get('AWS_SECRET_ACCESS_KEY')}".encode()
            ).hexdigest()
        )
    return described


def _chain_names(lineage: list[Any]) -> list[str]:
    """The profile names of a lineage, this hop first: the cache row's label."""
    names = [str(lineage[0])]
    if len(lineage) > 4 and isinstance(lineage[4], list):
        names.extend(_chain_names(lineage[4]))
    return names


def _secrets_digest(profile: Profile) -> str:
    return hashlib.sha256(json.dumps(profile.secrets, sort_keys=True).encode()).hexdigest()


def _assumed_role(ctx: _Context, profile: Profile, chain: tuple[str, ...]) -> AwsCredentials:
    lineage = _lineage(ctx, profile.name)
    key = cache.cache_key("role", lineage, ctx.region, ctx.sts_endpoint, ctx.read_only_hop)
    cached = cache.load(ctx.user.pk, key)
    if cached is not None and not cached.needs_refresh():
        return cached
    try:
        fresh = _fetch_role(ctx, profile, chain)
    except CredentialError:
        # botocore's advisory window: a failed early refresh keeps the still-valid session.
        if cached is not None and not cached.must_refresh():
            return cached
        raise
    # Labelled by the chain it was built through, so ending a team profile's sessions
    # finds every session over it (credentials/cache.py).
    cache.store(ctx.user.pk, key, cache.label_for(_chain_names(lineage)), fresh)
    return fresh


def _fetch_role(ctx: _Context, profile: Profile, chain: tuple[str, ...]) -> AwsCredentials:
    params = _assume_role_params(ctx, profile)
    source_name = profile.settings.get("source_profile")
    credential_source = profile.settings.get("credential_source")
    if source_name and credential_source:
        raise CredentialError(
            f'The profile "{profile.name}" contains both source_profile and credential_source.', EXIT_OTHER
        )
    if not source_name and not credential_source:
        if profile.secrets.get("web_identity_token"):
            params["WebIdentityToken"] = profile.secrets["web_identity_token"]
            params.pop("SourceIdentity", None)  # not a parameter of AssumeRoleWithWebIdentity
            return providers.assume_role_with_web_identity(
                params, profile=profile.name, region=ctx.region, endpoint=ctx.sts_endpoint
            )
        raise CredentialError(
            f'The profile "{profile.name}" has role_arn but neither source_profile, credential_source '
            "nor web_identity_token: say where the credentials to assume the role come from.",
            EXIT_OTHER,
        )
    source = _source_credentials(ctx, profile, chain, str(source_name or ""), str(credential_source or ""))
    _check_chained_duration(profile, source, params)
    _add_mfa(ctx, profile, params)
    return providers.assume_role(
        source, params, profile=profile.name, region=ctx.region, endpoint=ctx.sts_endpoint
    )


def _assume_role_params(ctx: _Context, profile: Profile) -> dict[str, Any]:
    name = session_name_for(ctx.user.get_username())
    # A team profile is written by one person and used by many: AWS must see the user.
    own_name = profile.settings.get("role_session_name") if profile.team is None else None
    params: dict[str, Any] = {
        "RoleArn": profile.settings["role_arn"],
        "RoleSessionName": own_name or name,
        "SourceIdentity": name,
    }
    if profile.name == ctx.read_only_hop:
        params["PolicyArns"] = [{"arn": read_only_policy_arn(str(profile.settings["role_arn"]))}]
    if profile.settings.get("external_id"):
        params["ExternalId"] = profile.settings["external_id"]
    if profile.settings.get("duration_seconds"):
        try:
            params["DurationSeconds"] = int(profile.settings["duration_seconds"])
        except ValueError:
            raise CredentialError(
                f"The profile ({profile.name}) has duration_seconds = "
                f"{profile.settings['duration_seconds']!r}, "
                "which is not a whole number of seconds.",
                EXIT_USAGE,
            ) from None
    return params


def read_only_policy_arn(role_arn: str) -> str:
    """AWS's managed ReadOnlyAccess in the role's partition (aws, aws-cn, aws-us-gov)."""
    parts = role_arn.split(":")
    partition = parts[1] if len(parts) > 1 and parts[0] == "arn" and parts[1] else "aws"
    return f"arn:{partition}:iam::aws:policy/ReadOnlyAccess"


def _source_credentials(
    ctx: _Context, profile: Profile, chain: tuple[str, ...], source_name: str, credential_source: str
) -> AwsCredentials:
    if source_name and ctx.sections.source(profile) == profile.name:
        # botocore: a profile naming itself as source uses its own static keys.
        if profile.secrets.get("aws_access_key_id"):
            return _static(profile)
        raise CredentialError(
            f"Infinite loop in credential configuration detected: {profile.name} -> {profile.name}",
            EXIT_OTHER,
        )
    if source_name:
        address = ctx.sections.source(profile)
        if address is None:
            raise profile_not_found(ctx.user, source_name)
        found = _credentials_for(ctx, address, chain)
        assert found is not None  # a source profile without credentials raised already
        return found
    if credential_source == "Environment":
        found = _env_credentials(ctx, required=True)
        assert found is not None
        return found
    if credential_source == "Ec2InstanceMetadata":
        return _instance_role(ctx, required=True)
    if credential_source == "EcsContainer":
        raise Refused(
            f"The profile ({profile.name}) uses credential_source = EcsContainer; this console does "
            "not run in a container with a task role. Use Ec2InstanceMetadata (if enabled) or a "
            "source_profile."
        )
    raise CredentialError(
        f'The credential_source "{credential_source}" is not supported. Valid values: Environment, '
        "Ec2InstanceMetadata, EcsContainer.",
        EXIT_OTHER,
    )


def _check_chained_duration(profile: Profile, source: AwsCredentials, params: dict[str, Any]) -> None:
    # Role credentials assuming another role is role chaining: AWS caps it at one hour and
    # answers a longer request with a ValidationError; say so before calling, and why.
    chained = source.method in {"assume-role", "assume-role-with-web-identity", "iam-role", "sso"}
    asked = params.get("DurationSeconds")
    if chained and asked and asked > providers.CHAINED_MAX_SECONDS:
        raise ChainedSessionTooLong(profile.name, asked)


def _add_mfa(ctx: _Context, profile: Profile, params: dict[str, Any]) -> None:
    serial = profile.settings.get("mfa_serial")
    if not serial:
        return
    if ctx.ask is None:
        raise MfaCodeNeeded(profile.name, str(serial))
    code = ctx.ask(f"Enter MFA code for {serial}: ", True)
    if not code or not code.strip():
        raise CredentialError("No MFA code was entered, so the role was not assumed.", EXIT_OTHER)
    params["SerialNumber"] = serial
    params["TokenCode"] = code.strip()


def _instance_role(ctx: _Context, *, required: bool) -> AwsCredentials:
    if not conf.allow_instance_role():
        if required:
            raise Refused(
                "The profile uses credential_source = Ec2InstanceMetadata, but the host's instance "
                "role is not enabled on this console (CONSOLE_ALLOW_INSTANCE_ROLE)."
            )
        raise NoCredentials()
    key = cache.cache_key("imds", conf.imds_endpoint())
    cached = cache.load(ctx.user.pk, key)
    if cached is not None and not cached.needs_refresh():
        return cached
    try:
        fresh = fetch_instance_credentials(conf.imds_endpoint())
    except InstanceRoleUnavailable:
        if cached is not None and not cached.must_refresh():
            return cached
        raise
    cache.store(ctx.user.pk, key, "instance role", fresh)
    return fresh


def forget_user_sessions(user_id: int) -> None:
    """Drop a user's cached sessions, for every worker (sign-out, profile change)."""
    cache.forget(user_id)


__all__ = [
    "ChainedSessionTooLong",
    "Profile",
    "forget_user_sessions",
    "load_profiles",
    "load_sections",
    "profile_choice",
    "profile_location",
    "profile_names",
    "profile_not_found",
    "region_choice",
    "require_region",
    "resolve_session",
    "session_name_for",
]
