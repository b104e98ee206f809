"""The seams every command kind plugs into: one registry, one context, one error
vocabulary, and a run state machine whose table is the rule in code."""

from __future__ import annotations

import pytest

from console.commands import REGISTRY, Caller, CommandContext, dispatch
from console.errors import ExitCode, failure_text
from console.interpreter import Builtin, Invocation, S3Command, Skeleton, parse_command
from console.runs import lifecycle
from console.runs.errors import IllegalTransition
from console.runs.models import TRANSITIONS, CommandRun, RunSource, RunStatus
from credentials import errors as credential_errors


class Recorder:
    def __init__(self, answers: list[str] | None = None) -> None:
        self.out: list[tuple[str, str]] = []
        self.answers = list(answers or [])

    def write(self, stream: str, text: str) -> None:
        self.out.append((stream, text))

    def ask(self, prompt: str, *, secret: bool) -> str | None:
        return self.answers.pop(0) if self.answers else None

    def cancelled(self) -> bool:
        return False


class NoEnvironment:
    def load(self) -> dict[str, str]:
        return {}

    def export(self, assignments):
        raise AssertionError("not exported in these tests")

    def unset(self, names):
        raise AssertionError("not unset in these tests")


def test_it_has_one_handler_for_every_kind_the_interpreter_returns():
    assert set(REGISTRY) == {Invocation, S3Command, Skeleton, Builtin}


def test_it_runs_a_skeleton_without_credentials_through_the_registry():
    io = Recorder()
    ctx = CommandContext(Caller(user=None), io, NoEnvironment())
    code = dispatch(parse_command("aws sts get-caller-identity --generate-cli-skeleton"), ctx)
    assert code == ExitCode.OK and io.out == [("stdout", "{}\n")]


def test_it_answers_an_unknown_builtin_as_a_shell_does():
    io = Recorder()
    ctx = CommandContext(Caller(user=None), io, NoEnvironment())
    assert dispatch(Builtin("nosuch", (), "nosuch"), ctx) == ExitCode.NOT_FOUND == 127
    assert io.out == [("stderr", "console: nosuch: not a builtin\n")]


def test_it_gives_the_broker_the_same_exit_codes():
    assert credential_errors.EXIT_USAGE == ExitCode.USAGE
    assert credential_errors.EXIT_CONFIG == ExitCode.CONFIG
    assert credential_errors.EXIT_SERVICE == ExitCode.SERVICE
    assert credential_errors.EXIT_OTHER == ExitCode.OTHER


def test_it_writes_a_failure_as_the_cli_does():
    assert failure_text("boom\n\n", leading_newline=True) == "\nboom\n"
    assert failure_text("boom") == "boom\n"


@pytest.mark.django_db
def test_it_refuses_a_move_the_table_does_not_allow(alice):
    run = CommandRun.objects.create(user=alice, source=RunSource.API, command="aws sts get-caller-identity")
    with pytest.raises(IllegalTransition):
        lifecycle.compare_and_set(run.pk, RunStatus.QUEUED, RunStatus.SUCCEEDED)
    with pytest.raises(IllegalTransition):
        lifecycle.compare_and_set(run.pk, RunStatus.SUCCEEDED, RunStatus.RUNNING)
    assert CommandRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


@pytest.mark.django_db
def test_it_allows_every_move_in_the_table_once(alice):
    for expected, targets in TRANSITIONS.items():
        for status in targets:
            run = CommandRun.objects.create(user=alice, source=RunSource.API, command="x", status=expected)
            assert lifecycle.compare_and_set(run.pk, expected, status) is True
            assert lifecycle.compare_and_set(run.pk, expected, status) is False  # no longer `expected`


def test_it_has_a_handler_for_every_file_builtin_the_interpreter_parses():
    from console.commands.files import FILE_HANDLERS
    from console.interpreter.parser import FILE_BUILTINS

    assert set(FILE_HANDLERS) == set(FILE_BUILTINS)
    assert isinstance(parse_command("ls -la"), Builtin)
