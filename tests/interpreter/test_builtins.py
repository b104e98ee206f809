"""Lines the worker runs itself: the CLI's `configure` and `sso login|logout`, and the shell's
export/unset/env. The interpreter only recognises them and hands over their words."""

from __future__ import annotations

import pytest

from console.interpreter import Builtin, CommandError, GlobalOptions, Invocation, parse_command


@pytest.mark.parametrize(
    "line, name, args, options",
    [
        ("aws configure", "configure", (), GlobalOptions()),
        ("aws configure list", "configure", ("list",), GlobalOptions()),
        ("aws configure list --profile dev", "configure", ("list",), GlobalOptions(profile="dev")),
        (
            "aws --profile dev configure list-profiles",
            "configure",
            ("list-profiles",),
            GlobalOptions(profile="dev"),
        ),
        (
            "aws configure set region eu-west-1 --profile dev",
            "configure",
            ("set", "region", "eu-west-1"),
            GlobalOptions(profile="dev"),
        ),
        (
            "aws configure set default.output table",
            "configure",
            ("set", "default.output", "table"),
            GlobalOptions(),
        ),
        ("aws configure get region", "configure", ("get", "region"), GlobalOptions()),
        (
            "aws configure export-credentials --format env --profile p",
            "configure",
            ("export-credentials", "--format", "env"),
            GlobalOptions(profile="p"),
        ),
        ("aws configure sso", "configure", ("sso",), GlobalOptions()),
        ("aws configure sso --profile x", "configure", ("sso",), GlobalOptions(profile="x")),
        ("aws sso login", "sso", ("login",), GlobalOptions()),
        ("aws sso login --sso-session corp", "sso", ("login", "--sso-session", "corp"), GlobalOptions()),
        (
            "aws sso login --profile dev --no-browser",
            "sso",
            ("login", "--no-browser"),
            GlobalOptions(profile="dev"),
        ),
        ("aws --region eu-west-1 sso logout", "sso", ("logout",), GlobalOptions(region="eu-west-1")),
    ],
)
def test_it_hands_cli_builtins_their_words(line, name, args, options):
    assert parse_command(line) == Builtin(name, args, line, options)


@pytest.mark.parametrize(
    "line, args",
    [
        ("aws configure help", ("configure",)),
        ("aws configure set help", ("configure", "set")),
        ("aws sso login help", ("sso", "login")),
    ],
)
def test_it_gives_help_for_cli_builtins(line, args):
    assert parse_command(line) == Builtin("help", args, line)


@pytest.mark.parametrize(
    "line, operation",
    [
        ("aws sso list-accounts --access-token t", "ListAccounts"),
        ("aws sso list-account-roles --access-token t --account-id 1", "ListAccountRoles"),
        ("aws sso get-role-credentials --access-token t --account-id 1 --role-name r", "GetRoleCredentials"),
    ],
)
def test_it_keeps_the_other_sso_commands_generated(line, operation):
    result = parse_command(line)
    assert isinstance(result, Invocation) and result.operation_name == operation


@pytest.mark.parametrize(
    "line, name, args",
    [
        ("export AWS_PROFILE=dev", "export", ("AWS_PROFILE=dev",)),
        (
            "export AWS_REGION=eu-west-1 AWS_DEFAULT_OUTPUT=table",
            "export",
            ("AWS_REGION=eu-west-1", "AWS_DEFAULT_OUTPUT=table"),
        ),
        ("export", "export", ()),
        ("unset AWS_PROFILE AWS_REGION", "unset", ("AWS_PROFILE", "AWS_REGION")),
        ("env", "env", ()),
    ],
)
def test_it_recognises_shell_builtins(line, name, args):
    result = parse_command(line)
    assert (result.name, result.args) == (name, args)
    assert result.redacted_line == line


def test_it_quotes_export_values_as_a_shell_does():
    result = parse_command("export AWS_SECRET_ACCESS_KEY='a b\"c'")
    assert result.args == ('AWS_SECRET_ACCESS_KEY=a b"c',)
    assert result.redacted_line == "export AWS_SECRET_ACCESS_KEY=****"


def test_it_refuses_variable_expansion_in_export():
    with pytest.raises(CommandError) as caught:
        parse_command("export AWS_PROFILE=$OTHER")
    assert "does not expand shell variables" in caught.value.message
    assert caught.value.position == 19


def test_it_checks_global_options_given_to_cli_builtins():
    with pytest.raises(CommandError) as caught:
        parse_command("aws configure list --output xml")
    assert "Invalid choice" in caught.value.message
