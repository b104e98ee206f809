"""The demo console user and its profiles against the sandbox, and a demo team. The sandbox
is seeded anew on every start (moto keeps state in memory), so the demo profiles are
rewritten each time with the fresh access key, sealed like any user's.

The team `platform` is owned by `demo`, with `bob` (member) and `carol` (auditor), whose
passwords are made anew on every start and printed beside demo's. Its profiles are the
sandbox's two roles, `platform/readonly` and `platform/admin`, both assumed from
`platform/keys`, which holds the sandbox IAM user's keys (write-only: no member sees them);
bob is granted `platform/readonly`. Every change goes through the team services, so the
audit log shows the seeding as it shows an admin's work."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from console.teams import services as teams
from console.teams.models import Grant, Membership, Role, Team
from credentials.models import SectionKind
from credentials.services import save_profile

DEMO_USERNAME = "demo"
SSO_SESSION = "sandbox"
SSO_PROFILE = "sandbox-sso"
TEAM_SLUG = "platform"
# The demo team's other people: (username, role).
TEAMMATES = (("bob", Role.MEMBER), ("carol", Role.AUDITOR))


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str = field(repr=False)
    role: str


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_demo_user(password: str, username: str = DEMO_USERNAME) -> Any:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    return user


def install_sandbox_profiles(user: Any, seed: Any, sandbox_url: str) -> list[str]:
    """`default` is the sandbox IAM user's keys; `readonly` and `admin` assume roles from it;
    `sandbox-sso` signs in with the sandbox Identity Center (`aws sso login --profile
    sandbox-sso`, directory user `demo`)."""
    common = {"region": seed.region, "output": "json", "endpoint_url": sandbox_url}
    save_profile(
        user,
        "default",
        {**common, "aws_access_key_id": seed.access_key_id, "aws_secret_access_key": seed.secret_access_key},
    )
    save_profile(
        user, "readonly", {**common, "role_arn": seed.readonly_role_arn, "source_profile": "default"}
    )
    save_profile(user, "admin", {**common, "role_arn": seed.admin_role_arn, "source_profile": "default"})
    install_sso_profile(user, seed, sandbox_url)
    return ["default", "readonly", "admin", SSO_PROFILE]


def install_sso_profile(user: Any, seed: Any, sandbox_url: str) -> None:
    """The AWS CLI v2 shape: an [sso-session] with registration scopes (so the refresh
    token keeps the sign-in alive) and a profile naming an account and permission set."""
    center = getattr(seed, "identity_center", None)
    start_url = center.start_url if center is not None else f"{sandbox_url}/start"
    session = {
        "sso_start_url": start_url,
        "sso_region": seed.region,
        "sso_registration_scopes": "sso:account:access",
        "endpoint_url": sandbox_url,
    }
    save_profile(user, SSO_SESSION, session, SectionKind.SSO_SESSION)
    save_profile(
        user,
        SSO_PROFILE,
        {
            "sso_session": SSO_SESSION,
            "sso_account_id": seed.account_id,
            "sso_role_name": "AdministratorAccess",
            "region": seed.region,
            "output": "json",
            "endpoint_url": sandbox_url,
        },
    )


def install_team_demo(owner: Any, seed: Any, sandbox_url: str) -> list[SignIn]:
    """The demo team on the sandbox's roles (see the module's docstring); returns the
    teammates' sign-ins, their passwords made anew."""
    team = Team.objects.filter(slug=TEAM_SLUG).first() or teams.create_team(owner, TEAM_SLUG, "Platform")
    # The demo is reset on every start: its owner is the team's owner again.
    Membership.objects.update_or_create(team=team, user=owner, defaults={"role": Role.OWNER})
    sign_ins = [_teammate(owner, team, username, role) for username, role in TEAMMATES]
    common = {"region": seed.region, "output": "json", "endpoint_url": sandbox_url}
    keys = {"aws_access_key_id": seed.access_key_id, "aws_secret_access_key": seed.secret_access_key}
    teams.save_team_profile(owner, team, "keys", {**common, **keys})
    for name, role_arn in (("readonly", seed.readonly_role_arn), ("admin", seed.admin_role_arn)):
        teams.save_team_profile(owner, team, name, {**common, "role_arn": role_arn, "source_profile": "keys"})
    readonly = team.sections.get(kind=SectionKind.PROFILE, name="readonly")
    bob = get_user_model().objects.get(username="bob")
    if not Grant.objects.live().filter(profile=readonly, user=bob).exists():
        teams.grant(owner, readonly, user=bob)
    return sign_ins


def _teammate(owner: Any, team: Team, username: str, role: str) -> SignIn:
    password = generate_password()
    user = ensure_demo_user(password, username)
    if not Membership.objects.filter(team=team, user=user).exists():
        teams.add_member(owner, team, username, role)
    return SignIn(username, password, role)


def setup_sandbox_demo(sandbox_url: str, password: str, control_secret: str) -> list[SignIn]:
    """Seed a fresh sandbox, give the demo user its profiles and the demo team, then switch
    IAM on; returns everyone's sign-in, demo first. `control_secret` is the one the
    sandbox was started with (sandbox/control.py): only the seeder holds it, never the
    web or worker processes."""
    from sandbox.seed import enforce_auth, seed_demo

    user = ensure_demo_user(password)
    # The directory user `demo` gets the same password.
    seed = seed_demo(sandbox_url, secret=control_secret, sso_password=password)
    install_sandbox_profiles(user, seed, sandbox_url)
    teammates = install_team_demo(user, seed, sandbox_url)
    enforce_auth(sandbox_url, secret=control_secret)
    return [SignIn(DEMO_USERNAME, password, Role.OWNER), *teammates]
