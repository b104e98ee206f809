"""`aws configure` and its subcommands, with the CLI's prompts, output and messages."""

from __future__ import annotations

import pytest

from credentials import broker
from credentials.models import ConfigSection
from credentials.services import save_profile
from tests.credentials.conftest import builtin

KEY = "AKIAIOSFODNN7CANARY"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


def test_it_prompts_like_the_cli_and_stores_the_answers(alice):
    code, sink = builtin(alice, "aws configure", answers=[KEY, SECRET, "eu-west-1", ""])
    assert code == 0
    assert sink.questions == [
        ("AWS Access Key ID [None]: ", True),
        ("AWS Secret Access Key [None]: ", True),
        ("Default region name [None]: ", False),
        ("Default output format [None]: ", False),
    ]
    code, sink = builtin(alice, "aws configure", answers=["", "", "", "table"])
    assert [q for q, _ in sink.questions] == [
        "AWS Access Key ID [****************NARY]: ",
        "AWS Secret Access Key [****************TKEY]: ",
        "Default region name [eu-west-1]: ",
        "Default output format [None]: ",
    ]
    section = ConfigSection.objects.get(owner=alice, name="default")
    assert section.settings == {"region": "eu-west-1", "output": "table"}
    assert KEY not in section.sealed_secrets and SECRET not in section.sealed_secrets
    creds = broker.resolve_session(alice, profile=None).credentials
    assert (creds.access_key_id, creds.secret_access_key) == (KEY, SECRET)


def test_it_does_not_ask_for_keys_where_they_are_not_allowed(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    code, sink = builtin(alice, "aws configure --profile dev", answers=["us-east-2", "json"])
    assert code == 0
    assert [q for q, _ in sink.questions] == [
        "Default region name [None]: ",
        "Default output format [None]: ",
    ]
    assert "CONSOLE_ALLOW_STATIC_KEYS is off" in sink.stderr
    assert ConfigSection.objects.get(owner=alice, name="dev").settings == {
        "region": "us-east-2",
        "output": "json",
    }


def test_it_stops_when_the_prompt_is_cancelled(alice):
    code, _ = builtin(alice, "aws configure", answers=[None])
    assert code == 130
    assert not ConfigSection.objects.filter(owner=alice).exists()


def test_set_and_get_follow_the_clis_dotted_names(alice):
    assert builtin(alice, "aws configure set region us-west-2")[0] == 0
    assert builtin(alice, "aws configure set profile.dev.region eu-north-1")[0] == 0
    assert builtin(alice, "aws configure set output text --profile dev")[0] == 0
    assert builtin(alice, "aws configure set s3.max_concurrent_requests 20 --profile dev")[0] == 0
    assert builtin(alice, "aws configure get region")[1].stdout == "us-west-2\n"
    assert builtin(alice, "aws configure get default.region")[1].stdout == "us-west-2\n"
    assert builtin(alice, "aws configure get dev.region")[1].stdout == "eu-north-1\n"
    assert builtin(alice, "aws configure get profile.dev.output")[1].stdout == "text\n"
    assert builtin(alice, "aws configure get s3.max_concurrent_requests --profile dev")[1].stdout == "20\n"
    code, sink = builtin(alice, "aws configure get nothing_here")
    assert (code, sink.stdout, sink.stderr) == (1, "", "")


def test_get_never_shows_a_stored_key_again(alice):
    builtin(alice, f"aws configure set aws_secret_access_key {SECRET}")
    code, sink = builtin(alice, "aws configure get aws_secret_access_key")
    assert (code, sink.stdout) == (0, "****************TKEY\n")


def test_set_refuses_keys_where_they_are_not_allowed(alice, settings):
    settings.CONSOLE_ALLOW_STATIC_KEYS = False
    code, sink = builtin(alice, f"aws configure set aws_access_key_id {KEY}")
    assert code == 252
    assert "aws_access_key_id cannot be stored" in sink.stderr
    assert not ConfigSection.objects.filter(owner=alice).exists()


@pytest.mark.parametrize("key", ["credential_process", "web_identity_token_file"])
def test_set_refuses_what_would_touch_the_server(alice, key):
    code, sink = builtin(alice, f"aws configure set {key} /bin/true")
    assert code == 252 and f"{key} cannot be set in this console" in sink.stderr


def test_set_without_a_value_shows_the_clis_usage(alice):
    code, sink = builtin(alice, "aws configure set region")
    assert code == 252
    assert sink.stderr.endswith("aws: error: the following arguments are required: value\n")


def test_list_profiles_lists_only_my_profiles(alice, bob):
    save_profile(alice, "default", {"region": "us-east-1"})
    save_profile(alice, "dev", {"region": "us-east-1"})
    save_profile(bob, "bobs", {"region": "us-east-1"})
    assert builtin(alice, "aws configure list-profiles")[1].stdout == "default\ndev\n"
    assert builtin(bob, "aws configure list-profiles")[1].stdout == "bobs\n"


def test_list_shows_values_masked_with_their_sources(alice):
    save_profile(
        alice, "default", {"region": "eu-west-1", "aws_access_key_id": KEY, "aws_secret_access_key": SECRET}
    )
    code, sink = builtin(alice, "aws configure list")
    assert code == 0
    assert sink.stdout == (
        "      Name                    Value             Type    Location\n"
        "      ----                    -----             ----    --------\n"
        "   profile                <not set>             None    None\n"
        "access_key     ****************NARY shared-credentials-file    console profile (default)\n"
        "secret_key     ****************TKEY shared-credentials-file    console profile (default)\n"
        "    region                eu-west-1      config-file    console profile (default)\n"
    )


def test_list_shows_the_terminals_environment_as_the_source(alice):
    from console.runs import environment

    save_profile(alice, "dev", {"region": "eu-west-1"})
    environment.export(
        alice,
        "t1",
        {
            "AWS_PROFILE": "dev",
            "AWS_DEFAULT_REGION": "ap-south-1",
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
        },
    )
    code, sink = builtin(alice, "aws configure list", terminal="t1")
    lines = sink.stdout.splitlines()
    assert lines[2] == "   profile                      dev              env    AWS_PROFILE"
    assert lines[3] == "access_key     ****************NARY              env    AWS_ACCESS_KEY_ID"
    assert lines[5] == "    region               ap-south-1              env    AWS_DEFAULT_REGION"
    assert KEY not in sink.stdout and SECRET not in sink.stdout


def test_list_shows_an_assumed_role_as_the_cli_does(alice_profiles):
    code, sink = builtin(alice_profiles, "aws configure list --profile admin")
    lines = sink.stdout.splitlines()
    assert lines[2] == "   profile                    admin           manual    --profile"
    assert lines[3].startswith("access_key     ****************") and lines[3].endswith(" assume-role    ")


def test_export_credentials_is_refused_unless_allowed(alice_profiles, settings):
    code, sink = builtin(alice_profiles, "aws configure export-credentials --profile admin")
    assert code == 252 and "CONSOLE_ALLOW_EXPORT_CREDENTIALS" in sink.stderr and sink.stdout == ""
    settings.CONSOLE_ALLOW_EXPORT_CREDENTIALS = True
    code, sink = builtin(alice_profiles, "aws configure export-credentials --profile admin --format env")
    assert code == 0 and sink.stdout.startswith("export AWS_ACCESS_KEY_ID=ASIA")


def test_sso_session_is_not_pretended(alice):
    # `aws configure sso` is IAM Identity Center's (tests/credentials/test_sso.py).
    code, sink = builtin(alice, "aws configure sso-session")
    assert code == 252 and "not available" in sink.stderr


def test_configure_help_is_the_clis_page_and_help_is_the_terminals(alice):
    from console.commands import dispatch
    from console.interpreter import parse_command
    from console.runs.execution import context_for
    from tests.credentials.conftest import FakeSink, make_run

    sink = FakeSink()
    assert dispatch(parse_command("aws configure set help"), context_for(make_run(alice), sink)) == 0
    assert sink.stdout.startswith("NAME\n       configure set -")
    sink = FakeSink()
    assert dispatch(parse_command("help"), context_for(make_run(alice), sink)) == 0
    assert "export NAME=value" in sink.stdout
