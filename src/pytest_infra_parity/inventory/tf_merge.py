"""Split Terraform configuration resources merged onto the resource they configure.

Since AWS provider v4 a bucket's encryption, versioning, public access block and lifecycle are
separate resources (``aws_s3_bucket_server_side_encryption_configuration``, ``aws_s3_bucket_versioning``,
``aws_s3_bucket_public_access_block``, ``aws_s3_bucket_lifecycle_configuration``... Terraform Registry,
hashicorp/aws, "aws_s3_bucket" usage notes); IAM role policies and attachments, a queue's redrive policy
and a key's policy can be split the same way. CloudFormation declares them inline, so they are merged
onto their parent, found by the value of their parent attribute (``bucket``, ``role``, ``queue_url``):
a name, ARN or id of the parent, or in configurations read offline a reference to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.inventory.model import UNKNOWN, Inventory, Resource
from pytest_infra_parity.inventory.tf_attributes import s3_rule_encryption
from pytest_infra_parity.inventory.tf_settings import redrive
from pytest_infra_parity.inventory.tf_types import MERGED_TYPES
from pytest_infra_parity.inventory.tf_values import Ref, block, blocks, known
from pytest_infra_parity.inventory.values import as_bool

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.tf_build import TfInstance

PUBLIC_ACCESS_FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "ignore_public_acls": "IgnorePublicAcls",
    "restrict_public_buckets": "RestrictPublicBuckets",
}
"""Terraform attribute -> the S3 API's ``PublicAccessBlockConfiguration`` member (the model's keys)."""


def _encryption(resource: Resource, values: Mapping[str, Any]) -> None:
    resource.encryption = s3_rule_encryption(values)
    rule = block(values, "rule")
    resource.settings["bucket_key"] = as_bool(known(rule.get("bucket_key_enabled")), False) \
        if isinstance(rule, Mapping) else rule if rule is UNKNOWN else False


def _versioning(resource: Resource, values: Mapping[str, Any]) -> None:
    config = block(values, "versioning_configuration")
    status = known(config.get("status")) if isinstance(config, Mapping) else config
    resource.settings["versioning"] = UNKNOWN if status is UNKNOWN else status == "Enabled"


def _public_access(resource: Resource, values: Mapping[str, Any]) -> None:
    resource.settings["public_access_block"] = {
        api: as_bool(known(values.get(attribute)), False) for attribute, api in PUBLIC_ACCESS_FLAGS.items()
    }


def _lifecycle(resource: Resource, values: Mapping[str, Any]) -> None:
    rules = blocks(values, "rule")
    resource.settings["lifecycle_rules"] = UNKNOWN if rules is UNKNOWN else len(rules)


def _redrive(resource: Resource, values: Mapping[str, Any]) -> None:
    dlq, count, ref = redrive(values.get("redrive_policy"))
    resource.settings.update({"dlq": dlq, "max_receive_count": count})
    if ref:
        resource.settings["dlq_ref"] = ref


def _nothing(resource: Resource, values: Mapping[str, Any]) -> None:
    """Configuration the model does not describe (CORS, ownership, notifications, role policies): merged."""


APPLY: dict[str, Callable[[Resource, Mapping[str, Any]], None]] = {
    "aws_s3_bucket_server_side_encryption_configuration": _encryption,
    "aws_s3_bucket_versioning": _versioning,
    "aws_s3_bucket_public_access_block": _public_access,
    "aws_s3_bucket_lifecycle_configuration": _lifecycle,
    "aws_sqs_queue_redrive_policy": _redrive,
}


def _names(resource: Resource, instance: TfInstance) -> set[str]:
    found = {resource.name, *instance.aliases}
    for value in (resource.physical_id, resource.arn, instance.values.get("id"), instance.values.get("url"),
                  instance.values.get("name")):
        if isinstance(value, str) and value:
            found.add(value)
    return found


def _target(value: Any) -> str | None:
    if isinstance(value, Ref):
        return value.address
    return value if isinstance(value, str) and value else None


def merge_split(inventory: Inventory, split: list[TfInstance], parents: Mapping[int, TfInstance]) -> None:
    """Apply each split instance to its parent resource; a split without parent is a warning."""
    by_type: dict[str, list[tuple[Resource, set[str]]]] = {}
    for resource in inventory.resources:
        instance = parents[id(resource)]
        by_type.setdefault(instance.tf_type, []).append((resource, _names(resource, instance)))
    for instance in split:
        parent_type, attribute = MERGED_TYPES[instance.tf_type]
        target = _target(instance.values.get(attribute))
        matches = [r for r, names in by_type.get(parent_type, []) if target is not None and target in names]
        if not matches:
            shown = "a value known only after apply" if target is None else repr(target)
            inventory.warnings.append(f"{instance.address}: configures {parent_type} {shown}, which is not in "
                                      "this inventory; not merged")
            continue
        APPLY.get(instance.tf_type, _nothing)(matches[0], instance.values)
