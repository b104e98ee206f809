"""IAM Identity Center against the sandbox's emulator (a real server over HTTP, spoken to
with botocore's own sso-oidc and sso clients): the device flow with approval by form
post, role credentials that work against moto with IAM enforced, refresh, logout and
revocation, every user with their own token, and each failure with a clear line."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credentials import broker, sso
from credentials.clients import clear_clients, get_client
from credentials.errors import CredentialError
from credentials.models import CachedSession, SectionKind, SsoSecret
from credentials.services import save_profile
from tests.credentials.conftest import FakeSink, make_run

DIRECTORY = {"alice-dir": "alice directory password", "bob-dir": "bob directory password"}
URL_WITH_CODE = re.compile(r"(http://\S+/device\?user_code=([A-Z-]+))")


@dataclass
class IdentityCenter:
    url: str
    start_url: str
    region: str
    role_arns: dict[tuple[str, str], str]
    account_id: str
    secret: str = field(repr=False)

    def configure(self, **config: Any) -> None:
        from sandbox.identitycenter.seed import configure_identity_center

        configure_identity_center(self.url, secret=self.secret, **config)


@pytest.fixture(scope="module")
def identity_center(sandbox: Any) -> IdentityCenter:
    """The shared sandbox's Identity Center, with two directory users of our own."""
    from sandbox.identitycenter.seed import demo_assignments

    seeded = sandbox.seed.identity_center
    center = IdentityCenter(
        sandbox.url,
        seeded.start_url,
        seeded.region,
        seeded.role_arns,
        sandbox.seed.account_id,
        sandbox.secret,
    )
    center.configure(users=DIRECTORY, assignments={name: demo_assignments(seeded) for name in DIRECTORY})
    return center


@pytest.fixture
def ic(identity_center: IdentityCenter) -> Any:
    clear_clients()
    yield identity_center
    identity_center.configure(lifetimes={"device_code": 600, "poll_interval": 1, "access_token": 3600})
    clear_clients()


def decide(url: str, user_code: str, action: str = "approve", username: str = "alice-dir") -> str:
    """The verification page, scripted: one form post signs in and approves (or denies)."""
    form = {"user_code": user_code, "action": action, "username": username, "password": DIRECTORY[username]}
    request = urllib.request.Request(  # noqa: S310 (the test's own sandbox)
        f"{url}/device/confirm", data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read().decode()


@dataclass
class BrowserSink(FakeSink):
    """A terminal whose user opens the printed link and approves (or denies) at once."""

    action: str | None = "approve"
    username: str = "alice-dir"
    cancel_after_link: bool = False
    codes: list[str] = field(default_factory=list)

    def write(self, stream: str, data: str) -> None:
        super().write(stream, data)
        found = URL_WITH_CODE.search(data)
        if found:
            self.codes.append(found.group(2))
            if self.action:
                base = found.group(1).split("/device", 1)[0]
                decide(base, found.group(2), self.action, self.username)

    def cancelled(self) -> bool:
        return self.cancel_after_link and bool(self.codes)


def run_line(user: Any, line: str, sink: FakeSink | None = None) -> tuple[int, FakeSink]:
    from console.commands import dispatch
    from console.interpreter import parse_command
    from console.runs.execution import context_for

    sink = sink if sink is not None else BrowserSink()
    return dispatch(parse_command(line), context_for(make_run(user, line), sink)), sink


def sso_profiles(
    user: Any, ic: IdentityCenter, *, role: str = "AdministratorAccess", scopes: bool = True
) -> None:
    session = {"sso_start_url": ic.start_url, "sso_region": ic.region, "endpoint_url": ic.url}
    if scopes:
        session["sso_registration_scopes"] = "sso:account:access"
    save_profile(user, "sandbox", session, SectionKind.SSO_SESSION)
    save_profile(
        user,
        "sso",
        {
            "sso_session": "sandbox",
            "sso_account_id": ic.account_id,
            "sso_role_name": role,
            "region": ic.region,
            "endpoint_url": ic.url,
        },
    )


def caller_arn(user: Any, profile: str = "sso") -> str:
    session = broker.resolve_session(user, profile=profile, service="sts")
    sts = get_client(
        "sts", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    return str(sts.get_caller_identity()["Arn"])


def the_session(user: Any) -> sso.SsoSession:
    return sso.session_named(user, "sandbox", {})


def test_it_signs_in_with_the_device_flow_and_uses_the_permission_set_role(alice, ic):
    sso_profiles(alice, ic)
    code, sink = run_line(alice, "aws sso login --profile sso")
    assert code == 0, sink.stderr
    assert f"{ic.url}/device?user_code={sink.codes[0]}" in sink.stdout
    assert f"\n{sink.codes[0]}\n" in sink.stdout
    assert f"Successfully logged into Start URL: {ic.start_url}" in sink.stdout
    arn = caller_arn(alice)
    assert arn.startswith(f"arn:aws:sts::{ic.account_id}:assumed-role/AWSReservedSSO_AdministratorAccess_")
    # The token is sealed: its value appears nowhere in the row.
    token = sso.load_token(alice.pk, the_session(alice))
    row = SsoSecret.objects.get(user=alice, kind="token")
    assert token is not None and token.access_token not in row.sealed and row.label == "sandbox"


def test_a_warm_profile_asks_the_portal_nothing(alice, ic):
    sso_profiles(alice, ic)
    run_line(alice, "aws sso login --sso-session sandbox")
    first = broker.resolve_session(alice, profile="sso").credentials
    SsoSecret.objects.filter(user=alice, kind="token").delete()  # no token: only the cache can answer
    assert broker.resolve_session(alice, profile="sso").credentials == first
    assert first.method == "sso"


def test_each_console_user_has_their_own_token_for_the_same_start_url(alice, bob, ic):
    sso_profiles(alice, ic)
    sso_profiles(bob, ic)
    run_line(alice, "aws sso login --profile sso")
    with pytest.raises(CredentialError) as missing:
        broker.resolve_session(bob, profile="sso")
    assert "Error loading SSO Token: Token for sandbox does not exist" in missing.value.message
    assert missing.value.exit_code == 253
    code, _ = run_line(bob, "aws sso login --profile sso", BrowserSink(username="bob-dir"))
    assert code == 0
    assert sso.load_token(alice.pk, the_session(alice)) != sso.load_token(bob.pk, the_session(bob))


def test_logout_revokes_the_token_and_drops_the_role_credentials(alice, ic):
    sso_profiles(alice, ic)
    run_line(alice, "aws sso login --profile sso")
    caller_arn(alice)
    token = sso.load_token(alice.pk, the_session(alice))
    assert CachedSession.objects.filter(user=alice).exists()
    code, sink = run_line(alice, "aws sso logout")
    assert code == 0, sink.stderr
    assert not SsoSecret.objects.filter(user=alice, kind="token").exists()
    assert not CachedSession.objects.filter(user=alice).exists()
    portal = get_client("sso", region=ic.region, endpoint_url=ic.url, credentials=None)
    with pytest.raises(ClientError) as revoked:
        portal.list_accounts(accessToken=token.access_token)
    assert revoked.value.response["Error"]["Code"] == "UnauthorizedException"
    with pytest.raises(CredentialError, match="Token for sandbox does not exist"):
        broker.resolve_session(alice, profile="sso")


def test_a_token_revoked_elsewhere_asks_to_sign_in_again(alice, ic):
    sso_profiles(alice, ic)
    run_line(alice, "aws sso login --profile sso")
    token = sso.load_token(alice.pk, the_session(alice))
    get_client("sso", region=ic.region, endpoint_url=ic.url, credentials=None).logout(
        accessToken=token.access_token
    )
    with pytest.raises(CredentialError) as expired:
        broker.resolve_session(alice, profile="sso")
    assert expired.value.message.startswith(
        "The SSO session associated with this profile has expired or is otherwise invalid. To refresh "
        "this SSO session run aws sso login with the corresponding profile."
    )


def test_the_refresh_token_renews_an_expiring_access_token(alice, ic):
    sso_profiles(alice, ic)
    run_line(alice, "aws sso login --profile sso")
    session = the_session(alice)
    old = sso.load_token(alice.pk, session)
    assert old.refresh_token
    sso.store_token(
        alice.pk,
        session,
        sso.SsoToken(old.access_token, datetime.now(UTC) + timedelta(minutes=5), old.refresh_token),
    )
    assert sso.access_token(alice.pk, session) != old.access_token
    assert sso.load_token(alice.pk, session).expires_at > datetime.now(UTC) + timedelta(minutes=30)
    assert "AWSReservedSSO_AdministratorAccess_" in caller_arn(alice)


def test_without_registration_scopes_an_expired_token_means_signing_in_again(alice, ic):
    sso_profiles(alice, ic, scopes=False)
    run_line(alice, "aws sso login --profile sso")
    session = the_session(alice)
    old = sso.load_token(alice.pk, session)
    assert old.refresh_token is None
    sso.store_token(
        alice.pk, session, sso.SsoToken(old.access_token, datetime.now(UTC) - timedelta(seconds=1))
    )
    with pytest.raises(CredentialError, match="has expired or is otherwise invalid"):
        broker.resolve_session(alice, profile="sso")


@pytest.mark.parametrize(
    ("action", "message"),
    [("deny", "The sign-in request was denied in the browser")],
)
def test_a_denied_sign_in_says_so(alice, ic, action, message):
    sso_profiles(alice, ic)
    code, sink = run_line(alice, "aws sso login --profile sso", BrowserSink(action=action))
    assert (code, message in sink.stderr) == (254, True), sink.stderr
    assert not SsoSecret.objects.filter(user=alice, kind="token").exists()


def test_a_sign_in_nobody_approves_expires(alice, ic):
    ic.configure(lifetimes={"device_code": 2})
    sso_profiles(alice, ic)
    code, sink = run_line(alice, "aws sso login --profile sso", BrowserSink(action=None))
    assert code == 254
    assert "The sign-in request expired before it was approved. Run aws sso login again." in sink.stderr


def test_ctrl_c_stops_the_wait(alice, ic):
    sso_profiles(alice, ic)
    started = datetime.now(UTC)
    code, sink = run_line(
        alice, "aws sso login --profile sso", BrowserSink(action=None, cancel_after_link=True)
    )
    assert code == 130
    assert datetime.now(UTC) - started < timedelta(seconds=3)


def test_a_wrong_start_url_is_named(alice, ic):
    save_profile(
        alice,
        "sandbox",
        {"sso_start_url": f"{ic.url}/not-a-portal", "sso_region": ic.region, "endpoint_url": ic.url},
        SectionKind.SSO_SESSION,
    )
    code, sink = run_line(alice, "aws sso login --sso-session sandbox")
    assert code == 254
    assert f"Check the start URL ({ic.url}/not-a-portal)" in sink.stderr


def test_an_endpoint_off_the_allow_list_is_refused_before_any_request(alice, ic):
    sso_profiles(alice, ic)
    save_profile(
        alice,
        "sandbox",
        {"sso_start_url": ic.start_url, "sso_region": ic.region, "endpoint_url": "http://10.0.0.1:9"},
        SectionKind.SSO_SESSION,
    )
    code, sink = run_line(alice, "aws sso login --sso-session sandbox")
    assert code == 252
    assert "The endpoint http://10.0.0.1:9 is not allowed here" in sink.stderr


def test_a_role_the_user_lost_is_explained(alice, ic):
    sso_profiles(alice, ic, role="BillingAccess")
    run_line(alice, "aws sso login --profile sso")
    with pytest.raises(CredentialError) as lost:
        broker.resolve_session(alice, profile="sso")
    assert "(ForbiddenException) when calling the GetRoleCredentials operation" in lost.value.message
    assert "may no longer be assigned the role BillingAccess" in lost.value.message


def test_login_needs_an_sso_profile(alice, ic):
    save_profile(alice, "plain", {"region": "us-east-1"})
    code, sink = run_line(alice, "aws sso login --profile plain")
    assert code == 253
    assert "Missing the following required SSO configuration values: sso_start_url, sso_region" in sink.stderr


def test_generic_sso_operations_get_the_sessions_token_on_the_server(alice, ic):
    sso_profiles(alice, ic)
    run_line(alice, "aws sso login --profile sso")
    session = broker.resolve_session(alice, profile="sso", service="sso")
    portal = get_client(
        "sso", region=session.region, endpoint_url=session.endpoint_url, credentials=session.credentials
    )
    token = sso.with_access_token({"accessToken": sso.TOKEN_PLACEHOLDER}, session.access_token)
    assert token["accessToken"] != sso.TOKEN_PLACEHOLDER
    accounts = portal.list_accounts(**token)["accountList"]
    assert ic.account_id in {a["accountId"] for a in accounts}
    roles = portal.list_account_roles(**token, accountId=ic.account_id)["roleList"]
    assert {"AdministratorAccess", "ReadOnlyAccess"} <= {r["roleName"] for r in roles}


def test_configure_sso_asks_signs_in_and_writes_both_sections(alice, ic):
    answers = ["sandbox", ic.start_url, ic.region, "", "1", "2", "", "", "dev"]
    sink = BrowserSink(answers=answers)
    code, sink = run_line(alice, f"aws configure sso --endpoint-url {ic.url}", sink)
    assert code == 0, sink.stderr
    asked = [q for q, _ in sink.questions]
    assert asked[:4] == [
        "SSO session name (Recommended): ",
        "SSO start URL [None]: ",
        "SSO region [None]: ",
        "SSO registration scopes [sso:account:access]: ",
    ]
    assert "There are 2 AWS accounts available to you." in sink.stdout
    assert "There are 2 roles available to you." in sink.stdout
    assert asked[-3:] == [
        f"CLI default client Region [{ic.region}]: ",
        "CLI default output format [json]: ",
        "CLI profile name [ReadOnlyAccess-" + _first_account(sink) + "]: ",
    ]
    assert "aws sts get-caller-identity --profile dev" in sink.stdout
    assert "AWSReservedSSO_ReadOnlyAccess_" in caller_arn(alice, "dev")


def _first_account(sink: FakeSink) -> str:
    return re.search(r"Using the account ID (\d+)", sink.stdout).group(1)


def test_nothing_secret_reaches_the_output_or_the_prompts(alice, ic):
    sso_profiles(alice, ic)
    _, sink = run_line(alice, "aws sso login --profile sso")
    token = sso.load_token(alice.pk, the_session(alice))
    shown = json.dumps(sink.out)
    for secret in (token.access_token, token.refresh_token):
        assert secret not in shown
    assert token.access_token not in repr(token)


@dataclass
class ApproveWhenToldToSlowDown(BrowserSink):
    base: str = ""

    def write(self, stream: str, data: str) -> None:
        super().write(stream, data)
        if "slow down" in data:
            decide(self.base, self.codes[0])


def test_slow_down_adds_five_seconds_to_the_polling_interval(alice, ic, monkeypatch):
    from console.commands import ssologin

    sso_profiles(alice, ic)
    real_pause, waits = ssologin._pause, []

    def hurried(seconds: float, io: Any) -> bool:
        waits.append(seconds)  # the first two polls go at once: the server says slow_down
        return True if len(waits) <= 2 else real_pause(seconds, io)

    monkeypatch.setattr(ssologin, "_pause", hurried)
    sink = ApproveWhenToldToSlowDown(action=None, base=ic.url)
    code, sink = run_line(alice, "aws sso login --profile sso", sink)
    assert code == 0, sink.stderr
    assert "Identity Center asked to slow down; checking every 6 seconds." in sink.stderr
    assert waits == [1, 1, 6]


def test_an_unreachable_region_says_what_to_check(alice, ic):
    save_profile(
        alice,
        "far",
        {"sso_start_url": "https://example.awsapps.com/start", "sso_region": "xx-nowhere-1"},
        SectionKind.SSO_SESSION,
    )
    code, sink = run_line(alice, "aws sso login --sso-session far")
    assert code == 255
    assert (
        'Could not connect to the endpoint URL: "https://oidc.xx-nowhere-1.amazonaws.com/client/register"'
        in sink.stderr
    )
    assert "check sso_region" in sink.stderr


def test_tokens_rotate_with_the_keys_and_a_moved_or_tampered_token_does_not_open(alice, bob, ic, settings):
    from django.core.management import call_command

    from credentials import crypto

    sso_profiles(alice, ic)
    sso_profiles(bob, ic)
    run_line(alice, "aws sso login --profile sso")
    before = sso.load_token(alice.pk, the_session(alice))
    old = settings.CONSOLE_ENCRYPTION_KEYS
    settings.CONSOLE_ENCRYPTION_KEYS = f"k-sso:{crypto.generate_key()},{old}"
    call_command("rotate_keys")
    settings.CONSOLE_ENCRYPTION_KEYS = settings.CONSOLE_ENCRYPTION_KEYS.split(",")[0]
    assert {row.sealed.split(":")[1] for row in SsoSecret.objects.all()} == {"k-sso"}
    assert sso.load_token(alice.pk, the_session(alice)) == before
    # Alice's sealed token copied to Bob's row does not open for Bob: it is deleted instead.
    row = SsoSecret.objects.get(user=alice, kind="token")
    SsoSecret.objects.create(user=bob, kind="token", key=row.key, label=row.label, sealed=row.sealed)
    assert sso.load_token(bob.pk, the_session(bob)) is None
    assert not SsoSecret.objects.filter(user=bob).exists()
