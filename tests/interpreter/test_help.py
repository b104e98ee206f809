"""Help rendered from the models: readable, wrapped, and the same errors as a command line."""

from __future__ import annotations

import pytest

from console.interpreter import CommandError, parse_command, render_help


def test_it_renders_an_operation_with_the_cli_sections():
    text = render_help(("s3api", "put-object"), 80)
    for section in ("NAME", "DESCRIPTION", "SYNOPSIS", "OPTIONS", "OUTPUT"):
        assert f"\n{section}\n" in "\n" + text
    assert "--bucket (string) (required)" in text
    assert "\n         [--acl <value>]\n" in text and "\n         --bucket <value>\n" in text
    assert "o bucket-owner-full-control" in text  # enum values of --acl
    assert "ETag -> (string)" in text
    assert "<p>" not in text and "&lt;" not in text


def test_it_shows_shorthand_syntax_for_structures():
    text = render_help(("ec2", "describe-instances"), 100)
    assert "Shorthand Syntax:" in text
    assert "Name=string,Values=string,string ..." in text
    assert "--filters (list)" in text
    assert "Reservations -> (list)" in text


def test_it_shows_the_cli_added_parameters():
    text = render_help(("ec2", "run-instances"), 80)
    assert "--count (string)" in text
    assert "--min-count" not in text


@pytest.mark.parametrize("width", [30, 60, 80, 132])
def test_it_wraps_to_the_terminal_width(width):
    text = render_help(("ec2", "run-instances"), width)
    # only a single word longer than the width (a long shorthand example) may overflow
    long_lines = [line for line in text.splitlines() if len(line) > width and " " in line.strip()]
    assert not long_lines


def test_it_renders_a_service():
    text = render_help(("sts",), 80)
    assert "Security Token Service" in text or "STS" in text
    assert "AVAILABLE COMMANDS" in text
    assert "       o assume-role\n" in text
    assert "       o get-caller-identity\n" in text


def test_it_renders_the_top_level():
    text = render_help((), 80)
    assert "--region (string)" in text and "--output (string)" in text
    assert "o yaml-stream" in text
    assert "--no-verify-ssl" not in text  # refused by the console
    assert "       o ec2\n" in text and "       o s3api\n" in text and "       o configure\n" in text


@pytest.mark.parametrize("args", [("configure",), ("configure", "set"), ("sso", "login"), ("sso", "logout")])
def test_it_renders_the_cli_builtins(args):
    assert "DESCRIPTION" in render_help(args, 80)


@pytest.mark.parametrize(
    "args, line",
    [
        (("ec3",), "aws ec3 help"),
        (("ec2", "describe-instancs"), "aws ec2 describe-instancs help"),
        (("ec2", "wait"), "aws ec2 wait help"),
    ],
)
def test_it_refuses_unknown_names_as_parsing_does(args, line):
    with pytest.raises(CommandError) as from_help:
        render_help(args, 80)
    with pytest.raises(CommandError) as from_parse:
        parse_command(line.replace(" help", " x"))
    assert from_help.value.message == from_parse.value.message
    assert from_help.value.exit_code == from_parse.value.exit_code


def test_it_renders_every_operation_of_a_big_service():
    from console.interpreter import operation_names

    for name in operation_names("dynamodb"):
        assert render_help(("dynamodb", name), 80).startswith("NAME\n")
