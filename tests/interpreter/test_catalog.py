"""The console's command and parameter names are the AWS CLI's (awscli is the oracle)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time

import botocore
import pytest

from console.interpreter import catalog, operation_names, parse_command, service_names
from console.interpreter.arguments import operation_spec
from console.interpreter.errors import CommandError

SAMPLE_SERVICES = [
    "s3api",
    "ec2",
    "iam",
    "sts",
    "rds",
    "ecs",
    "eks",
    "emr",
    "deploy",
    "configservice",
    "sns",
    "route53",
    "glue",
    "pinpoint",
    "dynamodb",
    "lambda",
    "kms",
    "secretsmanager",
    "cloudwatch",
    "logs",
    "servicecatalog",
    "iotwireless",
    "schemas",
    "cognito-idp",
    "runtime.sagemaker",
    "sagemaker",
    "apigatewayv2",
    "ssm",
]


@functools.cache
def cli_command_table():
    from awscli.clidriver import create_clidriver

    return create_clidriver()._get_command_table()


def _separate_cli(code: str) -> str:
    """Runs `code` in a fresh interpreter that imports awscli first, as `aws` does: from then
    on `import botocore` is the copy that awscli carries inside it, not the installed one."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}
    env.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import awscli, awscli.clidriver, json, sys, botocore\n{code}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert not result.stdout.startswith("Traceback"), result.stderr
    return result.stdout + result.stderr


def test_it_reads_the_models_the_cli_carries():
    """awscli carries its own botocore; a newer installed one knows services and response
    members the CLI does not (and prints them: `INTERFACETYPES` under ec2
    describe-instance-types), so the console's botocore must be the CLI's."""
    theirs = _separate_cli("print(botocore.__version__, botocore.__file__)").split()
    assert "/awscli/botocore/" in theirs[1]
    assert botocore.__version__ == theirs[0], "pin botocore in requirements.txt to the version awscli carries"


def test_it_lists_the_top_level_commands_in_the_cli_order():
    theirs = _separate_cli(
        "print(json.dumps(list(awscli.clidriver.create_clidriver()._get_command_table())))"
    )
    assert list(catalog.service_table()) == json.loads(theirs)


def test_it_refuses_an_unknown_service_with_the_cli_list():
    """The whole error after the usage banner (v1's banner adds a note about v2)."""
    theirs = _separate_cli(
        "sys.argv[:] = ['aws', 'nosuchservice', 'list-things']\n"
        "try:\n    awscli.clidriver.main()\nexcept SystemExit:\n    pass"
    )
    with pytest.raises(CommandError) as refused:
        parse_command("aws nosuchservice list-things")
    ours = refused.value.message
    assert ours[ours.index("aws: error:") :].strip() == theirs[theirs.index("aws: error:") :].strip()
    assert "maybe you meant" not in ours


@pytest.mark.parametrize("cli_service", SAMPLE_SERVICES)
def test_it_builds_the_same_command_table_as_the_cli(cli_service):
    from awscli.clidriver import ServiceOperation

    theirs = cli_command_table()[cli_service]._get_command_table()
    ours = catalog.command_table(cli_service)
    assert list(ours) == list(theirs)
    for name, command in theirs.items():
        if isinstance(command, ServiceOperation):
            assert ours[name].operation == command._operation_model.name
        else:
            assert ours[name].operation is None


def _generated(argument) -> bool:
    from awscli.arguments import BooleanArgument, CLIArgument
    from awscli.customizations.paginate import PageArgument

    return type(argument) in (CLIArgument, BooleanArgument, PageArgument) or type(argument).__name__ in (
        "ListArgument",
        "PositiveBooleanArgument",
        "NegativeBooleanParameter",
    )


@pytest.mark.parametrize("cli_service", SAMPLE_SERVICES)
def test_it_names_parameters_as_the_cli_does(cli_service):
    """Every generated command takes the CLI's parameters, in the CLI's order, required alike.

    Commands whose parameters the CLI rewrites by hand (ec2 run-instances --count, ...) are
    left for the later full-CLI work; AWS CLI v2 dropped v1's hidden aliases.
    """
    from awscli.clidriver import ServiceOperation
    from awscli.customizations.argrename import HIDDEN_ALIASES

    aliases = {alias for alias in HIDDEN_ALIASES.values()}
    compared = 0
    for name, command in cli_command_table()[cli_service]._get_command_table().items():
        if not isinstance(command, ServiceOperation):
            continue
        table = {
            arg: obj
            for arg, obj in command.arg_table.items()
            if arg not in ("cli-input-json", "generate-cli-skeleton") and arg not in aliases
        }
        if not all(_generated(obj) for obj in table.values()) or len(table) != len(
            [a for a in command.arg_table if a not in ("cli-input-json", "generate-cli-skeleton")]
        ):
            continue
        spec = operation_spec(cli_service, name)
        assert list(spec.arguments) == list(table), name
        assert {a for a, arg in spec.arguments.items() if arg.required} == {
            a for a, obj in table.items() if obj.required
        }, name
        compared += 1
    assert compared > 0


def test_it_lists_services_for_completion():
    names = service_names()
    assert names == sorted(names)
    assert {"s3api", "ec2", "deploy", "configservice"} <= set(names)
    assert not {"s3", "codedeploy", "config", "runtime.sagemaker", "sms-voice", "sdb", "configure"} & set(
        names
    )


def test_it_lists_operations_for_completion():
    names = operation_names("rds")
    assert names == sorted(names)
    assert {"describe-db-instances", "add-option-to-option-group"} <= set(names)
    assert not {"modify-option-group", "wait", "generate-db-auth-token"} & set(names)
    assert "get-o-tel-enrichment" not in operation_names("cloudwatch")
    assert operation_names("no-such-service") == [] and operation_names("s3") == []


def test_it_parses_a_command_in_well_under_a_millisecond_when_warm():
    line = (
        "aws ec2 describe-instances --instance-ids i-1 i-2 "
        '--filters \'[{"Name": "a", "Values": ["b"]}]\' --region eu-west-1'
    )
    parse_command(line)
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        parse_command(line)
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[len(timings) // 2] < 0.001


def test_it_imports_neither_django_nor_awscli():
    # A bare `console` package stands in for the Django project's, whose __init__ loads Celery.
    code = (
        "import sys, types, importlib.util; "
        "bare = types.ModuleType('console'); "
        "bare.__path__ = list(importlib.util.find_spec('console').submodule_search_locations); "
        "sys.modules['console'] = bare; "
        "from console.interpreter import parse_command; from console.output import format_response; "
        "format_response(parse_command('aws sts get-caller-identity').parameters); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'awscli', 'celery')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_builds_a_model_once_when_runs_ask_for_it_together() -> None:
    """A worker runs several commands at once; four cold `ec2` lines must not each load
    the model (the duplicated CPU starved the runs' heartbeats in the compat suite)."""
    catalog.service_model.cache_clear()  # type: ignore[attr-defined]
    start = threading.Barrier(4)
    models: list[object] = []

    def ask() -> None:
        start.wait()
        models.append(catalog.service_model("ec2"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(models) == 4
    assert all(model is models[0] for model in models)
