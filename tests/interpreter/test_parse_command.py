"""Command lines and the botocore call they become."""

from __future__ import annotations

import pytest

from console.interpreter import Builtin, GlobalOptions, Invocation, parse_command

CASES = [
    # line, botocore service, operation, parameters
    ("aws s3api list-buckets", "s3", "ListBuckets", {}),
    (
        "aws s3api list-objects-v2 --bucket my-bucket --prefix logs/",
        "s3",
        "ListObjectsV2",
        {"Bucket": "my-bucket", "Prefix": "logs/"},
    ),
    ("aws sts get-caller-identity", "sts", "GetCallerIdentity", {}),
    # integer, long, double, timestamp
    ("aws s3api list-objects --bucket b --max-keys 10", "s3", "ListObjects", {"Bucket": "b", "MaxKeys": 10}),
    (
        "aws logs get-log-events --log-stream-name s --start-time -5 --limit 3",
        "logs",
        "GetLogEvents",
        {"logStreamName": "s", "startTime": -5, "limit": 3},
    ),
    (
        "aws cloudwatch put-metric-alarm --alarm-name a --evaluation-periods 1 "
        "--comparison-operator GreaterThanThreshold --threshold 1.5",
        "cloudwatch",
        "PutMetricAlarm",
        {
            "AlarmName": "a",
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 1.5,
        },
    ),
    (
        "aws cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name CPU --period 60 "
        "--start-time 2024-01-01T00:00:00Z --end-time 1704067200",
        "cloudwatch",
        "GetMetricStatistics",
        {
            "Namespace": "AWS/EC2",
            "MetricName": "CPU",
            "Period": 60,
            "StartTime": "2024-01-01T00:00:00Z",
            "EndTime": "1704067200",
        },
    ),
    # booleans
    (
        "aws iam create-login-profile --user-name bob --password p --password-reset-required",
        "iam",
        "CreateLoginProfile",
        {"UserName": "bob", "Password": "p", "PasswordResetRequired": True},
    ),
    (
        "aws iam create-login-profile --user-name bob --password p --no-password-reset-required",
        "iam",
        "CreateLoginProfile",
        {"UserName": "bob", "Password": "p", "PasswordResetRequired": False},
    ),
    (
        "aws ec2 describe-regions --all-regions --dry-run",
        "ec2",
        "DescribeRegions",
        {"AllRegions": True, "DryRun": True},
    ),
    # blobs: base64 by default, nested ones too; raw with --cli-binary-format raw-in-base64-out
    (
        "aws kms encrypt --key-id alias/k --plaintext aGVsbG8=",
        "kms",
        "Encrypt",
        {"KeyId": "alias/k", "Plaintext": b"hello"},
    ),
    (
        'aws kinesis put-records --stream-name s --records \'[{"Data": "aGk=", "PartitionKey": "k"}]\'',
        "kinesis",
        "PutRecords",
        {"StreamName": "s", "Records": [{"Data": b"hi", "PartitionKey": "k"}]},
    ),
    (
        "aws kms encrypt --key-id k --plaintext hello --cli-binary-format raw-in-base64-out",
        "kms",
        "Encrypt",
        {"KeyId": "k", "Plaintext": "hello"},
    ),
    # lists of scalars: several words, one JSON list, or none
    (
        "aws ec2 describe-instances --instance-ids i-1 i-2",
        "ec2",
        "DescribeInstances",
        {"InstanceIds": ["i-1", "i-2"]},
    ),
    (
        'aws ec2 describe-instances --instance-ids \'["i-1", "i-2"]\'',
        "ec2",
        "DescribeInstances",
        {"InstanceIds": ["i-1", "i-2"]},
    ),
    ("aws ec2 describe-instances --instance-ids", "ec2", "DescribeInstances", {"InstanceIds": []}),
    ("aws ec2 describe-instances --instance-ids=i-1", "ec2", "DescribeInstances", {"InstanceIds": ["i-1"]}),
    # structures, maps, lists of structures, documents, JSON headers
    (
        'aws s3api put-bucket-versioning --bucket b --versioning-configuration \'{"Status": "Enabled"}\'',
        "s3",
        "PutBucketVersioning",
        {"Bucket": "b", "VersioningConfiguration": {"Status": "Enabled"}},
    ),
    (
        'aws lambda tag-resource --resource arn:x --tags \'{"team": "blue"}\'',
        "lambda",
        "TagResource",
        {"Resource": "arn:x", "Tags": {"team": "blue"}},
    ),
    (
        'aws ec2 describe-instances --filters \'{"Name": "tag:Env", "Values": ["prod"]}\' '
        '\'{"Name": "instance-state-name", "Values": ["running"]}\'',
        "ec2",
        "DescribeInstances",
        {
            "Filters": [
                {"Name": "tag:Env", "Values": ["prod"]},
                {"Name": "instance-state-name", "Values": ["running"]},
            ]
        },
    ),
    (
        'aws ec2 describe-instances --filters \'[{"Name": "tag:Env", "Values": ["prod"]}]\'',
        "ec2",
        "DescribeInstances",
        {"Filters": [{"Name": "tag:Env", "Values": ["prod"]}]},
    ),
    (
        "aws bedrock-runtime converse --model-id m --additional-model-request-fields '{\"top_k\": 5}'",
        "bedrock-runtime",
        "Converse",
        {"modelId": "m", "additionalModelRequestFields": {"top_k": 5}},
    ),
    (
        'aws iot-data publish --topic t --user-properties \'[{"a": "b"}]\'',
        "iot-data",
        "Publish",
        {"topic": "t", "userProperties": [{"a": "b"}]},
    ),
    # --name=value, and values that look like numbers
    ("aws s3api list-objects --bucket=b --prefix=a=b", "s3", "ListObjects", {"Bucket": "b", "Prefix": "a=b"}),
    ("aws s3api list-objects --bucket b --prefix -1", "s3", "ListObjects", {"Bucket": "b", "Prefix": "-1"}),
    (
        "aws s3api list-objects --bucket b --prefix '-x y'",
        "s3",
        "ListObjects",
        {"Bucket": "b", "Prefix": "-x y"},
    ),
    # the CLI's renames of services, operations and parameters
    ("aws deploy list-applications", "codedeploy", "ListApplications", {}),
    ("aws configservice describe-config-rules", "config", "DescribeConfigRules", {}),
    (
        "aws runtime.sagemaker invoke-endpoint-async --endpoint-name e --input-location s3://b/k",
        "sagemaker-runtime",
        "InvokeEndpointAsync",
        {"EndpointName": "e", "InputLocation": "s3://b/k"},
    ),
    ("aws sms-voice list-configuration-sets", "sms-voice", "ListConfigurationSets", {}),
    ("aws cloudwatch get-o-tel-enrichment", "cloudwatch", "GetOTelEnrichment", {}),
    ("aws cloudwatch get-otel-enrichment", "cloudwatch", "GetOTelEnrichment", {}),
    (
        "aws sns subscribe --topic-arn t --protocol email --notification-endpoint a@example.com",
        "sns",
        "Subscribe",
        {"TopicArn": "t", "Protocol": "email", "Endpoint": "a@example.com"},
    ),
    (
        "aws ec2 create-network-acl-entry --network-acl-id n --rule-number 1 --protocol -1 "
        "--rule-action allow --ingress",
        "ec2",
        "CreateNetworkAclEntry",
        {"NetworkAclId": "n", "RuleNumber": 1, "Protocol": "-1", "RuleAction": "allow", "Egress": False},
    ),
    (
        "aws ec2 create-image --instance-id i --name n --reboot",
        "ec2",
        "CreateImage",
        {"InstanceId": "i", "Name": "n", "NoReboot": False},
    ),
    (
        "aws glue get-unfiltered-table-metadata --catalog-id c --database-name d --name n "
        "--supported-permission-types COLUMN_PERMISSION --resource-region eu-west-1",
        "glue",
        "GetUnfilteredTableMetadata",
        {
            "CatalogId": "c",
            "DatabaseName": "d",
            "Name": "n",
            "SupportedPermissionTypes": ["COLUMN_PERMISSION"],
            "Region": "eu-west-1",
        },
    ),
    (
        "aws eks create-cluster --name c --role-arn r --resources-vpc-config '{}' --kubernetes-version 1.30",
        "eks",
        "CreateCluster",
        {"name": "c", "roleArn": "r", "resourcesVpcConfig": {}, "version": "1.30"},
    ),
    (
        "aws emr describe-step --cluster-id j-1 --step-id s-1",
        "emr",
        "DescribeStep",
        {"ClusterId": "j-1", "StepId": "s-1"},
    ),
    ("aws iotwireless get-service-endpoint", "iotwireless", "GetServiceEndpoint", {}),
    # ec2's {"Value": bool} flags
    (
        "aws ec2 modify-instance-attribute --instance-id i --ebs-optimized",
        "ec2",
        "ModifyInstanceAttribute",
        {"InstanceId": "i", "EbsOptimized": {"Value": True}},
    ),
    (
        "aws ec2 modify-instance-attribute --instance-id i --no-source-dest-check",
        "ec2",
        "ModifyInstanceAttribute",
        {"InstanceId": "i", "SourceDestCheck": {"Value": False}},
    ),
    (
        "aws ec2 modify-instance-attribute --instance-id i --ebs-optimized '{\"Value\": false}'",
        "ec2",
        "ModifyInstanceAttribute",
        {"InstanceId": "i", "EbsOptimized": {"Value": False}},
    ),
    # rds's split of modify-option-group
    (
        'aws rds add-option-to-option-group --option-group-name g --options \'[{"OptionName": "X"}]\'',
        "rds",
        "ModifyOptionGroup",
        {"OptionGroupName": "g", "OptionsToInclude": [{"OptionName": "X"}]},
    ),
    (
        "aws rds remove-option-from-option-group --option-group-name g --options X --apply-immediately",
        "rds",
        "ModifyOptionGroup",
        {"OptionGroupName": "g", "OptionsToRemove": ["X"], "ApplyImmediately": True},
    ),
    # an idempotency token is never required
    ("aws secretsmanager create-secret --name s", "secretsmanager", "CreateSecret", {"Name": "s"}),
]


@pytest.mark.parametrize("line, service, operation, parameters", CASES, ids=[c[0][:70] for c in CASES])
def test_it_turns_a_command_line_into_a_botocore_call(line, service, operation, parameters):
    invocation = parse_command(line)
    assert isinstance(invocation, Invocation)
    assert (invocation.service_name, invocation.operation_name) == (service, operation)
    assert invocation.parameters == parameters
    assert invocation.cli_service == line.split()[1]


def options(line: str) -> GlobalOptions:
    invocation = parse_command(line)
    assert isinstance(invocation, Invocation)
    return invocation.options


@pytest.mark.parametrize(
    "line, expected",
    [
        ("aws sts get-caller-identity", GlobalOptions()),
        (
            "aws --profile dev --region us-east-1 sts get-caller-identity",
            GlobalOptions(profile="dev", region="us-east-1"),
        ),
        (
            "aws sts --region eu-west-1 get-caller-identity --output text --query Account",
            GlobalOptions(region="eu-west-1", output="text", query="Account"),
        ),
        (
            "aws sts get-caller-identity --output=yaml-stream --query='Arn' "
            "--color off --debug --no-cli-pager",
            GlobalOptions(output="yaml-stream", query="Arn", color="off", debug=True, no_cli_pager=True),
        ),
        (
            "aws sts get-caller-identity --endpoint-url http://localhost:5000 --cli-read-timeout 0 "
            "--cli-connect-timeout 5",
            GlobalOptions(endpoint_url="http://localhost:5000", cli_read_timeout=0, cli_connect_timeout=5),
        ),
        (
            "aws ec2 describe-instances --starting-token abc --page-size 10 --max-items 20",
            GlobalOptions(starting_token="abc", page_size=10, max_items=20),
        ),
        ("aws ec2 describe-instances --no-paginate", GlobalOptions(no_paginate=True)),
        ("aws route53 list-hosted-zones --max-items 5", GlobalOptions(max_items=5)),
    ],
)
def test_it_reads_global_options_anywhere_on_the_line(line, expected):
    assert options(line) == expected


def test_it_turns_automatic_pagination_off_when_a_raw_paging_parameter_is_given():
    invocation = parse_command("aws ec2 describe-instances --next-token abc --max-results 5")
    assert isinstance(invocation, Invocation)
    assert invocation.parameters == {"NextToken": "abc", "MaxResults": 5}
    assert invocation.options.no_paginate is True


def test_it_hands_a_shadowed_model_parameter_to_botocore_when_pagination_is_off():
    invocation = parse_command("aws servicecatalog search-products --page-size 5 --no-paginate")
    assert isinstance(invocation, Invocation)
    assert invocation.parameters == {"PageSize": 5}
    assert invocation.options.page_size is None


@pytest.mark.parametrize(
    "line, name, args",
    [
        ("help", "help", ()),
        ("help ec2 describe-instances", "help", ("ec2", "describe-instances")),
        ("clear", "clear", ()),
        ("whoami", "whoami", ()),
        ("aws help", "help", ()),
        ("aws help topics", "help", ("topics",)),
        ("aws --region x ec2 help", "help", ("ec2",)),
        ("aws ec2 describe-instances help", "help", ("ec2", "describe-instances")),
        ("aws s3api get-object help", "help", ("s3api", "get-object")),
    ],
)
def test_it_recognises_builtins_and_help(line, name, args):
    result = parse_command(line)
    assert result == Builtin(name, args, line)


def test_it_gives_parameters_botocore_accepts():
    from botocore.session import get_session
    from botocore.validate import validate_parameters

    invocation = parse_command(
        "aws ec2 describe-instances --instance-ids i-1 "
        '--filters \'[{"Name": "a", "Values": ["b"]}]\' --dry-run'
    )
    model = get_session().get_service_model("ec2").operation_model("DescribeInstances")
    validate_parameters(invocation.parameters, model.input_shape)
