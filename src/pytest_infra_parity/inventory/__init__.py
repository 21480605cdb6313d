"""One resource model, many sources: live targets, templates, Terraform, Pulumi/SST, snapshots.

Inner room: nothing here imports boto3 or the outer rooms; the live source gets a client factory.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import (
    UNKNOWN,
    AlarmRef,
    Encryption,
    Inventory,
    Observability,
    Resource,
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
    "is_unknown",
    "kind_of",
    "kind_of_word",
]
