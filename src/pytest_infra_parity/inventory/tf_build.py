"""Inventories from Terraform resource instances, whatever they were read from (HCL, plan, state, Pulumi).

Each source turns its format into :class:`TfInstance` objects (a Terraform type, an address and the
attribute values, UNKNOWN where only known after apply) and calls :func:`build_inventory`, which maps
them onto resources, merges the split configuration resources onto their parent
(:data:`~pytest_infra_parity.inventory.tf_types.MERGED_TYPES`), lists what it skipped in the warnings,
and links alarms, log groups, DLQs and bucket policies (:func:`pytest_infra_parity.inventory.links.link`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory.model import UNTAGGABLE_KINDS, Inventory, Resource, kind_of
from pytest_infra_parity.inventory.tf_attributes import arn, effective_tags, encryption_of, physical_id
from pytest_infra_parity.inventory.tf_merge import merge_split
from pytest_infra_parity.inventory.tf_settings import observability_of, settings_of
from pytest_infra_parity.inventory.tf_types import (
    ARTIFACT_TYPES,
    MERGED_TYPES,
    TAGGED_TYPES_OF_UNTAGGED_KINDS,
    cfn_type,
    is_aws_type,
)
from pytest_infra_parity.inventory.tf_values import arn_region_account


@dataclass
class TfInstance:
    """One resource instance of a Terraform (or bridged Pulumi) source."""

    address: str
    """``module.s3.aws_s3_bucket.this["temp"]`` (Terraform) or the URN name (Pulumi)."""
    tf_type: str
    values: dict[str, Any]
    native_type: str = ""
    location: str | None = None
    default_tags: Mapping[str, Any] | None = None
    region: str | None = None
    account: str | None = None
    aliases: set[str] = field(default_factory=set)
    """Other names the instance answers to when a split resource points at it (a Pulumi URN...)."""


def to_resource(instance: TfInstance, source: str) -> Resource:
    """The model resource of one instance of a type with a CloudFormation equivalent."""
    values = instance.values
    cfn = cfn_type(instance.tf_type) or ""
    kind = kind_of(cfn) if cfn else "other"
    taggable = kind not in UNTAGGABLE_KINDS
    region, account = arn_region_account(values.get("arn"))
    return Resource(
        kind=kind,
        cfn_type=cfn,
        name=instance.address,
        source=source,
        native_type=instance.native_type or instance.tf_type,
        physical_id=physical_id(instance.tf_type, values),
        arn=arn(values),
        region=region or instance.region,
        account=account or instance.account,
        tags=effective_tags(values, instance.default_tags) if taggable or instance.tf_type in
        TAGGED_TYPES_OF_UNTAGGED_KINDS else {},
        taggable=taggable,
        encryption=encryption_of(instance.tf_type, values),
        observability=observability_of(instance.tf_type, values),
        settings=settings_of(instance.tf_type, values),
        location=instance.location,
    )


def build_inventory(source: str, description: str, instances: Iterable[TfInstance],
                    warnings: list[str] | None = None) -> Inventory:
    """The inventory of these instances (see the module docstring); ``source`` names the model source."""
    inventory = Inventory(source=description, warnings=list(warnings or []))
    split: list[TfInstance] = []
    parents: dict[int, TfInstance] = {}
    for instance in instances:
        if instance.tf_type in MERGED_TYPES:
            split.append(instance)
        elif not is_aws_type(instance.tf_type):
            inventory.warnings.append(f"{instance.address}: {instance.native_type or instance.tf_type} is not an "
                                      "AWS resource; ignored")
        elif instance.tf_type in ARTIFACT_TYPES:
            inventory.warnings.append(f"{instance.address}: {instance.tf_type} is a deployment artifact; ignored")
        else:
            if cfn_type(instance.tf_type) is None:
                inventory.warnings.append(f"{instance.address}: {instance.native_type or instance.tf_type} has no "
                                          "CloudFormation equivalent in the model; kind 'other'")
            resource = to_resource(instance, source)
            inventory.resources.append(resource)
            parents[id(resource)] = instance
    merge_split(inventory, split, parents)
    _default_location(inventory)
    _link(inventory)
    return inventory


def _default_location(inventory: Inventory) -> None:
    """Region and account for resources whose ARN does not tell (global, or unknown): the most common ones."""
    regions = Counter(r.region for r in inventory.resources if r.region)
    accounts = Counter(r.account for r in inventory.resources if r.account)
    region = regions.most_common(1)[0][0] if regions else None
    account = accounts.most_common(1)[0][0] if accounts else None
    for resource in inventory.resources:
        resource.region = resource.region or region
        resource.account = resource.account or account


def _link(inventory: Inventory) -> None:
    from pytest_infra_parity.inventory.links import link

    link(inventory)
