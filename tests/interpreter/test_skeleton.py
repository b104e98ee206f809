"""--generate-cli-skeleton prints what the CLI prints, without calling AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from console.interpreter import CommandError, Skeleton, catalog, parse_command
from console.interpreter.arguments import operation_spec

from .cli_oracle import cli_output

INPUT_SKELETONS = [
    "aws sts get-caller-identity --generate-cli-skeleton",
    "aws sts assume-role --generate-cli-skeleton input",
    "aws s3api put-object --generate-cli-skeleton",
    "aws s3api list-objects-v2 --generate-cli-skeleton",
    "aws ec2 describe-instances --generate-cli-skeleton",
    "aws ec2 run-instances --generate-cli-skeleton",
    "aws dynamodb put-item --generate-cli-skeleton",
    "aws dynamodb create-table --generate-cli-skeleton",
    "aws lambda create-function --generate-cli-skeleton",
    "aws iam create-role --generate-cli-skeleton",
    "aws ecs register-task-definition --generate-cli-skeleton",
    "aws route53 change-resource-record-sets --generate-cli-skeleton",
    "aws cloudformation create-stack --generate-cli-skeleton",
    "aws sqs send-message --queue-url q --generate-cli-skeleton",
    "aws logs put-log-events --generate-cli-skeleton input",
]


def _settle_enums(oracle: Any, ours: Any, shape: Any) -> Any:
    """The CLI picks a random enum value; the console the first. Any valid pick is the same."""
    if shape is None:
        return oracle
    kind = shape.type_name
    if kind == "structure" and isinstance(oracle, dict) and isinstance(ours, dict):
        return {k: _settle_enums(v, ours.get(k), shape.members.get(k)) for k, v in oracle.items()}
    if kind == "list" and isinstance(oracle, list) and isinstance(ours, list) and oracle and ours:
        return [_settle_enums(oracle[0], ours[0], shape.member)]
    if kind == "map" and isinstance(oracle, dict) and isinstance(ours, dict):
        return {k: _settle_enums(v, ours.get(k), shape.value) for k, v in oracle.items()}
    enum = shape.metadata.get("enum")
    if enum and oracle in enum and ours in enum:
        return ours
    return oracle


def _input_shape(line: str) -> Any:
    words = line.split()
    return operation_spec(words[1], words[2]).model.input_shape


@pytest.mark.parametrize("line", INPUT_SKELETONS)
def test_it_prints_the_input_skeleton_the_cli_prints(line):
    rc, stdout, stderr = cli_output(line)
    assert rc == 0, stderr
    result = parse_command(line)
    assert isinstance(result, Skeleton)
    assert result.mode == "input"
    ours = json.loads(result.text)
    assert _settle_enums(json.loads(stdout), ours, _input_shape(line)) == ours
    assert result.text.endswith("}\n")
    assert result.text == json.dumps(ours, indent=4) + "\n"


@pytest.mark.parametrize(
    "line",
    [
        "aws s3api list-buckets --generate-cli-skeleton output",
        "aws ec2 describe-vpcs --generate-cli-skeleton output",
        "aws sqs get-queue-url --queue-name q --generate-cli-skeleton output",
        "aws sns list-topics --generate-cli-skeleton output",
    ],
)
def test_it_prints_the_output_skeleton_the_cli_prints(line):
    rc, stdout, stderr = cli_output(line)
    assert rc == 0, stderr
    assert parse_command(line) == Skeleton(stdout, line, "output")


def test_it_prints_the_same_skeleton_every_time():
    line = "aws s3api put-object --generate-cli-skeleton"
    assert parse_command(line) == parse_command(line)


def test_it_needs_no_required_parameters_for_an_input_skeleton():
    assert isinstance(parse_command("aws s3api get-object-acl --generate-cli-skeleton"), Skeleton)


def test_it_checks_the_command_line_for_an_output_skeleton_as_the_cli_does():
    with pytest.raises(CommandError) as caught:
        parse_command("aws s3api get-object-acl --generate-cli-skeleton output")
    assert "the following arguments are required: --bucket, --key" in caught.value.message


def test_it_still_refuses_a_bad_parameter_with_a_skeleton():
    with pytest.raises(CommandError) as caught:
        parse_command("aws ec2 describe-instances --filters Name --generate-cli-skeleton")
    assert "Error parsing parameter '--filters'" in caught.value.message


def test_it_writes_a_yaml_input_skeleton_that_reads_back_as_the_json_one():
    yaml_result = parse_command("aws dynamodb create-table --generate-cli-skeleton yaml-input")
    json_result = parse_command("aws dynamodb create-table --generate-cli-skeleton")
    assert isinstance(yaml_result, Skeleton) and yaml_result.mode == "yaml-input"
    assert yaml.safe_load(yaml_result.text) == json.loads(json_result.text)
    assert "TableName: ''  # [REQUIRED] string" in yaml_result.text
    assert "Valid values are: PROVISIONED, PAY_PER_REQUEST" in yaml_result.text


@pytest.mark.parametrize("cli_service", ["s3api", "iam", "dynamodb", "glue", "ecs", "lambda"])
def test_it_makes_a_yaml_skeleton_for_every_operation(cli_service):
    for name, entry in catalog.command_table(cli_service).items():
        if entry.operation is None or entry.hidden:
            continue
        spec = operation_spec(cli_service, name)
        if spec.model.has_streaming_output:
            continue
        result = parse_command(f"aws {cli_service} {name} --generate-cli-skeleton yaml-input")
        loaded = json.loads(json.dumps(yaml.safe_load(result.text), default=lambda when: when.isoformat()))
        expected = json.loads(parse_command(f"aws {cli_service} {name} --generate-cli-skeleton").text)
        assert loaded == expected or (loaded is None and expected == {}), name


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("aws sts get-caller-identity --generate-cli-skeleton json", "Invalid choice, valid choices are:"),
        (
            "aws sts get-caller-identity --generate-cli-skeleton --generate-cli-skeleton",
            "argument --generate-cli-skeleton: given more than once",
        ),
    ],
)
def test_it_refuses_a_bad_skeleton_request(line, fragment):
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert fragment in caught.value.message
    assert caught.value.exit_code == 252
