"""A line is tokenized once per parse: the redacted copy on every result comes from the
parse's own tokens, and reads exactly as `redact_line` redacts the line on its own."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from console.interpreter import CommandError, parse_command, redact_line
from console.interpreter import tokenizer as tokenizer_module

LINES = [
    "aws iam create-login-profile --user-name bob --password 'hunter 2' --password-reset-required",
    "aws --region eu-west-1 sts get-caller-identity",
    "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI",
    "help --password hunter2",
    "aws help",
    "aws iam help",
    "aws iam create-login-profile help",
    "aws configure set aws_secret_access_key wJalrXUtnFEMI",
    "aws configure help",
    "aws sso login --sso-session corp",
    "aws iam create-login-profile --user-name bob --password hunter2 --generate-cli-skeleton",
    "aws s3 ls s3://bucket --region eu-west-1",
    "aws s3 ls help",
]


@pytest.fixture
def tokenize_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count every call of the tokenizer, under whichever name a module imported it."""
    calls: list[str] = []
    real = tokenizer_module.tokenize

    def counting(line: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(line)
        return real(line, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("console.interpreter") and getattr(module, "tokenize", None) is real:
            monkeypatch.setattr(module, "tokenize", counting)
    return calls


@pytest.mark.parametrize("line", LINES)
def test_it_tokenizes_a_line_once_per_parse(line, tokenize_calls):
    result = parse_command(line)
    assert tokenize_calls == [line]
    assert result.redacted_line == redact_line(line)


def test_it_tokenizes_once_when_an_unknown_option_is_masked_in_the_error(tokenize_calls):
    line = "aws iam create-login-profile --user-name bob --pasword hunter2"
    with pytest.raises(CommandError) as raised:
        parse_command(line)
    assert tokenize_calls == [line]
    assert "hunter2" not in raised.value.message


def test_it_still_redacts_a_line_that_does_not_parse():
    line = "aws iam create-login-profile --password 'hunter2"
    with pytest.raises(CommandError):
        parse_command(line)
    assert redact_line(line) == "aws iam create-login-profile --password ****"
