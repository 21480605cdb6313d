"""Terraform AWS provider attributes mapped onto the model: names, tags, encryption at rest.

Shared by the HCL, plan, state and Pulumi sources (Pulumi values arrive converted to snake_case).
Attribute names and defaults are the hashicorp/aws provider's (Terraform Registry, each resource's
"Argument Reference"); encryption semantics are AWS's, via :mod:`~pytest_infra_parity.inventory.encryption`:

- ``aws_s3_bucket``: the split ``aws_s3_bucket_server_side_encryption_configuration`` (merged later)
  or the inline ``server_side_encryption_configuration`` block; none means SSE-S3, the default of every
  bucket since January 2023. The inline block is *computed* by the provider (known after apply in a
  plan, filled in the state): unknown means "not configured here", so the AWS default applies.
- ``aws_sqs_queue``: ``kms_master_key_id`` / ``sqs_managed_sse_enabled`` (computed: unknown means not
  configured, SSE-SQS being the AWS default for new queues).
- ``aws_dynamodb_table``: ``server_side_encryption { enabled, kms_key_arn }``; absent = AWS owned key.
- ``aws_sns_topic.kms_master_key_id`` (absent = not encrypted), ``aws_cloudwatch_log_group.kms_key_id``
  (absent = CloudWatch Logs' own encryption), ``aws_lambda_function.kms_key_arn`` (absent = AWS managed
  key), ``aws_secretsmanager_secret.kms_key_id``, RDS ``storage_encrypted``/``kms_key_id``, OpenSearch
  ``encrypt_at_rest``, ElastiCache ``at_rest_encryption_enabled``.

Tags are ``tags_all`` when the source has it (plan and state: the provider's merge of ``default_tags``
and ``tags``), else the provider ``default_tags`` overridden by the resource's ``tags`` (Terraform
Registry, AWS provider, "default_tags Configuration Block"). ``aws:*`` and ``infra-parity:*`` keys are
left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_infra_parity.inventory import encryption as enc
from pytest_infra_parity.inventory.model import ENCRYPTION_UNKNOWN, UNKNOWN, Encryption, is_internal_tag
from pytest_infra_parity.inventory.tf_types import NAME_ATTRIBUTE
from pytest_infra_parity.inventory.tf_values import Partial, Ref, block, known, reference_text
from pytest_infra_parity.inventory.values import dig


def effective_tags(values: Mapping[str, Any], default_tags: Any) -> Any:
    """The resource's effective tags (see the module docstring); UNKNOWN when only known after apply."""
    tags_all = values.get("tags_all")
    if isinstance(tags_all, Mapping):
        merged: Any = dict(tags_all)
    elif tags_all is not None and not isinstance(tags_all, Mapping):
        return UNKNOWN
    else:
        tags = values.get("tags")
        if tags is not None and not isinstance(tags, Mapping):
            return UNKNOWN
        if default_tags is not None and not isinstance(default_tags, Mapping):
            return UNKNOWN
        merged = {**(default_tags or {}), **(tags or {})}
    return {str(k): _tag_value(v) for k, v in merged.items() if not is_internal_tag(str(k))}


def _tag_value(value: Any) -> Any:
    value = known(value)
    if value is UNKNOWN or value is None:
        return UNKNOWN if value is UNKNOWN else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def physical_id(tf_type: str, values: Mapping[str, Any]) -> Any:
    """What names the resource on AWS: its name attribute (``bucket``, ``function_name``...), else ``id``."""
    attribute = NAME_ATTRIBUTE.get(tf_type, "name")
    value = values.get(attribute)
    if value is None and attribute != "id":
        value = values.get("id")
    if isinstance(value, (Ref, Partial)):
        return UNKNOWN
    if value is None or value is UNKNOWN or isinstance(value, str):
        return value
    return str(value)


def arn(values: Mapping[str, Any]) -> Any:
    value = values.get("arn")
    if isinstance(value, (Ref, Partial)):
        return UNKNOWN
    return value if value is None or value is UNKNOWN or isinstance(value, str) else str(value)


def _key(value: Any) -> Any:
    """A KMS key attribute as the encryption helpers expect it: text, UNKNOWN or ``None``."""
    value = reference_text(value)
    return None if value == "" else value


def _s3_bucket(values: Mapping[str, Any]) -> Encryption:
    config = block(values, "server_side_encryption_configuration")
    if config is UNKNOWN or config is None:
        return enc.SERVICE_MANAGED
    return s3_rule_encryption(config)


def s3_rule_encryption(config: Mapping[str, Any]) -> Encryption:
    """The encryption of a ``rule { apply_server_side_encryption_by_default {...} }`` configuration."""
    rule = block(config, "rule")
    if rule is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    default = block(rule, "apply_server_side_encryption_by_default") if isinstance(rule, Mapping) else None
    if default is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    if not isinstance(default, Mapping):
        return enc.SERVICE_MANAGED
    return enc.s3(known(default.get("sse_algorithm")), _key(default.get("kms_master_key_id")))


def _sqs_queue(values: Mapping[str, Any]) -> Encryption:
    managed = values.get("sqs_managed_sse_enabled")
    return enc.sqs(_key(values.get("kms_master_key_id")), None if managed is UNKNOWN else known(managed))


def _dynamodb_table(values: Mapping[str, Any]) -> Encryption:
    sse = block(values, "server_side_encryption")
    if sse is UNKNOWN or sse is None:  # computed by the provider when not configured: AWS owned key
        return enc.dynamodb(False, None)
    return enc.dynamodb(known(sse.get("enabled")), _key(sse.get("kms_key_arn")))


def _optional(attribute: str, default: Encryption) -> Callable[[Mapping[str, Any]], Encryption]:
    def read(values: Mapping[str, Any]) -> Encryption:
        return enc.optional_kms(_key(values.get(attribute)), default=default)

    return read


def _storage(flag: str, key: str, *, aws_managed: bool = True) -> Callable[[Mapping[str, Any]], Encryption]:
    def read(values: Mapping[str, Any]) -> Encryption:
        return enc.storage(known(values.get(flag)), _key(values.get(key)), aws_managed=aws_managed)

    return read


def _opensearch(values: Mapping[str, Any]) -> Encryption:
    rest = block(values, "encrypt_at_rest")
    if rest is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    return enc.storage(known(dig(rest, "enabled")), _key(dig(rest, "kms_key_id")))


def _parameter(values: Mapping[str, Any]) -> Encryption:
    kind = known(values.get("type"))
    if kind is UNKNOWN:
        return ENCRYPTION_UNKNOWN
    return enc.optional_kms(_key(values.get("key_id")), default=enc.AWS_MANAGED) if kind == "SecureString" \
        else enc.NOT_ENCRYPTED


ENCRYPTION_READERS: dict[str, Callable[[Mapping[str, Any]], Encryption]] = {
    "aws_s3_bucket": _s3_bucket,
    "aws_sqs_queue": _sqs_queue,
    "aws_dynamodb_table": _dynamodb_table,
    "aws_sns_topic": _optional("kms_master_key_id", enc.SNS_DEFAULT),
    "aws_cloudwatch_log_group": _optional("kms_key_id", enc.LOGS_DEFAULT),
    "aws_lambda_function": _optional("kms_key_arn", enc.LAMBDA_DEFAULT),
    "aws_secretsmanager_secret": _optional("kms_key_id", enc.SECRETS_DEFAULT),
    "aws_db_instance": _storage("storage_encrypted", "kms_key_id"),
    "aws_rds_cluster": _storage("storage_encrypted", "kms_key_id"),
    "aws_opensearch_domain": _opensearch,
    "aws_ssm_parameter": _parameter,
    "aws_elasticache_replication_group": _storage("at_rest_encryption_enabled", "kms_key_id", aws_managed=False),
}


def encryption_of(tf_type: str, values: Mapping[str, Any]) -> Encryption | None:
    """The encryption at rest of a resource, ``None`` for types without encryption at rest."""
    reader = ENCRYPTION_READERS.get(tf_type)
    return reader(values) if reader is not None else None
