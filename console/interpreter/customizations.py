"""The AWS CLI's naming customizations, as data.

The CLI is generated from botocore's models, then adjusted by registered handlers that
rename services, operations and parameters, remove operations, and add hand-written
commands. A command typed here must mean what it means in the CLI, so the adjustments
that change *names* are mirrored below (observed in awscli 1.46.3's `customizations/` and
checked against it in tests). Hand-written commands are listed only so that the console
can say they are not available yet instead of calling them invalid.

Deliberately not mirrored: the CLI's hidden parameter aliases (`--tape-ar-ns`, ...), which
AWS CLI v2 removed. Per-command parameter rewrites (`ec2 run-instances --count`, ...) live
in `rewrites.py`; the ones not mirrored yet are listed in docs/cli.md.
"""

from __future__ import annotations

# botocore service name -> CLI command name.
SERVICE_RENAMES: dict[str, str] = {
    "s3": "s3api",
    "config": "configservice",
    "codedeploy": "deploy",
}

# CLI names that work but are not listed (undocumented in the CLI): alias -> botocore name.
HIDDEN_SERVICE_ALIASES: dict[str, str] = {
    "runtime.sagemaker": "sagemaker-runtime",
}
HIDDEN_SERVICES: frozenset[str] = frozenset({"sms-voice"})

# The CLI refuses these until enabled with `aws configure set preview.<name> true`.
PREVIEW_SERVICES: frozenset[str] = frozenset({"sdb"})

# Top-level CLI commands that are hand-written rather than generated.
CUSTOM_TOP_LEVEL_COMMANDS: dict[str, str] = {
    # `aws s3 ...` itself is parsed by s3commands.py; only its help pages are missing.
    "s3": "help for the high-level S3 commands (`aws s3 ls|cp|mv|rm|mb|rb|presign`) is not available "
    "in this console yet; docs/cli.md lists what they accept",
    "history": "`aws history` is not available in this console; the console keeps its own history "
    "of your commands",
}

# Hand-written commands that the console runs as builtins (see console/commands/builtins.py):
# `aws configure ...` is handled whole; of `aws sso`, only these two commands, which in
# AWS CLI v2 are hand-written (`logout` shadows the generated Logout operation). The
# other `aws sso` commands stay generated operations.
CONFIGURE_COMMAND = "configure"

# Where the CLI's top-level table puts what its handlers add: botocore's services come
# first, sorted, then the handlers append (a renamed service leaves its sorted place and is
# appended under its new name), in the order awscli registers them. The invalid-choice
# error lists the table in this order, so the console's must be the same.
APPENDED_TOP_LEVEL_ORDER: tuple[str, ...] = (
    "s3api",
    "s3",
    CONFIGURE_COMMAND,
    "deploy",
    "configservice",
    "runtime.sagemaker",
    "history",
)
SSO_BUILTIN_COMMANDS: frozenset[str] = frozenset({"login", "logout"})

# Operations the CLI removes (deprecated, or streaming APIs it cannot drive), by CLI service.
REMOVED_OPERATIONS: dict[str, frozenset[str]] = {
    "ses": frozenset(
        {"delete-verified-email-address", "list-verified-email-addresses", "verify-email-address"}
    ),
    "ec2": frozenset({"import-instance", "import-volume"}),
    "emr": frozenset(
        {
            "run-job-flow",
            "describe-job-flows",
            "add-job-flow-steps",
            "terminate-job-flows",
            "list-bootstrap-actions",
            "list-instance-groups",
            "set-termination-protection",
            "set-keep-job-flow-alive-when-no-steps",
            "set-visible-to-all-users",
            "set-unhealthy-node-replacement",
        }
    ),
    "kinesis": frozenset({"subscribe-to-shard"}),
    "lexv2-runtime": frozenset({"start-conversation"}),
    "lambda": frozenset({"invoke-with-response-stream"}),
    "sagemaker-runtime": frozenset({"invoke-endpoint-with-response-stream"}),
    "runtime.sagemaker": frozenset({"invoke-endpoint-with-response-stream"}),
    "bedrock-runtime": frozenset(
        {"invoke-model-with-response-stream", "invoke-model-with-bidirectional-stream", "converse-stream"}
    ),
    "bedrock-agent-runtime": frozenset(
        {
            "agentic-retrieve-stream",
            "invoke-agent",
            "invoke-flow",
            "invoke-inline-agent",
            "optimize-prompt",
            "retrieve-and-generate-stream",
        }
    ),
    "bedrock-agentcore": frozenset(
        {"invoke-code-interpreter", "invoke-agent-runtime-command", "invoke-harness"}
    ),
    "qbusiness": frozenset({"chat"}),
    "iotsitewise": frozenset({"invoke-assistant"}),
    "logs": frozenset({"get-log-object"}),
    "connecthealth": frozenset({"start-medical-scribe-listening-session"}),
    "polly": frozenset({"start-speech-synthesis-stream"}),
    "devops-agent": frozenset({"send-message"}),
}

# Extra, undocumented names for operations: CLI service -> {alias: operation}.
HIDDEN_OPERATION_ALIASES: dict[str, dict[str, str]] = {
    "cloudwatch": {
        "get-o-tel-enrichment": "GetOTelEnrichment",
        "start-o-tel-enrichment": "StartOTelEnrichment",
        "stop-o-tel-enrichment": "StopOTelEnrichment",
    },
    "mturk": {"list-hi-ts-for-qualification-type": "ListHITsForQualificationType"},
    "signin": {"create-o-auth2-token": "CreateOAuth2Token"},
    "socialmessaging": {"delete-whatsapp-media-message": "DeleteWhatsAppMessageMedia"},
}

# One operation offered as two commands, each with one parameter renamed and one removed:
# CLI service -> {command: (operation, {old parameter: new parameter}, removed parameters)}.
SPLIT_OPERATIONS: dict[str, dict[str, tuple[str, dict[str, str], frozenset[str]]]] = {
    "rds": {
        "add-option-to-option-group": (
            "ModifyOptionGroup",
            {"options-to-include": "options"},
            frozenset({"options-to-remove"}),
        ),
        "remove-option-from-option-group": (
            "ModifyOptionGroup",
            {"options-to-remove": "options"},
            frozenset({"options-to-include"}),
        ),
    },
}

# Hand-written commands inside services (besides `wait`, which exists wherever botocore
# has waiters for the service). The console does not run them yet.
CUSTOM_COMMANDS: dict[str, tuple[str, ...]] = {
    "cloudformation": ("package", "deploy"),
    "cloudfront": ("sign",),
    "cloudtrail": ("create-subscription", "update-subscription", "validate-logs"),
    "codeartifact": ("login",),
    "codecommit": ("credential-helper",),
    "configservice": ("subscribe", "get-status"),
    "datapipeline": ("list-runs", "create-default-roles"),
    "deploy": ("push", "register", "deregister", "install", "uninstall"),
    "dlm": ("create-default-role",),
    "ecr": ("get-login", "get-login-password"),
    "ecr-public": ("get-login-password",),
    "ecs": ("deploy",),
    "eks": ("update-kubeconfig", "get-token"),
    "emr": (
        "add-instance-groups",
        "describe-cluster",
        "terminate-clusters",
        "modify-cluster-attributes",
        "install-applications",
        "create-cluster",
        "add-steps",
        "restore-from-hbase-backup",
        "create-hbase-backup",
        "schedule-hbase-backup",
        "disable-hbase-backups",
        "create-default-roles",
        "ssh",
        "socks",
        "get",
        "put",
    ),
    "emr-containers": ("update-role-trust-policy",),
    "gamelift": ("upload-build", "get-game-session-log"),
    "logs": ("start-live-tail",),
    "rds": ("generate-db-auth-token",),
    "servicecatalog": ("generate",),
}

# Parameter renames, "<cli service>.<command or *>.<parameter>" -> new parameter name.
# Most exist because the model's name collides with a global option (--query, --output,
# --region, --version) or reads badly (--no-no-reboot).
ARGUMENT_RENAMES: dict[str, str] = {
    "ec2.create-image.no-no-reboot": "reboot",
    "ec2.*.no-egress": "ingress",
    "ec2.*.no-disable-api-termination": "enable-api-termination",
    "swf.register-activity-type.version": "activity-version",
    "swf.register-workflow-type.version": "workflow-version",
    "datapipeline.*.query": "objects-query",
    "datapipeline.get-pipeline-definition.version": "pipeline-version",
    "emr.*.job-flow-ids": "cluster-ids",
    "emr.*.job-flow-id": "cluster-id",
    "cloudsearchdomain.search.query": "search-query",
    "cloudsearchdomain.suggest.query": "suggest-query",
    "sns.subscribe.endpoint": "notification-endpoint",
    "deploy.*.s-3-location": "s3-location",
    "deploy.*.ec-2-tag-filters": "ec2-tag-filters",
    "codepipeline.get-pipeline.version": "pipeline-version",
    "codepipeline.create-custom-action-type.version": "action-version",
    "codepipeline.delete-custom-action-type.version": "action-version",
    "codepipeline.get-action-type.version": "action-version",
    "kinesisanalytics.add-application-output.output": "application-output",
    "kinesisanalyticsv2.add-application-output.output": "application-output",
    "route53.delete-traffic-policy.version": "traffic-policy-version",
    "route53.get-traffic-policy.version": "traffic-policy-version",
    "route53.update-traffic-policy-comment.version": "traffic-policy-version",
    "gamelift.create-build.version": "build-version",
    "gamelift.update-build.version": "build-version",
    "gamelift.create-script.version": "script-version",
    "gamelift.update-script.version": "script-version",
    "route53domains.view-billing.start": "start-time",
    "route53domains.view-billing.end": "end-time",
    "apigateway.create-rest-api.version": "api-version",
    "apigatewayv2.create-api.version": "api-version",
    "apigatewayv2.update-api.version": "api-version",
    "pinpoint.get-campaign-version.version": "campaign-version",
    "pinpoint.get-segment-version.version": "segment-version",
    **{
        f"pinpoint.{verb}-{kind}-template.version": "template-version"
        for verb in ("delete", "get", "update")
        for kind in ("email", "in-app", "push", "sms", "voice")
    },
    "stepfunctions.send-task-success.output": "task-output",
    "clouddirectory.publish-schema.version": "schema-version",
    "mturk.list-qualification-types.query": "types-query",
    "workdocs.create-notification-subscription.endpoint": "notification-endpoint",
    "workdocs.describe-users.query": "user-query",
    "lex-models.delete-bot.version": "bot-version",
    "lex-models.delete-intent.version": "intent-version",
    "lex-models.delete-slot-type.version": "slot-type-version",
    "lex-models.get-intent.version": "intent-version",
    "lex-models.get-slot-type.version": "slot-type-version",
    "lex-models.delete-bot-version.version": "bot-version",
    "lex-models.delete-intent-version.version": "intent-version",
    "lex-models.delete-slot-type-version.version": "slot-type-version",
    "lex-models.get-export.version": "resource-version",
    "license-manager.get-grant.version": "grant-version",
    "license-manager.delete-grant.version": "grant-version",
    "license-manager.get-license.version": "license-version",
    "rekognition.create-stream-processor.output": "stream-processor-output",
    "eks.create-cluster.version": "kubernetes-version",
    "eks.update-cluster-version.version": "kubernetes-version",
    "eks.create-nodegroup.version": "kubernetes-version",
    "eks.update-nodegroup-version.version": "kubernetes-version",
    "eks.update-cluster-components-version.version": "kubernetes-version",
    "schemas.*.version": "schema-version",
    "sagemaker.delete-image-version.version": "version-number",
    "sagemaker.describe-image-version.version": "version-number",
    "sagemaker.list-aliases.version": "version-number",
    "sagemaker.update-image-version.version": "version-number",
    "iotwireless.*.lo-ra-wan": "lorawan",
    "ecs.*.no-enable-execute-command": "disable-execute-command",
    "ecs.execute-command.no-interactive": "non-interactive",
    "controltower.create-landing-zone.version": "landing-zone-version",
    "controltower.update-landing-zone.version": "landing-zone-version",
    "glue.get-unfiltered-partition-metadata.region": "resource-region",
    "glue.get-unfiltered-partitions-metadata.region": "resource-region",
    "glue.get-unfiltered-table-metadata.region": "resource-region",
}

# Lists of one-member structures that the CLI also reads as bare words (its "old list
# case"): "<cli service>.<command>" -> parameter names.
BARE_LIST_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "firehose.put-record-batch": ("records",),
    "workspaces.reboot-workspaces": ("reboot-workspace-requests",),
    "workspaces.rebuild-workspaces": ("rebuild-workspace-requests",),
    "workspaces.terminate-workspaces": ("terminate-workspace-requests",),
    "elb.remove-tags": ("tags",),
    "elb.describe-instance-health": ("instances",),
    "elb.deregister-instances-from-load-balancer": ("instances",),
    "elb.register-instances-with-load-balancer": ("instances",),
}

# Services whose `{"Value": true|false}` structure parameters are also offered as a
# `--name` / `--no-name` flag pair (the CLI's "top level boolean" customization).
BOOLEAN_VALUE_FLAG_SERVICES: frozenset[str] = frozenset({"ec2"})


def renamed_argument(cli_service: str, command: str, argument: str) -> str:
    """The CLI name of `argument` after the CLI's renames."""
    return ARGUMENT_RENAMES.get(
        f"{cli_service}.{command}.{argument}",
        ARGUMENT_RENAMES.get(f"{cli_service}.*.{argument}", argument),
    )
