"""Builders of small inventories spelled like each source, for the parity tests."""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.inventory.model import (
    KIND_BY_CFN_TYPE,
    AlarmRef,
    Encryption,
    Inventory,
    Observability,
    Resource,
)

CFN_BY_KIND = {kind: cfn for cfn, kind in KIND_BY_CFN_TYPE.items()}
TAGS = {"Project": "photoeditor", "Env": "dev", "Owner": "platform", "CostCenter": "media"}


def res(kind: str, name: str, *, source: str = "template", physical: Any = None, tags: Any = None,
        enc: Encryption | None = None, alarms: tuple[str, ...] = (), retention: Any = None, tracing: Any = None,
        settings: dict[str, Any] | None = None, arn: Any = None, taggable: bool = True,
        cfn_type: str | None = None) -> Resource:
    """One resource; ``alarms`` are metric names (the alarm is named after the metric)."""
    return Resource(
        kind=kind, cfn_type=cfn_type or CFN_BY_KIND[kind], name=name, source=source, physical_id=physical,
        arn=arn, tags=dict(TAGS) if tags is None else tags, taggable=taggable, encryption=enc,
        observability=Observability(alarms=[AlarmRef(f"{name}-{m}", m) for m in alarms],
                                    log_retention_days=retention, tracing=tracing),
        settings=dict(settings or {}),
    )


def inv(source: str, *resources: Resource) -> Inventory:
    return Inventory(source, list(resources))


def cmk(key: str | None) -> Encryption:
    return Encryption("customer-managed", key)
