"""The demo console user and its profiles against the sandbox. The sandbox is seeded anew
on every start (moto keeps state in memory), so the demo profiles are rewritten each time
with the fresh access key, sealed like any user's."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model

from credentials.models import SectionKind
from credentials.services import save_profile

DEMO_USERNAME = "demo"
SSO_SESSION = "sandbox"
SSO_PROFILE = "sandbox-sso"


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


def setup_sandbox_demo(sandbox_url: str, password: str, control_secret: str) -> Any:
    """Seed a fresh sandbox, give the demo user its profiles, then switch IAM on.
    `control_secret` is the one the sandbox was started with (sandbox/control.py): only
    the seeder holds it, never the web or worker processes."""
    from sandbox.seed import enforce_auth, seed_demo

    user = ensure_demo_user(password)
    # The directory user `demo` gets the same password.
    seed = seed_demo(sandbox_url, secret=control_secret, sso_password=password)
    install_sandbox_profiles(user, seed, sandbox_url)
    enforce_auth(sandbox_url, secret=control_secret)
    return user
