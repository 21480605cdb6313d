"""Template mappers of the storage, messaging and security kinds (bucket, table, queue, topic, key...).

Property names and defaults are those of the CloudFormation resource reference of each type
(``AWS::S3::Bucket``, ``AWS::DynamoDB::Table``, ``AWS::SQS::Queue``, ``AWS::SNS::Topic``,
``AWS::KMS::Key``, ``AWS::Logs::LogGroup``, ``AWS::SecretsManager::Secret``, ``AWS::SSM::Parameter``);
encryption follows :mod:`.encryption`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.model import UNKNOWN, Resource
from pytest_infra_parity.inventory.values import as_bool, as_int, as_json, as_text, default, dig

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.template import Declared

PAB_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def public_access_block(config: Any) -> Any:
    """The four flags (``False`` when not given), ``None`` without a configuration, UNKNOWN passes."""
    if config is None or config is UNKNOWN:
        return config
    return {flag: as_bool(dig(config, flag), False) for flag in PAB_FLAGS}


def bucket(resource: Resource, item: Declared) -> None:
    props = item.properties
    rule = dig(props, "BucketEncryption", "ServerSideEncryptionConfiguration", 0)
    default = dig(rule, "ServerSideEncryptionByDefault")
    resource.encryption = encryption.s3(dig(default, "SSEAlgorithm"), dig(default, "KMSMasterKeyID"))
    rules = dig(props, "LifecycleConfiguration", "Rules")
    resource.settings.update({
        "versioning": as_bool(dig(props, "VersioningConfiguration", "Status"), False),
        "public_access_block": public_access_block(props.get("PublicAccessBlockConfiguration")),
        "lifecycle_rules": UNKNOWN if rules is UNKNOWN else len(rules) if isinstance(rules, list) else 0,
        "bucket_key": as_bool(dig(rule, "BucketKeyEnabled"), False),
    })


def bucket_policy(resource: Resource, item: Declared) -> None:
    resource.encryption = None
    resource.settings["bucket"] = item.properties.get("Bucket")
    resource.settings["policy"] = as_json(item.properties.get("PolicyDocument"))
    if "Bucket" in item.references:
        resource.settings["bucket_ref"] = item.references["Bucket"]


def table(resource: Resource, item: Declared) -> None:
    props = item.properties
    sse = props.get("SSESpecification")
    resource.encryption = encryption.dynamodb(dig(sse, "SSEEnabled"), dig(sse, "KMSMasterKeyId"))
    ttl = props.get("TimeToLiveSpecification")
    stream = props.get("StreamSpecification")
    resource.settings.update({
        "pitr": as_bool(dig(props, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), False),
        "ttl": as_bool(dig(ttl, "Enabled"), False) if ttl is not None else False,
        "stream": UNKNOWN if stream is UNKNOWN else as_text(dig(stream, "StreamViewType")),
        "billing_mode": default(as_text(props.get("BillingMode")), "PROVISIONED"),
    })


def queue(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.encryption = encryption.sqs(props.get("KmsMasterKeyId"), props.get("SqsManagedSseEnabled"))
    redrive = as_json(props.get("RedrivePolicy"))
    target = dig(redrive, "deadLetterTargetArn") if redrive is not None else None
    resource.settings.update({
        "dlq": target,
        "max_receive_count": as_int(dig(redrive, "maxReceiveCount")) if redrive is not None else None,
        "fifo": as_bool(props.get("FifoQueue"), False),
    })
    ref = item.references.get("RedrivePolicy.deadLetterTargetArn")
    if target is UNKNOWN and ref:
        resource.settings["dlq_ref"] = ref


def topic(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.encryption = encryption.optional_kms(props.get("KmsMasterKeyId"), default=encryption.SNS_DEFAULT)
    resource.settings["fifo"] = as_bool(props.get("FifoTopic"), False)


def key(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.encryption = None
    resource.settings.update({
        "rotation": as_bool(props.get("EnableKeyRotation"), False),
        "key_spec": default(as_text(props.get("KeySpec")), "SYMMETRIC_DEFAULT"),
    })


def log_group(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.encryption = encryption.optional_kms(props.get("KmsKeyId"), default=encryption.LOGS_DEFAULT)
    resource.observability.log_group = resource.physical_id
    resource.observability.log_retention_days = as_int(props.get("RetentionInDays"))


def secret(resource: Resource, item: Declared) -> None:
    resource.encryption = encryption.optional_kms(item.properties.get("KmsKeyId"),
                                                  default=encryption.SECRETS_DEFAULT)


def parameter(resource: Resource, item: Declared) -> None:
    # AWS::SSM::Parameter creates String and StringList parameters only, which are not encrypted.
    resource.encryption = encryption.NOT_ENCRYPTED
    resource.settings["type"] = as_text(item.properties.get("Type"))


MAPPERS: dict[str, Callable[[Resource, Declared], None]] = {
    "AWS::S3::Bucket": bucket,
    "AWS::S3::BucketPolicy": bucket_policy,
    "AWS::DynamoDB::Table": table,
    "AWS::SQS::Queue": queue,
    "AWS::SNS::Topic": topic,
    "AWS::KMS::Key": key,
    "AWS::Logs::LogGroup": log_group,
    "AWS::SecretsManager::Secret": secret,
    "AWS::SSM::Parameter": parameter,
}
