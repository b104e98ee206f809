"""The long tail of the compatibility world (issue 15): one small, read-only world per
service beyond the first thirty, created with the rest by `build_world`.

Design decision: each builder makes the few resources whose output exercises the
formatters where services differ: lists of scalars inside lists of structures (listener
policy names, certificate alternative names, cluster node types), maps (thing attributes,
database parameters), unicode and cells wider than a table's share of 80 columns
(descriptions, ARNs). Ids AWS generates are returned as facts for the table's `$name`
fields. Every builder is one call of each kind a user's account would hold; nothing here
is mutated by a case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ConsoleAdmin"
WIDE = "Une description assez longue pour déborder d'une colonne de tableau — 日本語 ✓"

Client = Callable[[str], Any]


def _glue(client: Client) -> None:
    glue = client("glue")
    glue.create_database(
        DatabaseInput={
            "Name": "compat_db",
            "Description": WIDE,
            "Parameters": {"owner": "Zoë", "tier": "gold"},
        }
    )
    glue.create_table(
        DatabaseName="compat_db",
        TableInput={
            "Name": "événements",
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "string"}, {"Name": "när", "Type": "timestamp"}],
                "Location": "s3://compat-alpha/data/",
            },
            "PartitionKeys": [{"Name": "day", "Type": "string"}],
            "Parameters": {"classification": "json"},
        },
    )


def _athena(client: Client) -> None:
    athena = client("athena")
    athena.create_work_group(
        Name="compat-wg",
        Description=WIDE,
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://compat-alpha/athena/"}},
        Tags=[{"Key": "Env", "Value": "test"}],
    )
    athena.create_data_catalog(Name="compat_catalog", Type="GLUE", Parameters={"catalog-id": ACCOUNT})


def _redshift(client: Client) -> None:
    client("redshift").create_cluster(
        ClusterIdentifier="compat-warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="NotARealPassw0rd",
        NumberOfNodes=2,
        ClusterType="multi-node",
        Tags=[{"Key": "Équipe", "Value": "Données"}],
    )


def _elasticache(client: Client) -> None:
    client("elasticache").create_cache_cluster(
        CacheClusterId="compat-cache",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        Tags=[{"Key": "Env", "Value": "test"}],
    )


def _acm(client: Client) -> dict[str, Any]:
    certificate = client("acm").request_certificate(
        DomainName="compat.example.com",
        SubjectAlternativeNames=["compat.example.com", "www.compat.example.com", "api.compat.example.com"],
        Tags=[{"Key": "Env", "Value": "test"}],
    )
    return {"cert_arn": certificate["CertificateArn"]}


def _efs(client: Client) -> dict[str, Any]:
    efs = client("efs")
    system = efs.create_file_system(
        CreationToken="compat-fs",
        PerformanceMode="generalPurpose",
        Tags=[{"Key": "Name", "Value": "partagé"}],
    )
    return {"fs_id": system["FileSystemId"]}


def _sesv2(client: Client) -> None:
    sesv2 = client("sesv2")
    sesv2.create_contact_list(
        ContactListName="compat-list",
        Description="Liste de diffusion ✉",
        Topics=[
            {
                "TopicName": "news",
                "DisplayName": "Nouvelles",
                "Description": "Les nouvelles",
                "DefaultSubscriptionStatus": "OPT_IN",
            }
        ],
    )
    sesv2.create_email_identity(EmailIdentity="sesv2@compat.example.com")


def _firehose(client: Client) -> None:
    client("firehose").create_delivery_stream(
        DeliveryStreamName="compat-firehose",
        DeliveryStreamType="DirectPut",
        S3DestinationConfiguration={
            "RoleARN": ROLE,
            "BucketARN": "arn:aws:s3:::compat-alpha",
            "Prefix": "fh/",
        },
        Tags=[{"Key": "Env", "Value": "test"}],
    )


def _cognito_identity(client: Client) -> dict[str, Any]:
    pool = client("cognito-identity").create_identity_pool(
        IdentityPoolName="compat_identities", AllowUnauthenticatedIdentities=False
    )
    return {"identity_pool_id": pool["IdentityPoolId"]}


def _iot(client: Client) -> None:
    iot = client("iot")
    iot.create_thing_type(
        thingTypeName="capteur", thingTypeProperties={"searchableAttributes": ["pièce", "étage"]}
    )
    for n in range(1, 6):
        iot.create_thing(
            thingName=f"compat-thing-{n}",
            thingTypeName="capteur",
            attributePayload={"attributes": {"pièce": f"salle {n}", "étage": str(n % 3)}},
        )


def _elb(client: Client) -> None:
    elb = client("elb")
    elb.create_load_balancer(
        LoadBalancerName="compat-classic",
        Listeners=[
            {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080},
            {"Protocol": "TCP", "LoadBalancerPort": 2222, "InstanceProtocol": "TCP", "InstancePort": 22},
        ],
        AvailabilityZones=["us-east-1a", "us-east-1b"],
        Tags=[{"Key": "Env", "Value": "test"}],
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="compat-classic",
        PolicyName="compat-proxy",
        PolicyTypeName="ProxyProtocolPolicyType",
        PolicyAttributes=[{"AttributeName": "ProxyProtocol", "AttributeValue": "true"}],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="compat-classic", LoadBalancerPort=80, PolicyNames=["compat-proxy"]
    )


def _cloudtrail(client: Client) -> None:
    client("cloudtrail").create_trail(
        Name="compat-trail",
        S3BucketName="compat-alpha",
        IsMultiRegionTrail=True,
        TagsList=[{"Key": "Env", "Value": "test"}],
    )


def _codecommit(client: Client) -> None:
    codecommit = client("codecommit")
    codecommit.create_repository(repositoryName="compat-repo", repositoryDescription="Dépôt de test — compat")
    codecommit.create_repository(repositoryName="compat-docs")


def _backup(client: Client) -> None:
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="compat-vault", BackupVaultTags={"Env": "test"})
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "compat-plan",
            "Rules": [
                {
                    "RuleName": "nightly",
                    "TargetBackupVaultName": "compat-vault",
                    "ScheduleExpression": "cron(0 3 * * ? *)",
                }
            ],
        }
    )


def _opensearch(client: Client) -> None:
    client("opensearch").create_domain(
        DomainName="compat-search",
        EngineVersion="OpenSearch_2.11",
        ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 2},
        EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 10},
        TagList=[{"Key": "Env", "Value": "test"}],
    )


def _apigatewayv2(client: Client) -> None:
    client("apigatewayv2").create_api(
        Name="compat-http",
        ProtocolType="HTTP",
        Description="API HTTP — compat",
        CorsConfiguration={"AllowMethods": ["GET", "POST"], "AllowOrigins": ["https://compat.example.com"]},
        Tags={"Env": "test"},
    )


def _servicediscovery(client: Client) -> None:
    client("servicediscovery").create_http_namespace(Name="compat.local", Description="Espace de noms")


def _ram(client: Client) -> None:
    client("ram").create_resource_share(
        name="compat-share", allowExternalPrincipals=False, tags=[{"key": "Env", "value": "test"}]
    )


def _application_autoscaling(client: Client) -> None:
    client("application-autoscaling").register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId="table/compat-empty",
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=1,
        MaxCapacity=4,
    )


def _swf(client: Client) -> None:
    client("swf").register_domain(
        name="compat-domain", description="Flux de travail", workflowExecutionRetentionPeriodInDays="7"
    )


def _guardduty(client: Client) -> dict[str, Any]:
    detector = client("guardduty").create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")
    return {"detector_id": detector["DetectorId"]}


def _scheduler(client: Client) -> None:
    client("scheduler").create_schedule(
        Name="compat-schedule",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:compat-queue-1",
            "RoleArn": ROLE,
            "Input": json.dumps({"ok": True}),
        },
        Description="Toutes les heures ⏰",
    )


def _eks(client: Client) -> None:
    # Subnet ids inside the VPC structure and log types inside a list of logging setups:
    # lists of scalars at two depths.
    client("eks").create_cluster(
        name="compat-cluster",
        version="1.29",
        roleArn=ROLE,
        resourcesVpcConfig={
            "subnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
            "endpointPublicAccess": True,
        },
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        tags={"Équipe": "données", "Env": "test"},
    )


def _transfer(client: Client) -> None:
    client("transfer").create_server(
        Protocols=["SFTP"], IdentityProviderType="SERVICE_MANAGED", Tags=[{"Key": "Env", "Value": "test"}]
    )


BUILDERS: tuple[Callable[[Client], dict[str, Any] | None], ...] = (
    _glue,
    _athena,
    _redshift,
    _elasticache,
    _acm,
    _efs,
    _sesv2,
    _firehose,
    _cognito_identity,
    _iot,
    _elb,
    _cloudtrail,
    _codecommit,
    _backup,
    _opensearch,
    _apigatewayv2,
    _servicediscovery,
    _ram,
    _application_autoscaling,
    _swf,
    _guardduty,
    _scheduler,
    _eks,
    _transfer,
)


def _tokens(client: Client) -> dict[str, Any]:
    """Pagination tokens as the CLI prints them after `--max-items` (botocore's encoding of
    the service's marker), for `--starting-token` lines; the markers moto returns depend
    only on the data, so the token is the same for every caller."""

    def token(service: str, operation: str, **params: Any) -> str:
        pages = client(service).get_paginator(operation).paginate(**params, PaginationConfig={"MaxItems": 2})
        return str(pages.build_full_result()["NextToken"])

    return {
        "iam_token": token("iam", "list_users", PathPrefix="/compat/"),
        "iot_token": token("iot", "list_things"),
        "ssm_token": token("ssm", "get_parameters_by_path", Path="/compat/app"),
    }


BUILDERS = (*BUILDERS, _tokens)
