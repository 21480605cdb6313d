"""One resource model, many sources: live targets, templates, Terraform, Pulumi/SST, snapshots.

Inner room: nothing here imports boto3 or the outer rooms; the live source gets a client factory.

Modules: :mod:`.model` (the model), :mod:`.links` (alarms, log groups, DLQs and TLS-only policies
linked within an inventory), :mod:`.template` (declared resources with CloudFormation types mapped
onto the model; the mappers are in :mod:`.cfn_storage` and :mod:`.cfn_compute`, encryption rules in
:mod:`.encryption`), :mod:`.live` (read from a target by stack, tags or ARNs), :mod:`.snapshot`
(save and load). The SOURCE dispatcher is :mod:`pytest_infra_parity.sources`.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import (
    UNKNOWN,
    AlarmRef,
    Encryption,
    Inventory,
    Observability,
    Resource,
    effective_tags,
    is_internal_tag,
    is_unknown,
    kind_of,
    kind_of_word,
)

__all__ = [
    "UNKNOWN",
    "AlarmRef",
    "Encryption",
    "Inventory",
    "Observability",
    "Resource",
    "effective_tags",
    "is_internal_tag",
    "is_unknown",
    "kind_of",
    "kind_of_word",
]
