"""The resources the compatibility cases read: created once per session with botocore as
the sandbox's ConsoleAdmin role, over HTTP, so the console and the oracle see one AWS.

Design decision: every case in the table is read-only (or is refused before anything
changes), so the oracle's answers can be computed in parallel and cached, and the
console's answer for the same command line is taken while the world is unchanged. The
shapes are chosen for the formatters: unicode names and tags, maps, nested lists of
structures, numbers and booleans, more items than one page, and services left empty.
All secret-looking values are obviously fake.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session

from tests.compat.world_wide import BUILDERS as LONG_TAIL

REGION = "us-east-1"
BUCKET = "compat-alpha"
EMPTY_BUCKET = "compat-empty"
LOG_OBJECTS = 23  # more than one page with --page-size 10
IAM_USERS = 12
SSM_PARAMETERS = 14
TOPICS = 7
QUEUES = 6
FAKE_SECRET = '{"username": "compat", "password": "not-a-real-password-123"}'


def admin_session(url: str, seed: Any) -> Any:
    """A botocore session holding ConsoleAdmin credentials assumed with the demo keys."""
    base = botocore.session.Session()
    sts = base.create_client(
        "sts",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id=seed.access_key_id,
        aws_secret_access_key=seed.secret_access_key,
    )
    creds = sts.assume_role(RoleArn=seed.admin_role_arn, RoleSessionName="compat-seed")["Credentials"]
    session = botocore.session.Session()
    session.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    return session


def build_world(url: str, seed: Any) -> dict[str, Any]:
    session = admin_session(url, seed)

    def client(service: str) -> Any:
        return session.create_client(service, region_name=REGION, endpoint_url=url)

    facts: dict[str, Any] = {}
    for build in (
        _s3,
        _iam,
        _sqs,
        _sns,
        _dynamodb,
        _ec2,
        _kms,
        _secrets,
        _ssm,
        _logs,
        _route53,
        _ecr,
        _ecs,
        _events,
        _kinesis,
        _cloudwatch,
        _apigateway,
        _stepfunctions,
        _cognito,
        _ses,
        *LONG_TAIL,
    ):
        facts.update(build(client) or {})
    return facts


def _s3(client: Any) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=EMPTY_BUCKET)
    s3.create_bucket(Bucket="compat-beta")
    for key, body in [
        ("docs/résumé.txt", "café"),
        ("ünïcödé/日本語.txt", "こんにちは"),
        ("empty.txt", ""),
        ("data/report.json", '{"ok": true}'),
    ]:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode(), ContentType="text/plain")
    for n in range(LOG_OBJECTS):
        s3.put_object(Bucket=BUCKET, Key=f"logs/{n:03d}.log", Body=b"x" * n)
    s3.put_bucket_tagging(
        Bucket=BUCKET,
        Tagging={
            "TagSet": [
                {"Key": "Team", "Value": "Plateforme"},
                {"Key": "Owner", "Value": "Zoë Ångström"},
                {"Key": "CostCenter", "Value": "4242"},
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="compat-beta", VersioningConfiguration={"Status": "Enabled"})


def _iam(client: Any) -> None:
    iam = client("iam")
    for n in range(1, IAM_USERS + 1):
        tags = [{"Key": "Team", "Value": "Données" if n % 2 else "Ops"}]
        iam.create_user(UserName=f"compat-user-{n:02d}", Path="/compat/", Tags=tags)
    iam.create_group(GroupName="compat-devs", Path="/compat/")
    for n in (1, 2, 3):
        iam.add_user_to_group(GroupName="compat-devs", UserName=f"compat-user-{n:02d}")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
    }
    policy = iam.create_policy(
        PolicyName="compat-read",
        Path="/compat/",
        PolicyDocument=json.dumps(document),
        Description="Lecture seule — compat",
    )
    iam.attach_group_policy(GroupName="compat-devs", PolicyArn=policy["Policy"]["Arn"])
    iam.put_user_policy(
        UserName="compat-user-01", PolicyName="inline-read", PolicyDocument=json.dumps(document)
    )


def _sqs(client: Any) -> None:
    sqs = client("sqs")
    for n in range(1, QUEUES + 1):
        sqs.create_queue(QueueName=f"compat-queue-{n}", tags={"Env": "test", "Nom": "file d'attente"})
    sqs.create_queue(
        QueueName="compat-orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )


def _sns(client: Any) -> None:
    sns = client("sns")
    for n in range(1, TOPICS + 1):
        sns.create_topic(Name=f"compat-topic-{n}", Tags=[{"Key": "Index", "Value": str(n)}])
    sns.set_topic_attributes(
        TopicArn=f"arn:aws:sns:{REGION}:123456789012:compat-topic-1",
        AttributeName="DisplayName",
        AttributeValue="Alertes 🚨",
    )


def _dynamodb(client: Any) -> None:
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="compat-music",
        KeySchema=[
            {"AttributeName": "Artist", "KeyType": "HASH"},
            {"AttributeName": "Song", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "Artist", "AttributeType": "S"},
            {"AttributeName": "Song", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "Genre", "Value": "Musique"}],
    )
    ddb.create_table(
        TableName="compat-empty",
        KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    items = [
        {
            "Artist": {"S": "Björk"},
            "Song": {"S": "Jóga"},
            "Year": {"N": "1997"},
            "Tags": {"SS": ["électro", "art-pop"]},
            "Live": {"BOOL": True},
        },
        {
            "Artist": {"S": "Björk"},
            "Song": {"S": "Hyperballad"},
            "Year": {"N": "1996"},
            "Credits": {"M": {"Producer": {"S": "Nellee Hooper"}, "Takes": {"L": [{"N": "1"}, {"N": "2"}]}}},
        },
        {
            "Artist": {"S": "坂本龍一"},
            "Song": {"S": "Merry Christmas Mr. Lawrence"},
            "Year": {"N": "1983"},
            "Rating": {"N": "4.5"},
            "Notes": {"NULL": True},
        },
        {
            "Artist": {"S": "Daft Punk"},
            "Song": {"S": "One More Time"},
            "Year": {"N": "2000"},
            "Blob": {"B": b"\x00\x01binary\xff"},
        },
    ]
    for item in items:
        ddb.put_item(TableName="compat-music", Item=item)


def _ec2(client: Any) -> dict[str, Any]:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.42.0.0/16",
        TagSpecifications=[
            {
                "ResourceType": "vpc",
                "Tags": [{"Key": "Name", "Value": "compat-vpc-ünï"}, {"Key": "Env", "Value": "test"}],
            }
        ],
    )["Vpc"]["VpcId"]
    subnets = []
    for n, zone in enumerate(["us-east-1a", "us-east-1b"]):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{n}.0/24", AvailabilityZone=zone)
        subnets.append(subnet["Subnet"]["SubnetId"])
        ec2.create_tags(Resources=[subnets[-1]], Tags=[{"Key": "Name", "Value": f"compat-subnet-{n}"}])
    group = ec2.create_security_group(GroupName="compat-web", Description="Web tier — compat", VpcId=vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS from anywhere"}],
            },
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ],
    )
    ec2.create_key_pair(KeyName="compat-key")
    return {"vpc_id": vpc, "subnet_ids": subnets, "sg_id": group["GroupId"]}


def _kms(client: Any) -> dict[str, Any]:
    kms = client("kms")
    key = kms.create_key(Description="Clé de test compat", Tags=[{"TagKey": "Env", "TagValue": "test"}])
    kms.create_alias(AliasName="alias/compat", TargetKeyId=key["KeyMetadata"]["KeyId"])
    return {"kms_key_id": key["KeyMetadata"]["KeyId"]}


def _secrets(client: Any) -> None:
    sm = client("secretsmanager")
    sm.create_secret(
        Name="compat/db",
        SecretString=FAKE_SECRET,
        Description="Fake credentials for tests",
        Tags=[{"Key": "Env", "Value": "test"}],
    )
    sm.create_secret(Name="compat/api-key", SecretString="fake-api-key-0000")


def _ssm(client: Any) -> None:
    ssm = client("ssm")
    for n in range(1, SSM_PARAMETERS + 1):
        ssm.put_parameter(Name=f"/compat/app/param-{n:02d}", Value=f"valeur-{n} ✓", Type="String")
    ssm.put_parameter(Name="/compat/list", Value="a,b,c", Type="StringList", Description="A list")


def _logs(client: Any) -> None:
    logs = client("logs")
    for name in ("/compat/app", "/compat/worker", "/compat/ünïcode"):
        logs.create_log_group(logGroupName=name, tags={"Env": "test"})
    logs.create_log_stream(logGroupName="/compat/app", logStreamName="stream-1")
    logs.put_log_events(
        logGroupName="/compat/app",
        logStreamName="stream-1",
        logEvents=[
            {"timestamp": 1767225600000 + n * 1000, "message": message}
            for n, message in enumerate(["started", "requête reçue ✓", "ERROR something failed", "stopped"])
        ],
    )


def _route53(client: Any) -> dict[str, Any]:
    r53 = client("route53")
    zone = r53.create_hosted_zone(
        Name="compat.example.com",
        CallerReference="compat-1",
        HostedZoneConfig={"Comment": "Zone de test", "PrivateZone": False},
    )
    r53.change_resource_record_sets(
        HostedZoneId=zone["HostedZone"]["Id"],
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "www.compat.example.com",
                        "Type": "A",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": "192.0.2.10"}, {"Value": "192.0.2.11"}],
                    },
                }
            ]
        },
    )
    return {"zone_id": zone["HostedZone"]["Id"].split("/")[-1]}


def _ecr(client: Any) -> None:
    ecr = client("ecr")
    ecr.create_repository(repositoryName="compat/app", tags=[{"Key": "Env", "Value": "test"}])
    ecr.create_repository(repositoryName="compat/worker")


def _ecs(client: Any) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName="compat-cluster", tags=[{"key": "Env", "value": "test"}])
    ecs.register_task_definition(
        family="compat-task",
        containerDefinitions=[
            {
                "name": "web",
                "image": "nginx:latest",
                "memory": 256,
                "portMappings": [{"containerPort": 80}],
                "environment": [{"name": "GREETING", "value": "héllo"}],
            }
        ],
    )


def _events(client: Any) -> None:
    events = client("events")
    events.put_rule(
        Name="compat-nightly", ScheduleExpression="cron(0 2 * * ? *)", Description="Tous les soirs"
    )
    events.put_rule(
        Name="compat-on-upload", EventPattern=json.dumps({"source": ["aws.s3"]}), State="DISABLED"
    )


def _kinesis(client: Any) -> None:
    client("kinesis").create_stream(StreamName="compat-stream", ShardCount=2)


def _cloudwatch(client: Any) -> None:
    cw = client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="compat-cpu-high",
        MetricName="CPUUtilization",
        Namespace="AWS/EC2",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=2,
        Threshold=80.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmDescription="CPU > 80 % 🔥",
        Dimensions=[{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
    )
    cw.put_metric_data(
        Namespace="Compat/App",
        MetricData=[
            {
                "MetricName": "Requests",
                "Value": 42.0,
                "Unit": "Count",
                "Dimensions": [{"Name": "Service", "Value": "api"}],
            }
        ],
    )


def _apigateway(client: Any) -> None:
    client("apigateway").create_rest_api(name="compat-api", description="API de test", tags={"Env": "test"})


def _stepfunctions(client: Any) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    client("stepfunctions").create_state_machine(
        name="compat-machine",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/ConsoleAdmin",
    )


def _cognito(client: Any) -> None:
    client("cognito-idp").create_user_pool(PoolName="compat-pool")


def _ses(client: Any) -> None:
    ses = client("ses")
    ses.verify_email_identity(EmailAddress="compat@example.com")
    ses.verify_domain_identity(Domain="compat.example.com")
