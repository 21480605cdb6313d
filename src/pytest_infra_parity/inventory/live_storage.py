"""Live readers of buckets, bucket policies, tables, queues, topics, keys and log groups.

Each reader takes a :class:`~.live_common.Target` and returns a :class:`~.model.Resource` with the same
settings the template mappers produce, read through the service's API (S3 ``GetBucketEncryption``,
``GetPublicAccessBlock``, ``GetBucketVersioning``, ``GetBucketLifecycleConfiguration``,
``GetBucketPolicy``; DynamoDB ``DescribeTable``, ``DescribeContinuousBackups``, ``DescribeTimeToLive``;
SQS ``GetQueueAttributes``, ``ListDeadLetterSourceQueues``; SNS ``GetTopicAttributes``; KMS
``DescribeKey``, ``GetKeyRotationStatus``; CloudWatch Logs ``DescribeLogGroups``). A configuration AWS
answers "not configured" for (``ServerSideEncryptionConfigurationNotFoundError``...) is its default;
one that cannot be read is UNKNOWN, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.cfn_storage import public_access_block
from pytest_infra_parity.inventory.links import denies_insecure_transport
from pytest_infra_parity.inventory.live_common import Context, Missing, Target, set_tags, tag_list
from pytest_infra_parity.inventory.model import UNKNOWN, Resource
from pytest_infra_parity.inventory.values import as_bool, as_int, as_json, dig


def _or_unknown(value: Any, read: Callable[[Any], Any]) -> Any:
    return UNKNOWN if value is UNKNOWN else read(value)


def bucket(ctx: Context, target: Target) -> Resource:
    s3 = ctx.clients("s3")
    name = target.ident
    enc = ctx.fetch(target, "encryption", s3.get_bucket_encryption, main=True,
                    absent=("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
    resource = ctx.resource(target, arn=f"arn:aws:s3:::{name}")
    rule = dig(enc, "ServerSideEncryptionConfiguration", "Rules", 0)
    default = dig(rule, "ApplyServerSideEncryptionByDefault")
    resource.encryption = encryption.s3(dig(default, "SSEAlgorithm"), dig(default, "KMSMasterKeyID"))
    if resource.encryption.mode != "service-managed" and isinstance(dig(default, "KMSMasterKeyID"), str):
        resource.encryption = ctx.key_encryption(dig(default, "KMSMasterKeyID"))
    pab = ctx.fetch(target, "public access block", s3.get_public_access_block,
                    absent=("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
    versioning = ctx.fetch(target, "versioning", s3.get_bucket_versioning, Bucket=name)
    lifecycle = ctx.fetch(target, "lifecycle", s3.get_bucket_lifecycle_configuration,
                          absent=("NoSuchLifecycleConfiguration",), Bucket=name)
    policy = ctx.fetch(target, "bucket policy", s3.get_bucket_policy, absent=("NoSuchBucketPolicy",), Bucket=name)
    resource.settings.update({
        "versioning": _or_unknown(versioning, lambda v: v.get("Status") == "Enabled"),
        "public_access_block": public_access_block(
            _or_unknown(pab, lambda v: v["PublicAccessBlockConfiguration"] if v else None)),
        "lifecycle_rules": _or_unknown(lifecycle, lambda v: len(v.get("Rules") or []) if v else 0),
        "bucket_key": as_bool(dig(rule, "BucketKeyEnabled"), False),
        "tls_only": _or_unknown(policy, lambda v: denies_insecure_transport(as_json(v["Policy"])) if v else False),
    })
    set_tags(resource, target, lambda: _or_unknown(
        ctx.fetch(target, "tags", s3.get_bucket_tagging, absent=("NoSuchTagSet",), Bucket=name),
        lambda v: tag_list(v.get("TagSet")) if v else {}))
    return resource


def bucket_policy(ctx: Context, target: Target) -> Resource:
    s3 = ctx.clients("s3")
    policy = ctx.fetch(target, "bucket policy", s3.get_bucket_policy, main=True, Bucket=target.ident)
    if policy is None:
        raise Missing(f"{target.describe()}: bucket {target.ident} has no policy")
    resource = ctx.resource(target)
    resource.settings.update({"bucket": target.ident,
                              "policy": _or_unknown(policy, lambda v: as_json(v["Policy"]))})
    return resource


def table(ctx: Context, target: Target) -> Resource:
    ddb = ctx.clients("dynamodb")
    found = ctx.fetch(target, "table", ddb.describe_table, main=True, TableName=target.ident)["Table"]
    resource = ctx.resource(target, arn=found.get("TableArn"))
    sse = found.get("SSEDescription") or {}
    if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") and sse.get("SSEType") == "KMS":
        resource.encryption = ctx.key_encryption(sse.get("KMSMasterKeyArn")) if sse.get("KMSMasterKeyArn") \
            else encryption.AWS_MANAGED
    else:
        resource.encryption = encryption.SERVICE_MANAGED
    backups = ctx.fetch(target, "point-in-time recovery", ddb.describe_continuous_backups, TableName=target.ident)
    ttl = ctx.fetch(target, "time to live", ddb.describe_time_to_live, TableName=target.ident)
    stream = found.get("StreamSpecification") or {}
    resource.settings.update({
        "pitr": _or_unknown(backups, lambda v: dig(v, "ContinuousBackupsDescription", "PointInTimeRecoveryDescription",
                                                    "PointInTimeRecoveryStatus") == "ENABLED"),
        "ttl": _or_unknown(ttl, lambda v: dig(v, "TimeToLiveDescription", "TimeToLiveStatus")
                           in ("ENABLED", "ENABLING")),
        "stream": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        "billing_mode": dig(found, "BillingModeSummary", "BillingMode") or "PROVISIONED",
    })
    set_tags(resource, target, lambda: _or_unknown(
        ctx.fetch(target, "tags", ddb.list_tags_of_resource, ResourceArn=found["TableArn"]),
        lambda v: tag_list(v.get("Tags"))))
    return resource


def queue(ctx: Context, target: Target) -> Resource:
    sqs = ctx.clients("sqs")
    url = target.ident
    if url.startswith("arn:"):  # selected by ARN or tags: arn:aws:sqs:<region>:<account>:<name>
        _, _, _, _, owner, name = url.split(":", 5)
        url = ctx.queue_url(target, name, owner)
    attributes = ctx.fetch(target, "attributes", sqs.get_queue_attributes, main=True, QueueUrl=url,
                           AttributeNames=["All"])["Attributes"]
    resource = ctx.resource(target, physical_id=url, arn=attributes.get("QueueArn"))
    key = attributes.get("KmsMasterKeyId")
    managed = attributes.get("SqsManagedSseEnabled")
    resource.encryption = ctx.key_encryption(key) if key else encryption.sqs(None, managed)
    redrive = as_json(attributes.get("RedrivePolicy"))
    resource.settings.update({
        "dlq": dig(redrive, "deadLetterTargetArn"),
        "max_receive_count": as_int(dig(redrive, "maxReceiveCount")),
        "fifo": as_bool(attributes.get("FifoQueue"), False),
    })
    set_tags(resource, target, lambda: _or_unknown(ctx.fetch(target, "tags", sqs.list_queue_tags, QueueUrl=url),
                                                   lambda v: v.get("Tags") or {}))
    return resource


def confirm_dlq(ctx: Context, resource: Resource) -> None:
    """``is_dlq`` of a queue no queue of the inventory redrives to: does one outside it
    (``ListDeadLetterSourceQueues``)? Asked only of queues without a redrive policy of their own."""
    target = Target("AWS::SQS::Queue", str(resource.physical_id), resource.name)
    answer = ctx.fetch(target, "dead-letter source queues", ctx.clients("sqs").list_dead_letter_source_queues,
                       QueueUrl=str(resource.physical_id))
    resource.settings["is_dlq"] = _or_unknown(answer, lambda v: bool(v.get("queueUrls")))


def topic(ctx: Context, target: Target) -> Resource:
    sns = ctx.clients("sns")
    attributes = ctx.fetch(target, "attributes", sns.get_topic_attributes, main=True,
                           TopicArn=target.ident)["Attributes"]
    resource = ctx.resource(target, arn=target.ident)
    key = attributes.get("KmsMasterKeyId")
    resource.encryption = ctx.key_encryption(key) if key else encryption.SNS_DEFAULT
    resource.settings["fifo"] = as_bool(attributes.get("FifoTopic"), False)
    set_tags(resource, target, lambda: _or_unknown(
        ctx.fetch(target, "tags", sns.list_tags_for_resource, ResourceArn=target.ident),
        lambda v: tag_list(v.get("Tags"))))
    return resource


def key(ctx: Context, target: Target) -> Resource:
    kms = ctx.clients("kms")
    metadata = ctx.fetch(target, "key", kms.describe_key, main=True, KeyId=target.ident)["KeyMetadata"]
    if metadata.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        raise Missing(f"{target.describe()}: is pending deletion")
    resource = ctx.resource(target, physical_id=metadata["KeyId"], arn=metadata.get("Arn"))
    rotation = ctx.fetch(target, "rotation", kms.get_key_rotation_status, KeyId=target.ident)
    resource.settings.update({
        "rotation": _or_unknown(rotation, lambda v: bool(v.get("KeyRotationEnabled"))),
        "key_spec": metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT",
        "key_manager": metadata.get("KeyManager"),
    })
    set_tags(resource, target, lambda: _or_unknown(
        ctx.fetch(target, "tags", kms.list_resource_tags, KeyId=target.ident),
        lambda v: tag_list(v.get("Tags"), "TagKey", "TagValue")))
    return resource


def find_log_group(ctx: Context, target: Target, name: str, *, main: bool = False) -> Any:
    """The ``DescribeLogGroups`` entry of exactly ``name``, ``None`` when absent, UNKNOWN when unreadable."""
    if ctx.log_groups is not None:
        return ctx.log_groups.get(name)
    paginator = ctx.clients("logs").get_paginator("describe_log_groups")
    pages = ctx.fetch(target, f"log group {name}", lambda: list(paginator.paginate(logGroupNamePrefix=name)),
                      main=main)
    if pages is UNKNOWN:
        return UNKNOWN
    return next((g for page in pages for g in page.get("logGroups", []) if g.get("logGroupName") == name), None)


def log_group(ctx: Context, target: Target) -> Resource:
    found = find_log_group(ctx, target, target.ident, main=True)
    if found is None:
        raise Missing(f"{target.describe()}: does not exist")
    arn = str(found.get("arn", "")).removesuffix(":*") or None
    resource = ctx.resource(target, arn=arn)
    key = found.get("kmsKeyId")
    resource.encryption = ctx.key_encryption(key) if key else encryption.LOGS_DEFAULT
    resource.observability.log_group = target.ident
    resource.observability.log_retention_days = as_int(found.get("retentionInDays"))
    logs = ctx.clients("logs")
    set_tags(resource, target, lambda: _or_unknown(
        ctx.fetch(target, "tags", logs.list_tags_for_resource, resourceArn=arn),
        lambda v: v.get("tags") or {}))
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::S3::Bucket": bucket,
    "AWS::S3::BucketPolicy": bucket_policy,
    "AWS::DynamoDB::Table": table,
    "AWS::SQS::Queue": queue,
    "AWS::SNS::Topic": topic,
    "AWS::KMS::Key": key,
    "AWS::Logs::LogGroup": log_group,
}
