"""Declared state: resources with CloudFormation types and resolved properties, mapped onto the model.

Every declarative source ends here: a CloudFormation/SAM/CDK template (through
:mod:`pytest_infra_parity.deploy.declared`), and the Terraform and Pulumi sources once they have mapped
their native types onto CloudFormation types and property shapes. Properties arrive with intrinsic
functions resolved; a value only known at deploy time is :data:`~.model.UNKNOWN`.

Each CloudFormation type of :data:`~.model.KIND_BY_CFN_TYPE` gets its kind, tags (``Tags`` as a list
of ``{Key, Value}`` or as a mapping, as the type declares them), encryption at rest
(:mod:`.encryption`), settings and observability (the mappers of :mod:`.cfn_storage` and
:mod:`.cfn_compute`). A type outside that table becomes kind ``other`` with a warning in
:attr:`~.model.Inventory.warnings`: it is never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory.links import link
from pytest_infra_parity.inventory.model import (
    UNTAGGABLE_KINDS,
    Inventory,
    Resource,
    Unknown,
    effective_tags,
    kind_of,
)


@dataclass
class Declared:
    """One declared resource: CloudFormation type, resolved properties, identity when known."""

    logical_id: str
    """The resource's name in its source: logical id, Terraform address, Pulumi name."""
    cfn_type: str
    properties: Mapping[str, Any]
    """Intrinsics resolved; :data:`~.model.UNKNOWN` where the value is only known at deploy time."""
    physical_id: str | Unknown | None = None
    arn: str | Unknown | None = None
    location: str | None = None
    """``file:line`` of the declaration."""
    references: dict[str, str] = field(default_factory=dict)
    """For values that are UNKNOWN because they refer to another resource of the same source: the
    property path (``Dimensions[0].Value``, ``Bucket``, ``RedrivePolicy.deadLetterTargetArn``) -> the
    name of that resource. Lets links be made although the value itself is unknown."""
    native_type: str = ""
    """The type in its source (Terraform ``aws_s3_bucket``...); the CloudFormation type when empty."""


Mapper = Callable[[Resource, Declared], None]
"""Fills a resource's encryption, settings and observability from its declared properties."""

TAGS_PROPERTY: dict[str, str] = {"AWS::Cognito::UserPool": "UserPoolTags", "AWS::Route53::HostedZone": "HostedZoneTags"}
"""Types whose tags live under another property than ``Tags``."""


def _mappers() -> dict[str, Mapper]:
    from pytest_infra_parity.inventory import cfn_compute, cfn_storage

    return {**cfn_storage.MAPPERS, **cfn_compute.MAPPERS}


def from_declared(items: Iterable[Declared], *, source: str, region: str | None, account: str | None,
                  description: str | None = None) -> Inventory:
    """The inventory of declared resources; ``source`` is what each resource's ``source`` says
    (``template``, ``terraform-plan``...), ``description`` the inventory's (default: ``source``)."""
    inventory = Inventory(source=description or source)
    mappers = _mappers()
    for item in items:
        inventory.resources.append(to_resource(item, source=source, region=region, account=account,
                                               mappers=mappers, warnings=inventory.warnings))
    link(inventory)
    return inventory


def to_resource(item: Declared, *, source: str, region: str | None, account: str | None,
                mappers: Mapping[str, Mapper] | None = None, warnings: list[str] | None = None) -> Resource:
    """One declared resource, mapped; a type without a kind is ``other`` with a warning."""
    mappers = mappers if mappers is not None else _mappers()
    kind = kind_of(item.cfn_type)
    resource = Resource(
        kind=kind, cfn_type=item.cfn_type, name=item.logical_id, source=source,
        native_type=item.native_type or item.cfn_type, physical_id=item.physical_id, arn=item.arn,
        region=region, account=account, taggable=kind not in UNTAGGABLE_KINDS, location=item.location,
    )
    where = f" at {item.location}" if item.location else ""
    try:
        resource.tags = effective_tags(item.properties.get(TAGS_PROPERTY.get(item.cfn_type, "Tags")))
    except TypeError as exc:
        resource.tags = {}
        if warnings is not None:
            warnings.append(f"{item.logical_id} ({item.cfn_type}){where}: tags not read: {exc}")
    if kind == "other":
        resource.taggable = "Tags" in item.properties
        if warnings is not None:
            warnings.append(f"{item.logical_id}{where}: type {item.cfn_type} has no kind in the inventory "
                            "model; kept as kind 'other' (tags only)")
        return resource
    mapper = mappers.get(item.cfn_type)
    if mapper is not None:
        mapper(resource, item)
    return resource
