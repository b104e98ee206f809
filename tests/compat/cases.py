"""The compatibility table: command lines a user types, each compared with the oracle.

One row is one command line exactly as typed in the terminal (the console's profiles
carry the sandbox endpoint; the oracle gets `--endpoint-url` added). `$name` fields are
filled from what the world seeded (ids AWS generates; `{}` belongs to JMESPath).
`each(line, formats)` writes a line once per output format. Every line is read-only or refused before it changes
anything, so the table can run in any order, in parallel, at any time in the session.
"""

# ruff: noqa: E501 - a command line reads and greps best whole, one to a line, as typed.
from __future__ import annotations

import shlex
from dataclasses import dataclass
from string import Template
from typing import Any

ALL = ("json", "text", "table", "yaml", "yaml-stream")
EXACT = ("json", "text", "table")


@dataclass(frozen=True)
class Case:
    line: str

    @property
    def id(self) -> str:
        return self.line.removeprefix("aws ")

    def resolve(self, world: dict[str, Any]) -> str:
        return Template(self.line).substitute(world)

    @property
    def service(self) -> str:
        return shlex.split(self.line)[1]

    @property
    def output(self) -> str:
        words = shlex.split(self.line)
        return words[words.index("--output") + 1] if "--output" in words else "json"


def each(line: str, formats: tuple[str, ...] = ALL) -> list[str]:
    return [line if fmt == "json" else f"{line} --output {fmt}" for fmt in formats]


LINES: list[str] = [
    # --- sts: a flat structure
    *each("aws sts get-caller-identity"),
    "aws sts get-caller-identity --query Account --output text",
    # --- s3api: nested lists, unicode keys, pagination, empty results, maps
    *each("aws s3api list-buckets"),
    "aws s3api list-buckets --query 'Buckets[].Name'",
    "aws s3api list-buckets --query 'Buckets[].Name' --output text",
    "aws s3api list-buckets --query 'Buckets[?starts_with(Name, `compat`)].Name' --output table",
    "aws s3api list-buckets --profile admin --query 'Buckets[].Name' --output text",
    *each("aws s3api list-objects-v2 --bucket compat-alpha --prefix docs/"),
    *each("aws s3api list-objects-v2 --bucket compat-empty"),
    *each("aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --max-items 5", EXACT),
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --page-size 10 --query 'Contents[].Key'",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --page-size 10 --output text",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --page-size 10 --output yaml-stream",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --page-size 10 --query 'Contents[].[Key,Size]' --output text",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --max-items 3 --query 'Contents[].Key' --output text",
    "aws s3api list-objects-v2 --bucket compat-alpha --query 'Contents[?Size > `20`].[Key, Size]' --output table",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix ü --query 'Contents[].Key' --output text",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix ü --output table",
    "aws s3api list-objects-v2 --bucket compat-alpha --prefix logs/ --no-paginate --max-keys 4 --query 'Contents[].Key'",
    "aws s3api list-objects-v2 --bucket compat-alpha --delimiter / --query CommonPrefixes --output text",
    *each("aws s3api get-bucket-tagging --bucket compat-alpha"),
    *each("aws s3api get-bucket-versioning --bucket compat-beta", ("json", "text", "table")),
    "aws s3api get-bucket-versioning --bucket compat-alpha",
    "aws s3api head-object --bucket compat-alpha --key docs/résumé.txt --query '[ContentLength, ContentType]'",
    "aws s3api head-object --bucket compat-alpha --key data/report.json --query ContentLength --output text",
    "aws s3api get-bucket-location --bucket compat-alpha --output text",
    "aws s3api list-objects-v2 --bucket no-such-bucket-compat",
    "aws s3api head-bucket --bucket no-such-bucket-compat",
    "aws s3api create-bucket --bucket compat-refused",
    "aws s3api list-objects-v2",
    # --- s3: the high-level commands
    "aws s3 ls",
    "aws s3 ls s3://compat-alpha",
    "aws s3 ls s3://compat-alpha/docs/",
    "aws s3 ls s3://compat-alpha --recursive",
    "aws s3 ls s3://compat-empty",
    "aws s3 ls s3://compat-alpha --recursive --human-readable --summarize",
    "aws s3 ls s3://compat-alpha/logs/ --page-size 7 --summarize",
    "aws s3 ls s3://compat-alpha/ü",
    "aws s3 ls s3://compat-alpha/nothing-here",
    "aws s3 ls s3://compat-empty --recursive --summarize",
    "aws s3 ls s3://no-such-bucket-compat",
    "aws s3 ls s3://compat-alpha --bogus",
    "aws s3 ls s3://compat-alpha --page-size many",
    "aws s3 rm s3://compat-alpha/logs/ --recursive --dryrun --exclude '*' --include '*5.log'",
    "aws s3 rm s3://compat-alpha/docs/résumé.txt --dryrun",
    "aws s3 cp s3://compat-alpha/docs/ s3://compat-empty/backup/ --recursive --dryrun",
    "aws s3 cp s3://compat-alpha/empty.txt s3://compat-empty/ --dryrun",
    "aws s3 cp s3://compat-alpha/missing.txt s3://compat-empty/ --dryrun",
    "aws s3 mv s3://compat-alpha/data/report.json s3://compat-alpha/data/",
    "aws s3 mb compat-refused",
    "aws s3 rb s3://compat-alpha/logs",
    # --- iam: paths, unicode tags, pagination (text prints each page), attached policies
    *each("aws iam list-users --path-prefix /compat/"),
    "aws iam list-users --path-prefix /compat/ --max-items 5",
    "aws iam list-users --path-prefix /compat/ --max-items 5 --output text",
    "aws iam list-users --path-prefix /compat/ --max-items 5 --output table",
    "aws iam list-users --path-prefix /compat/ --page-size 4 --output text",
    "aws iam list-users --path-prefix /compat/ --page-size 4 --query 'Users[].UserName'",
    "aws iam list-users --path-prefix /compat/ --query 'Users[].[UserName, Path]' --output text",
    "aws iam list-users --path-prefix /compat/ --query 'Users[].{Name: UserName, Id: UserId}' --output table",
    "aws iam list-users --path-prefix /compat/ --query 'length(Users)'",
    *each("aws iam get-user --user-name compat-user-01"),
    *each("aws iam list-user-tags --user-name compat-user-01", ("json", "text", "table")),
    *each("aws iam get-group --group-name compat-devs"),
    *each("aws iam list-policies --scope Local --path-prefix /compat/", ("json", "text", "table", "yaml")),
    "aws iam list-attached-group-policies --group-name compat-devs --output table",
    "aws iam list-user-policies --user-name compat-user-01 --output text",
    "aws iam list-groups-for-user --user-name compat-user-02 --query 'Groups[].GroupName' --output text",
    "aws iam list-roles --query 'Roles[].RoleName' --output text",
    "aws iam list-roles --query 'Roles[?RoleName==`ConsoleAdmin`].MaxSessionDuration'",
    "aws iam get-user --user-name nobody-compat",
    "aws iam get-user --user-name ''",
    # --- sqs: maps of attributes, fifo, pagination token
    *each("aws sqs list-queues --queue-name-prefix compat-"),
    "aws sqs list-queues --queue-name-prefix compat- --max-items 2",
    "aws sqs list-queues --queue-name-prefix compat- --max-items 2 --output text",
    "aws sqs list-queues --queue-name-prefix nothing-here",
    "aws sqs list-queues --queue-name-prefix nothing-here --output text",
    *each("aws sqs get-queue-url --queue-name compat-queue-1", ("json", "text", "table")),
    "aws sqs list-queues --max-results abc",
    "aws sqs get-queue-url --queue-name no-such-queue",
    # --- sns
    *each("aws sns list-topics"),
    "aws sns list-topics --query 'Topics[].TopicArn' --output text",
    "aws sns list-topics --max-items 3 --output table",
    *each(
        "aws sns list-tags-for-resource --resource-arn arn:aws:sns:us-east-1:123456789012:compat-topic-2",
        ("json", "text", "table"),
    ),
    "aws sns list-subscriptions",
    "aws sns list-subscriptions --output table",
    # --- dynamodb: typed attribute values, nested maps and lists, binary, numbers as strings
    *each("aws dynamodb list-tables"),
    *each("aws dynamodb scan --table-name compat-music"),
    "aws dynamodb scan --table-name compat-music --page-size 1 --output text",
    "aws dynamodb scan --table-name compat-music --max-items 2",
    "aws dynamodb scan --table-name compat-music --page-size 3 --output yaml-stream",
    "aws dynamodb scan --table-name compat-music --query 'Items[].Artist.S' --output text",
    "aws dynamodb scan --table-name compat-empty",
    "aws dynamodb scan --table-name compat-empty --output table",
    "aws dynamodb scan --table-name compat-empty --output text",
    *each(
        "aws dynamodb query --table-name compat-music --key-condition-expression 'Artist = :a' "
        '--expression-attribute-values \'{":a": {"S": "Björk"}}\'',
        ("json", "text", "table"),
    ),
    'aws dynamodb get-item --table-name compat-music --key \'{"Artist": {"S": "Björk"}, "Song": {"S": "Jóga"}}\'',
    "aws dynamodb get-item --table-name compat-music --key 'Artist={S=Daft Punk},Song={S=One More Time}' --output text",
    "aws dynamodb describe-table --table-name compat-empty --query 'Table.[TableName, KeySchema]' --output table",
    "aws dynamodb describe-table --table-name compat-empty --query 'Table.ProvisionedThroughput' --output text",
    "aws dynamodb describe-table --table-name no-such-table",
    # --- ec2: filters in shorthand and JSON, deeply nested rules, tags
    *each("aws ec2 describe-vpcs --filters Name=tag:Env,Values=test"),
    'aws ec2 describe-vpcs --filters \'[{"Name": "tag:Env", "Values": ["test"]}]\' --query \'Vpcs[].CidrBlock\'',
    "aws ec2 describe-vpcs --query 'Vpcs[].[VpcId, CidrBlock, IsDefault]' --output text",
    "aws ec2 describe-vpcs --filters Name=tag:Env,Values=test --query 'Vpcs[].Tags' --output table",
    *each("aws ec2 describe-subnets --filters Name=vpc-id,Values=$vpc_id", ("json", "text", "table")),
    "aws ec2 describe-subnets --filters Name=vpc-id,Values=$vpc_id --query 'Subnets[].{AZ: AvailabilityZone, Cidr: CidrBlock}' --output table",
    *each("aws ec2 describe-security-groups --group-ids $sg_id"),
    "aws ec2 describe-security-groups --group-ids $sg_id --query 'SecurityGroups[].IpPermissions[].[FromPort, ToPort]' --output text",
    *each("aws ec2 describe-key-pairs --key-names compat-key", ("json", "text", "table")),
    "aws ec2 describe-instances",
    "aws ec2 describe-instances --output text",
    "aws ec2 describe-instances --output table",
    "aws ec2 describe-regions --query 'Regions[?RegionName==`eu-west-3`]' --output table",
    "aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneName' --output text",
    "aws ec2 describe-vpcs --max-results 2",
    "aws ec2 describe-vpcs --filters Name=tag:Env,Values=test --query 'Vpcs[0].Tags[?Key==`Name`].Value | [0]' --output text",
    # --- kms
    *each("aws kms describe-key --key-id alias/compat", ("json", "text", "table", "yaml")),
    "aws kms list-aliases --query 'Aliases[?AliasName==`alias/compat`].AliasName' --output text",
    "aws kms list-resource-tags --key-id $kms_key_id --output table",
    "aws kms describe-key --key-id alias/nope-compat",
    # --- secretsmanager (fake values only)
    *each("aws secretsmanager list-secrets", ("json", "text", "table", "yaml")),
    "aws secretsmanager describe-secret --secret-id compat/db --query '[Name, Description]' --output text",
    *each(
        "aws secretsmanager get-secret-value --secret-id compat/api-key --query SecretString",
        ("json", "text"),
    ),
    "aws secretsmanager get-secret-value --secret-id compat/nope",
    # --- ssm: pagination over many parameters, unicode values
    *each("aws ssm get-parameters-by-path --path /compat/app"),
    "aws ssm get-parameters-by-path --path /compat/app --page-size 5 --query 'Parameters[].Name' --output yaml-stream",
    "aws ssm get-parameters-by-path --path /compat/app --max-items 3",
    "aws ssm get-parameters-by-path --path /compat/app --max-items 3 --output text",
    "aws ssm get-parameters-by-path --path /compat/app --page-size 5 --query 'Parameters[].Value' --output text",
    "aws ssm describe-parameters --query 'Parameters[].Name' --output text",
    "aws ssm get-parameter --name /compat/list --output table",
    "aws ssm get-parameters --names /compat/app/param-01 /compat/missing --query InvalidParameters",
    "aws ssm get-parameter --name /compat/nope",
    # --- logs
    *each("aws logs describe-log-groups --log-group-name-prefix /compat/"),
    "aws logs describe-log-groups --log-group-name-prefix /compat/ --max-items 1",
    "aws logs describe-log-groups --log-group-name-prefix /compat/ --max-items 1 --output text",
    "aws logs describe-log-streams --log-group-name /compat/app --query 'logStreams[].logStreamName' --output text",
    *each(
        "aws logs get-log-events --log-group-name /compat/app --log-stream-name stream-1 --start-from-head "
        "--query 'events[].[timestamp, message]'",
        ("json", "text", "table"),
    ),
    "aws logs filter-log-events --log-group-name /compat/app --filter-pattern ERROR --query 'events[].message'",
    "aws logs describe-log-groups --log-group-name-prefix /nothing-here",
    # --- route53
    *each("aws route53 list-hosted-zones", ("json", "text", "table", "yaml")),
    *each("aws route53 list-resource-record-sets --hosted-zone-id $zone_id", ("json", "text", "table")),
    "aws route53 list-resource-record-sets --hosted-zone-id $zone_id --query 'ResourceRecordSets[?Type==`A`].ResourceRecords[].Value' --output text",
    # --- ecr
    *each("aws ecr describe-repositories", ("json", "text", "table", "yaml")),
    "aws ecr describe-repositories --query 'repositories[].repositoryName' --output text",
    "aws ecr describe-images --repository-name compat/app",
    # --- ecs: task definitions are deeply nested
    *each("aws ecs list-clusters", ("json", "text", "table")),
    "aws ecs describe-clusters --clusters compat-cluster --query 'clusters[].[clusterName, status]' --output table",
    *each(
        "aws ecs describe-task-definition --task-definition compat-task --query 'taskDefinition.containerDefinitions'",
        ("json", "text", "table"),
    ),
    "aws ecs list-task-definitions --output text",
    # --- events
    *each("aws events list-rules --name-prefix compat-"),
    "aws events list-rules --name-prefix compat- --query 'Rules[].[Name, State]' --output text",
    "aws events describe-rule --name compat-on-upload --query EventPattern --output text",
    # --- kinesis
    *each("aws kinesis list-streams", ("json", "text", "table")),
    *each(
        "aws kinesis describe-stream-summary --stream-name compat-stream "
        "--query 'StreamDescriptionSummary.[StreamName, OpenShardCount]'",
        ("json", "text", "table"),
    ),
    # --- cloudwatch: floats, dimensions
    *each(
        "aws cloudwatch describe-alarms --alarm-names compat-cpu-high "
        "--query 'MetricAlarms[].[AlarmName, Threshold, Dimensions]'",
        ("json", "text", "table"),
    ),
    *each("aws cloudwatch list-metrics --namespace Compat/App", ("json", "text", "table", "yaml-stream")),
    # --- apigateway
    *each("aws apigateway get-rest-apis --query 'items[].[name, description]'", ("json", "text", "table")),
    # --- stepfunctions
    *each(
        "aws stepfunctions list-state-machines --query 'stateMachines[].[name, type]'",
        ("json", "text", "table", "yaml-stream"),
    ),
    # --- cognito-idp
    "aws cognito-idp list-user-pools --max-results 10 --query 'UserPools[].Name' --output text",
    # --- ses
    *each("aws ses list-identities", ("json", "text", "table", "yaml")),
    # --- services left empty
    *each("aws lambda list-functions", ("json", "text", "table", "yaml", "yaml-stream")),
    *each("aws rds describe-db-instances", ("json", "text", "table")),
    *each("aws cloudformation list-stacks", ("json", "text", "table", "yaml-stream")),
    *each("aws autoscaling describe-auto-scaling-groups", ("json", "text", "table")),
    *each("aws elbv2 describe-load-balancers", ("json", "text", "table")),
    "aws lambda get-function --function-name nope",
    # --- organizations: an error a user meets on a fresh account
    "aws organizations describe-organization",
    # --- the long tail (issue 15, world_wide.py): list and describe in json, text and table,
    # a query with functions, pagination tokens, a service error and a client-side one
    *each("aws ec2 describe-instance-types --instance-types t3.nano", EXACT),
    "aws ec2 describe-instance-types --instance-types t3.nano t3.micro --query 'InstanceTypes[].NetworkInfo.NetworkCards[]' --output text",
    "aws ec2 describe-instance-types --instance-types t3.nano --query 'InstanceTypes[].[InstanceType, join(`/`, SupportedUsageClasses)]' --output table",
    *each("aws glue get-databases", EXACT),
    *each("aws glue get-tables --database-name compat_db", EXACT),
    "aws glue get-tables --database-name compat_db --query 'TableList[].StorageDescriptor.Columns[].Name' --output text",
    "aws glue get-database --name nope_db",
    # moto stamps a work group's CreationTime anew on every read: the two sides never agree
    *each(
        "aws athena list-work-groups --query 'WorkGroups[].{Name: Name, State: State, Description: Description}'",
        EXACT,
    ),
    *each(
        "aws athena get-work-group --work-group compat-wg --query 'WorkGroup.[Name, State, Description, Configuration]'",
        EXACT,
    ),
    "aws athena list-data-catalogs --query 'sort_by(DataCatalogsSummary, &CatalogName)[].CatalogName' --output text",
    "aws athena get-work-group --work-group nope-wg",
    *each("aws redshift describe-clusters", EXACT),
    "aws redshift describe-clusters --query 'Clusters[].{id: ClusterIdentifier, nodes: NumberOfNodes, tags: join(`,`, Tags[].Key)}' --output table",
    "aws redshift describe-clusters --cluster-identifier nope",
    *each("aws elasticache describe-cache-clusters --show-cache-node-info", EXACT),
    "aws elasticache describe-cache-clusters --query 'CacheClusters[].[CacheClusterId, Engine, NumCacheNodes]' --output text",
    "aws elasticache describe-cache-clusters --cache-cluster-id nope",
    *each("aws acm list-certificates", EXACT),
    *each("aws acm describe-certificate --certificate-arn $cert_arn", EXACT),
    "aws acm describe-certificate --certificate-arn $cert_arn --query 'Certificate.SubjectAlternativeNames | sort(@) | join(`, `, @)' --output text",
    "aws acm describe-certificate --certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "aws acm describe-certificate",
    # Not the whole file system: moto stamps SizeInBytes.Timestamp at each read.
    *each(
        "aws efs describe-file-systems --query 'FileSystems[].{Id: FileSystemId, Name: Name, "
        "Created: CreationTime, State: LifeCycleState, Size: SizeInBytes.{Value: Value, IA: ValueInIA, "
        "Standard: ValueInStandard}, Mode: PerformanceMode, Encrypted: Encrypted, Tags: Tags}'",
        EXACT,
    ),
    "aws efs describe-file-systems --file-system-id $fs_id --query 'FileSystems[0].Tags[?Key==`Name`].Value | [0]' --output text",
    "aws efs describe-file-systems --file-system-id fs-00000000",
    *each("aws sesv2 list-email-identities", EXACT),
    *each("aws sesv2 get-contact-list --contact-list-name compat-list", EXACT),
    "aws sesv2 list-contact-lists --output table",
    "aws sesv2 get-contact-list --contact-list-name nope",
    *each("aws firehose list-delivery-streams", EXACT),
    *each("aws firehose describe-delivery-stream --delivery-stream-name compat-firehose", EXACT),
    "aws firehose describe-delivery-stream --delivery-stream-name nope",
    *each("aws cognito-identity list-identity-pools --max-results 10", EXACT),
    *each("aws cognito-identity describe-identity-pool --identity-pool-id $identity_pool_id", EXACT),
    "aws cognito-identity list-identity-pools",
    "aws cognito-identity list-identity-pools --max-results ten",
    *each("aws iot list-things", EXACT),
    *each("aws iot describe-thing --thing-name compat-thing-1", EXACT),
    *each("aws iot list-thing-types", EXACT),
    "aws iot list-things --max-items 2",
    "aws iot list-things --max-items 2 --output text",
    "aws iot list-things --starting-token $iot_token --query 'things[].thingName' --output text",
    "aws iot list-things --query 'max_by(things, &to_number(attributes.\"étage\")).thingName'",
    "aws iot describe-thing --thing-name nope",
    *each("aws elb describe-load-balancers", EXACT),
    *each("aws elb describe-tags --load-balancer-names compat-classic", EXACT),
    "aws elb describe-load-balancers --query 'LoadBalancerDescriptions[].ListenerDescriptions[].[Listener.LoadBalancerPort, PolicyNames]' --output text",
    "aws elb describe-load-balancers --load-balancer-names nope",
    *each("aws cloudtrail describe-trails", EXACT),
    *each("aws cloudtrail list-trails", EXACT),
    "aws cloudtrail get-trail --name nope",
    # no list-repositories: moto answers it with a 500 (see docs/compat.md)
    *each("aws codecommit get-repository --repository-name compat-repo", EXACT),
    "aws codecommit get-repository --repository-name nope",
    *each("aws backup list-backup-vaults", EXACT),
    *each("aws backup list-backup-plans", EXACT),
    "aws backup describe-backup-vault --backup-vault-name nope",
    *each("aws opensearch list-domain-names", EXACT),
    *each("aws opensearch describe-domain --domain-name compat-search", EXACT),
    "aws opensearch describe-domain --domain-name nope",
    *each("aws apigatewayv2 get-apis", EXACT),
    "aws apigatewayv2 get-apis --query 'Items[].CorsConfiguration.AllowMethods[]' --output text",
    "aws apigatewayv2 get-api --api-id nope",
    *each("aws servicediscovery list-namespaces", EXACT),
    *each("aws ram get-resource-shares --resource-owner SELF", EXACT),
    "aws ram get-resource-shares",
    *each("aws application-autoscaling describe-scalable-targets --service-namespace dynamodb", EXACT),
    *each("aws swf list-domains --registration-status REGISTERED", EXACT),
    "aws swf describe-domain --name nope",
    *each("aws guardduty list-detectors", EXACT),
    *each("aws guardduty get-detector --detector-id $detector_id", EXACT),
    *each("aws scheduler list-schedules", EXACT),
    *each("aws scheduler get-schedule --name compat-schedule", EXACT),
    "aws scheduler get-schedule --name nope",
    *each("aws transfer list-servers", EXACT),
    "aws cognito-idp list-user-pools --max-results 10",
    "aws cognito-idp list-user-pools --max-results 10 --output table",
    *each("aws eks list-clusters", EXACT),
    *each("aws eks describe-cluster --name compat-cluster", EXACT),
    "aws eks describe-cluster --name compat-cluster --query 'cluster.logging.clusterLogging[].types[] | sort(@) | join(`,`, @)' --output text",
    "aws eks describe-cluster --name nope",
    # pagination tokens round-trip: --starting-token as the CLI printed it after --max-items
    "aws iam list-users --path-prefix /compat/ --starting-token $iam_token --max-items 3 --output text",
    "aws ssm get-parameters-by-path --path /compat/app --starting-token $ssm_token --max-items 2",
    # unknown names: the CLI's own table, in its order
    "aws nosuchservice list-things",
    "aws glue get-databse",
    # --- parse errors: refused before any request
    "aws sts get-caller-identity --bogus-option 1",
    "aws ec2 describe-vpcs --filters 'Name=tag:Env,Values=[test'",
    "aws dynamodb get-item --table-name compat-music --key '{\"Artist\": '",
    "aws s3api list-buckets --profile no-such-profile",
]

CASES: list[Case] = [Case(line) for line in LINES]
