"""Tab completion: services, operations, parameters, enum values, fast."""

from __future__ import annotations

import time

import pytest

from console.interpreter import complete


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            "",
            sorted(
                ["aws", "clear", "env", "export", "guard", "help", "history", "rerun", "unset", "whoami"]
                + ["cat", "cd", "cp", "df", "ls", "mkdir", "mv", "pwd", "rm", "upload", "download"]
            ),
        ),
        ("a", ["aws"]),
        ("aws ec", ["ec2", "ec2-instance-connect", "ecr", "ecr-public", "ecs"]),
        ("aws s3a", ["s3api"]),
        ("aws configu", ["configure"]),
        ("aws configs", ["configservice"]),
        ("aws sts get-c", ["get-caller-identity"]),
        ("aws sso lo", ["login", "logout"]),
        ("aws configure l", ["list", "list-profiles"]),
        ("aws --region eu-west-1 sts get-c", ["get-caller-identity"]),
        ("aws ec2 describe-instances --fil", ["--filters"]),
        ("aws ec2 describe-instances --no-pag", ["--no-paginate"]),
        ("aws ec2 describe-instances --cli-input", ["--cli-input-json", "--cli-input-yaml"]),
        ("aws s3api put-object --acl p", ["private", "public-read", "public-read-write"]),
        ("aws s3api put-object --storage-class DEEP", ["DEEP_ARCHIVE"]),
        ("aws --output t", ["table", "text"]),
        ("aws sts get-caller-identity --output y", ["yaml", "yaml-stream"]),
        ("aws --color ", ["auto", "off", "on"]),
        ("export AWS_P", ["AWS_PROFILE="]),
        ("unset AWS_REG", ["AWS_REGION"]),
        ("help ec", ["ec2", "ec2-instance-connect", "ecr", "ecr-public", "ecs"]),
        ("gu", ["guard"]),
        ("guard ", ["elevate", "elevations", "explain"]),
        ("guard elev", ["elevate", "elevations"]),
        ("guard explain aws s3a", ["s3api"]),
        ("guard explain aws sts get-caller-identity --output y", ["yaml", "yaml-stream"]),
        ("guard nosuch ", []),
        ("aws nosuch ", []),
        ("aws ec2 nosuch --", []),
        ("ls ", []),  # workspace paths only with a path completer (tests/commands)
        ("grep ", []),
        ("aws 'ec2", []),
    ],
)
def test_it_completes_the_word_under_the_cursor(line, expected):
    assert complete(line, len(line)) == expected


def test_it_offers_parameters_not_yet_given():
    line = "aws s3api list-objects --bucket b --"
    offered = complete(line, len(line))
    assert "--prefix" in offered and "--bucket" not in offered
    assert "--region" in offered


def test_it_completes_in_the_middle_of_a_line():
    line = "aws ec2 describe-inst --region x"
    assert "describe-instances" in complete(line, len("aws ec2 describe-inst"))


def test_it_offers_services_not_options_after_a_bare_space():
    offered = complete("aws ", 4)
    assert "ec2" in offered and not any(word.startswith("-") for word in offered)


@pytest.mark.parametrize("cursor", [-5, 0, 3, 10_000])
def test_it_never_fails_on_odd_cursors(cursor):
    assert isinstance(complete("aws ec2 describe-instances", cursor), list)


def test_it_is_fast_once_warm():
    lines = ["aws ", "aws ec", "aws ec2 describe-instances --", "aws s3api put-object --acl "]
    for line in lines:
        complete(line, len(line))
    start = time.perf_counter()
    for _ in range(50):
        for line in lines:
            complete(line, len(line))
    per_call = (time.perf_counter() - start) / (50 * len(lines))
    assert per_call < 0.002


PROFILES = ["default", "dev", "platform/admin", "platform/readonly"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("aws s3 ls --profile ", PROFILES),
        ("aws s3 ls --profile platform/r", ["platform/readonly"]),
        ("aws --profile d", ["default", "dev"]),
        ("aws sso login --profile plat", ["platform/admin", "platform/readonly"]),
        ("export AWS_PROFILE=platform/a", ["AWS_PROFILE=platform/admin"]),
        ("export AWS_PROFILE=", [f"AWS_PROFILE={name}" for name in PROFILES]),
    ],
)
def test_it_completes_the_profiles_the_user_may_use(line, expected):
    assert complete(line, len(line), profiles=lambda: PROFILES) == expected


def test_it_reads_the_profiles_only_when_a_profile_is_being_completed():
    asked = []

    def profiles():
        asked.append(1)
        return PROFILES

    complete("aws sts get-c", 13, profiles=profiles)
    complete("export AWS_REG", 14, profiles=profiles)
    assert asked == []
    assert complete("aws --profile ", 14) == []  # no reader: nothing to offer
