"""Shorthand syntax means what it means in the AWS CLI (the awscli package is the oracle)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.interpreter import CommandError, parse_command, shorthand

from .cli_oracle import cli_parameters

SAME_PARAMETERS_AS_THE_CLI = [
    "aws ec2 describe-instances --filters Name=tag:Env,Values=prod,dev "
    "Name=instance-state-name,Values=running",
    "aws ec2 create-tags --resources i-1 i-2 --tags Key=Name,Value=web Key=Env,Value=prod",
    "aws ec2 create-tags --resources i-1 --tags 'Key=Name,Value=a\\,b' 'Key=Note,Value=\"x, y\"'",
    "aws ec2 create-tags --resources i-1 --tags \"Key=k,Value='it\\'s'\"",
    "aws ec2 describe-instances --filters 'Name = x , Values = a , b'",
    "aws ec2 describe-instances --filters Name=x,Values=[a,b]",
    "aws ec2 describe-instances --filters Name=x,Values=a,b Name=y,Values=[]",
    "aws ec2 describe-instances --filters 'Name=tag:Name,Values=café,日本'",
    "aws ec2 describe-instances --filters Name=a,Values=x Name=a,Values=y",
    "aws ec2 run-instances --image-id ami-1 --block-device-mappings "
    "'DeviceName=/dev/sda1,Ebs={VolumeSize=20,DeleteOnTermination=true,VolumeType=gp3}'",
    "aws ec2 run-instances --image-id ami-1 --block-device-mappings "
    "'DeviceName=/dev/sda1,Ebs={VolumeSize=8}' 'DeviceName=/dev/sdb,NoDevice=\"\"'",
    "aws ec2 modify-instance-attribute --instance-id i-1 --instance-initiated-shutdown-behavior stop",
    "aws ec2 modify-instance-attribute --instance-id i-1 --instance-initiated-shutdown-behavior "
    "Value=terminate",
    "aws elb describe-instance-health --load-balancer-name lb --instances i-1 i-2",
    "aws elb register-instances-with-load-balancer --load-balancer-name lb --instances InstanceId=i-1",
    "aws dynamodb put-item --table-name t --item 'id={S=1},n={N=2},tags={SS=[a,b]},ok={BOOL=true}'",
    "aws dynamodb query --table-name t --key-condition-expression 'id = :v' "
    "--expression-attribute-values ':v={S=abc}'",
    "aws dynamodb create-table --table-name t --attribute-definitions AttributeName=id,AttributeType=S "
    "--key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST",
    "aws dynamodb create-table --table-name t --attribute-definitions AttributeName=id,AttributeType=S "
    "--key-schema AttributeName=id,KeyType=HASH --provisioned-throughput "
    "ReadCapacityUnits=5,WriteCapacityUnits=5",
    "aws dynamodb update-item --table-name t --key id={S=1} --attribute-updates 'n={Value={N=3},Action=PUT}'",
    "aws s3api put-bucket-tagging --bucket b --tagging 'TagSet=[{Key=a,Value=1},{Key=b,Value=2}]'",
    "aws s3api put-bucket-tagging --bucket b --tagging TagSet=[]",
    "aws s3api put-bucket-versioning --bucket b --versioning-configuration Status=Enabled",
    "aws s3api put-public-access-block --bucket b --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=TRUE,RestrictPublicBuckets=maybe",
    "aws lambda update-function-configuration --function-name f --environment 'Variables={A=1,B=two}'",
    "aws lambda create-function --function-name f --role r --code S3Bucket=b,S3Key=k --tags a=1,b=2",
    "aws cloudwatch put-metric-data --namespace n --metric-data MetricName=m,Value=1.5,Unit=Count",
    "aws cloudwatch put-metric-alarm --alarm-name a --metric-name m --namespace n --statistic Sum "
    "--period 60 "
    "--threshold 1 --comparison-operator GreaterThanThreshold --evaluation-periods 1 "
    "--dimensions Name=InstanceId,Value=i-1 Name=x,Value=y",
    "aws ecs create-service --cluster c --service-name s --task-definition t --network-configuration "
    "'awsvpcConfiguration={subnets=[s-1,s-2],securityGroups=[sg-1],assignPublicIp=ENABLED}'",
    "aws ssm send-command --document-name AWS-RunShellScript --targets Key=instanceids,Values=i-1,i-2 "
    "--parameters 'commands=[\"echo a,b\",ls]'",
    "aws iam tag-role --role-name r --tags Key=a,Value= Key=b,Value=c",
    "aws route53 change-resource-record-sets --hosted-zone-id Z --change-batch "
    "'Changes=[{Action=UPSERT,ResourceRecordSet={Name=a.example.com,Type=A,TTL=300,"
    "ResourceRecords=[{Value=1.2.3.4}]}}]'",
    "aws autoscaling create-auto-scaling-group --auto-scaling-group-name g --min-size 1 --max-size 2 "
    "--launch-template LaunchTemplateName=t,Version=1 --tags Key=a,Value=b,PropagateAtLaunch=true",
    "aws sqs set-queue-attributes --queue-url u --attributes VisibilityTimeout=30,DelaySeconds=0",
    "aws ec2 describe-instances --filters Name=x,Values=a/b:c#d.e_f-g",
    "aws ec2 describe-instances --filters 'Name=x,\nValues=a'",
    # odd but valid: the CLI reads these too
    "aws ec2 describe-instances --filters Name=x,,Values=a",
    "aws ec2 describe-instances --filters =x",
    "aws ec2 describe-instances --filters 'Name=x Values=a'",
    "aws ec2 describe-instances --filters 'Name=x,\nValues=a b=c'",
    "aws ec2 describe-instances --filters Name=x,Values=a,=",
    "aws events put-targets --rule r --targets Id=1,Arn=arn:aws:lambda:us-east-1:1:function:f",
    "aws ecs register-task-definition --family f --container-definitions "
    "'name=web,image=nginx,memory=512,portMappings=[{containerPort=80,hostPort=80}],essential=true'",
    "aws ec2 authorize-security-group-ingress --group-id sg-1 --ip-permissions "
    "'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8,Description=\"ssh, office\"}]'",
]


@pytest.mark.parametrize("line", SAME_PARAMETERS_AS_THE_CLI)
def test_it_builds_the_parameters_the_cli_builds(line):
    expected, stderr = cli_parameters(line)
    assert expected is not None, stderr
    assert parse_command(line).parameters == expected


SAME_ERROR_AS_THE_CLI = [
    # (line, where the caret points in the line)
    ("aws ec2 describe-instances --filters Name", 41),
    ("aws ec2 describe-instances --filters Name=x,Values=a,b,Name=y", 55),
    ("aws ec2 describe-instances --filters Name=x,Values=[a", 53),
    ("aws ec2 describe-instances --filters 'Name=x,Values=[a,b'", 56),
    ("aws ec2 describe-instances --filters 'Name=\"x'", 43),
    ('aws ec2 describe-instances --filters "Name=\'x"', 43),
    ("aws ec2 describe-instances --filters 'Name=x,\nValues=[a b=c'", 59),
    ("aws ec2 describe-instances --filters 'Name=x,Values=[a,b],Name=y'", 58),
    ("aws ec2 describe-instances --filters 'Name=x,Values={a=b'", 56),
    ("aws s3api put-bucket-tagging --bucket b --tagging 'TagSet=[{Key=a,Value=1}{Key=b}]'", 74),
    ("aws dynamodb put-item --table-name t --item 'id={S=1}}'", 53),
    ("aws ec2 create-tags --resources i --tags Key=a,Value=b,Key=c", 55),
]


@pytest.mark.parametrize("line, position", SAME_ERROR_AS_THE_CLI)
def test_it_explains_bad_shorthand_as_the_cli_does(line, position):
    expected, stderr = cli_parameters(line)
    assert expected is None
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert caught.value.message == stderr
    assert caught.value.exit_code == 252  # AWS CLI v2: a parameter value prevented the command
    assert caught.value.position == position
    assert "^" in caught.value.message


@pytest.mark.parametrize(
    "line, fragment, exit_code",
    [
        (
            "aws ec2 run-instances --image-id a --block-device-mappings DeviceName=x,Ebs={VolumeSize=big}",
            "invalid literal for int() with base 10: 'big'",
            255,
        ),
        (
            "aws ec2 create-tags --resources i --tags Key@=file:///etc/passwd,Value=x",
            "file:// and fileb:// values are read from your workspace, and this command has none",
            252,
        ),
        (
            "aws ec2 create-tags --resources i --tags 'Key@=fileb:///etc/shadow,Value=x'",
            "file:// and fileb:// values are read from your workspace, and this command has none",
            252,
        ),
    ],
)
def test_it_refuses_values_the_console_cannot_use(line, fragment, exit_code):
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert fragment in caught.value.message
    assert caught.value.exit_code == exit_code


def test_it_takes_shorthand_looking_text_literally_for_a_string_parameter():
    line = "aws iam create-policy --policy-name p --policy-document x@=file:///etc/passwd"
    assert parse_command(line).parameters["PolicyDocument"] == "x@=file:///etc/passwd"


def test_it_refuses_shorthand_for_document_types():
    line = (
        "aws bedrock-agent-runtime retrieve --knowledge-base-id k --retrieval-query text=q "
        "--retrieval-configuration 'vectorSearchConfiguration={filter={equals={key=a,value=b}}}'"
    )
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert "Shorthand syntax does not support document types" in caught.value.message


def test_it_does_not_echo_a_character_of_a_secret():
    line = (
        "aws cognito-idp admin-initiate-auth --user-pool-id p --client-id c --auth-flow A --auth-parameters S"
    )
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert (
        caught.value.message
        == "\nError parsing parameter '--auth-parameters': Expected: '=' for input:\n****\n"
    )
    assert caught.value.position == len(line)


def test_it_masks_a_secret_in_a_shorthand_error():
    line = (
        "aws cognito-idp admin-initiate-auth --user-pool-id p --client-id c --auth-flow "
        "ADMIN_NO_SRP_AUTH --auth-parameters 'USERNAME=u,PASSWORD=hunter2,USERNAME=hunter3'"
    )
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert "hunter" not in caught.value.message
    assert "Second instance of key" in caught.value.message
    assert caught.value.position == line.index("USERNAME=hunter3")


# -- properties ---------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("ab=,{}[]'\"\\ \n@:/._-#") + ["é", "\u00a0", "\U0001f600", "\x00"])


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=60))
def test_it_never_crashes_or_hangs_on_any_shorthand(value):
    try:
        parsed = shorthand.parse(value)
    except shorthand.ShorthandError as error:
        assert error.index is None or 0 <= error.index <= len(value)
        assert "for input:" in error.message
    else:
        assert isinstance(parsed, dict)


@settings(max_examples=150, deadline=None)
@given(st.text(_ALPHABET, max_size=40))
def test_it_parses_shorthand_exactly_as_the_cli(value):
    from awscli import shorthand as cli_shorthand

    try:
        expected: object = cli_shorthand.ShorthandParser().parse(value)
    except cli_shorthand.ShorthandParseError as error:
        expected = ("error", str(error))
    except Exception as error:  # the CLI's file:// loader, reading the server's files
        expected = ("file", type(error).__name__)
    try:
        actual: object = shorthand.parse(value)  # no loader: file values stay as typed
    except shorthand.ShorthandError as error:
        actual = ("error", error.message)
    if isinstance(expected, tuple) and expected[0] == "file":
        return  # the CLI tried to read a file here; the console reads the user's workspace
    assert actual == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=5000))
def test_it_survives_deep_nesting(depth):
    line = "aws s3api put-bucket-tagging --bucket b --tagging 'TagSet=" + "[" * depth + "'"
    with pytest.raises(CommandError):
        parse_command(line)
