"""`export`, `unset` and `env`: a terminal's environment, kept on the server per (user,
terminal), sealed, and read by the broker for that terminal's commands only."""

from __future__ import annotations

from console.runs import environment
from console.runs.models import TerminalEnvironment
from credentials import broker
from tests.credentials.conftest import builtin

SECRET = "CanarySecretValue0123456789abcdefSECRET"


def test_export_then_env_shows_the_variables(alice):
    assert builtin(alice, "export AWS_PROFILE=admin AWS_REGION=eu-west-1")[0] == 0
    code, sink = builtin(alice, "env")
    assert (code, sink.stdout) == (0, "AWS_PROFILE=admin\nAWS_REGION=eu-west-1\n")


def test_env_masks_secrets_and_the_database_holds_them_sealed(alice):
    builtin(alice, f"export AWS_SECRET_ACCESS_KEY={SECRET}")
    assert builtin(alice, "env")[1].stdout == "AWS_SECRET_ACCESS_KEY=****************CRET\n"
    row = TerminalEnvironment.objects.get(user=alice, terminal_id="t1")
    assert SECRET not in row.sealed_values and row.names == ["AWS_SECRET_ACCESS_KEY"]


def test_unset_removes_variables(alice):
    builtin(alice, "export AWS_PROFILE=admin AWS_REGION=eu-west-1")
    builtin(alice, "unset AWS_PROFILE")
    assert builtin(alice, "env")[1].stdout == "AWS_REGION=eu-west-1\n"


def test_each_terminal_has_its_own_environment(alice):
    builtin(alice, "export AWS_PROFILE=admin", terminal="t1")
    assert builtin(alice, "env", terminal="t2")[1].stdout == ""


def test_users_never_see_each_others_environment(alice, bob):
    builtin(alice, "export AWS_PROFILE=admin", terminal="t1")
    assert builtin(bob, "env", terminal="t1")[1].stdout == ""
    assert environment.load(bob, "t1") == {}


def test_a_bad_name_is_refused_as_a_shell_would(alice):
    code, sink = builtin(alice, "export 1AWS=x")
    assert code == 1 and sink.stderr == "export: `1AWS': not a valid identifier\n"


def test_the_broker_uses_the_terminals_environment(alice_profiles):
    builtin(alice_profiles, "export AWS_PROFILE=readonly AWS_DEFAULT_REGION=eu-west-3")
    session = broker.resolve_session(alice_profiles, profile=None, env=environment.load(alice_profiles, "t1"))
    assert (session.profile, session.region) == ("readonly", "eu-west-3")
