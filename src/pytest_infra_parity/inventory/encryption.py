"""Encryption at rest of each kind, from the values every source reads (template properties or API answers).

One function per service, shared by the template, Terraform, Pulumi and live sources, so a value means
the same wherever it was read. The AWS semantics, by service:

- S3 (User Guide, "Setting default server-side encryption behavior for Amazon S3 buckets" and "Using
  server-side encryption with Amazon S3 managed keys (SSE-S3)"): since 5 January 2023 every bucket
  encrypts new objects with SSE-S3 by default, so no configuration or ``AES256`` is service-managed;
  ``aws:kms`` / ``aws:kms:dsse`` with ``KMSMasterKeyID`` uses that key, without one the AWS managed key
  ``aws/s3``.
- SQS (Developer Guide, "Encryption at rest in Amazon SQS"): ``KmsMasterKeyId`` ``alias/aws/sqs`` is the
  AWS managed key, any other key is the customer's; without a key, SSE-SQS (``SqsManagedSseEnabled``,
  the default for new queues since October 2022) is service-managed; ``SqsManagedSseEnabled: false``
  without a key is no encryption.
- DynamoDB (API Reference, ``SSESpecification``): ``SSEEnabled`` true with ``KMSMasterKeyId`` uses that
  key; true without a key, the AWS managed key ``alias/aws/dynamodb``; false or absent, the AWS owned
  key (service-managed).
- SNS (Developer Guide, "Encryption at rest"): topics are not encrypted unless ``KmsMasterKeyId`` is
  set; ``alias/aws/sns`` is the AWS managed key.
- CloudWatch Logs (User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS"): log data is always
  encrypted (service-managed); ``KmsKeyId`` associates a customer managed key.
- Lambda (Developer Guide, "Data encryption at rest for AWS Lambda"): environment variables are always
  encrypted, with an AWS managed or owned key unless ``KmsKeyArn`` names a customer managed key.
- Secrets Manager (User Guide, "Secret encryption and decryption"): ``aws/secretsmanager`` unless
  ``KmsKeyId`` names another key.
- RDS / Aurora (User Guide, "Encrypting Amazon RDS resources"): ``StorageEncrypted`` without
  ``KmsKeyId`` uses ``aws/rds``; not encrypted otherwise.
- OpenSearch (Developer Guide, "Encryption of data at rest"): ``EncryptionAtRestOptions.Enabled``
  without ``KmsKeyId`` uses ``aws/es``.
- ElastiCache replication groups (User Guide, "At-Rest Encryption"): ``AtRestEncryptionEnabled`` without
  ``KmsKeyId`` uses the service's default key (service-managed).

A key only known after apply (a Terraform reference, ``Fn::GetAtt Key.Arn`` read offline) is a key the
same deployment creates: customer-managed, ``key`` ``None``.
"""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.inventory.model import ENCRYPTION_UNKNOWN, NOT_ENCRYPTED, UNKNOWN, Encryption

__all__ = ["AWS_MANAGED", "LAMBDA_DEFAULT", "LOGS_DEFAULT", "NOT_ENCRYPTED", "SECRETS_DEFAULT", "SERVICE_MANAGED",
           "SNS_DEFAULT", "dynamodb", "is_aws_managed_key", "kms_key", "optional_kms", "s3", "sqs", "storage"]

SERVICE_MANAGED = Encryption("service-managed")
AWS_MANAGED = Encryption("aws-managed")
"""The service's AWS managed key, implied (no key given): ``key`` is ``None``."""


def is_aws_managed_key(key: str) -> bool:
    """``alias/aws/<service>`` or its ARN: the account's AWS managed key of a service."""
    return key.startswith("alias/aws/") or ":alias/aws/" in key


def kms_key(key: Any) -> Encryption:
    """The encryption a KMS key id, ARN or alias gives (``None``/``""``: no key was given)."""
    if key is UNKNOWN:
        return Encryption("customer-managed", None)
    text = str(key)
    if is_aws_managed_key(text):
        return Encryption("aws-managed", text)
    return Encryption("customer-managed", text)


def _given(value: Any) -> bool:
    return value is UNKNOWN or (value is not None and value != "")


def s3(algorithm: Any, key: Any) -> Encryption:
    """Default encryption of a bucket from ``SSEAlgorithm`` and ``KMSMasterKeyID`` (``None`` when absent)."""
    if algorithm is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    if algorithm in (None, "", "AES256"):
        return SERVICE_MANAGED
    if str(algorithm).startswith("aws:kms"):
        return kms_key(key) if _given(key) else AWS_MANAGED
    return SERVICE_MANAGED


def sqs(key: Any, sqs_managed: Any = None) -> Encryption:
    """A queue's encryption from ``KmsMasterKeyId`` and ``SqsManagedSseEnabled`` (``None``: not given)."""
    if _given(key):
        return kms_key(key)
    if sqs_managed is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    if sqs_managed is False or str(sqs_managed).lower() == "false":
        return NOT_ENCRYPTED
    return SERVICE_MANAGED


def dynamodb(enabled: Any, key: Any) -> Encryption:
    """A table's encryption from ``SSESpecification.SSEEnabled`` and ``KMSMasterKeyId``."""
    if enabled is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    if enabled is True or str(enabled).lower() == "true":
        return kms_key(key) if _given(key) else AWS_MANAGED
    return SERVICE_MANAGED


def optional_kms(key: Any, *, default: Encryption) -> Encryption:
    """``key`` when given, else ``default`` (SNS: none; Logs: service-managed; Lambda, secrets: AWS managed)."""
    return kms_key(key) if _given(key) else default


def storage(encrypted: Any, key: Any, *, aws_managed: bool = True) -> Encryption:
    """An "encrypted: bool, key: optional" pair (RDS, OpenSearch, ElastiCache)."""
    if encrypted is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    if not (encrypted is True or str(encrypted).lower() == "true"):
        return NOT_ENCRYPTED
    if _given(key):
        return kms_key(key)
    return AWS_MANAGED if aws_managed else SERVICE_MANAGED


SNS_DEFAULT = NOT_ENCRYPTED
LOGS_DEFAULT = SERVICE_MANAGED
LAMBDA_DEFAULT = AWS_MANAGED
SECRETS_DEFAULT = AWS_MANAGED
