"""The deployment ledger: what the applier created, kept on the target itself.

After each resource is created, the applier writes one SSM parameter
``/infra-parity/stacks/<stack>/<logical id>`` with its type, physical id, attributes, creation order,
run id and time. A run that is killed leaves its ledger behind, so ``infra-parity sweep`` can delete
exactly what it created, in reverse order, through the same provisioners.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.deploy.provisioners.base import ClientFactory, is_not_found

PREFIX = "/infra-parity/stacks"


@dataclass(frozen=True)
class LedgerEntry:
    stack_name: str
    logical_id: str
    resource_type: str
    physical_id: str
    attributes: dict[str, Any]
    properties: dict[str, Any]
    order: int
    run_id: str
    created_at: float
    region: str


def _name(stack_name: str, logical_id: str) -> str:
    return f"{PREFIX}/{stack_name}/{logical_id}"


def record(clients: ClientFactory, entry: LedgerEntry) -> None:
    body = json.dumps(entry.__dict__, default=str, sort_keys=True)
    if len(body) > 8000:  # an SSM advanced parameter holds 8 KB: keep what the sweeper needs
        slim = dict(entry.__dict__, properties={})
        body = json.dumps(slim, default=str, sort_keys=True)
    clients("ssm").put_parameter(
        Name=_name(entry.stack_name, entry.logical_id),
        Value=body,
        Type="String",
        Tier="Advanced" if len(body) > 4096 else "Standard",
        Overwrite=True,
    )


def forget(clients: ClientFactory, stack_name: str, logical_id: str) -> None:
    try:
        clients("ssm").delete_parameter(Name=_name(stack_name, logical_id))
    except Exception as exc:
        if not is_not_found(exc):
            raise


def read(clients: ClientFactory, stack_name: str | None = None) -> list[LedgerEntry]:
    """Every ledger entry on the target (of one stack, or of all), oldest first."""
    path = f"{PREFIX}/{stack_name}" if stack_name else PREFIX
    entries: list[LedgerEntry] = []
    paginator = clients("ssm").get_paginator("get_parameters_by_path")
    for page in paginator.paginate(Path=path, Recursive=True):
        for param in page.get("Parameters", []):
            data = json.loads(param["Value"])
            data.setdefault("properties", {})
            entries.append(LedgerEntry(**data))
    return sorted(entries, key=lambda e: (e.stack_name, e.order))


def new_entry(
    stack_name: str,
    logical_id: str,
    resource_type: str,
    physical_id: str,
    attributes: dict[str, Any],
    properties: dict[str, Any],
    order: int,
    run_id: str,
    region: str,
) -> LedgerEntry:
    return LedgerEntry(
        stack_name=stack_name,
        logical_id=logical_id,
        resource_type=resource_type,
        physical_id=physical_id,
        attributes=attributes,
        properties=properties,
        order=order,
        run_id=run_id,
        created_at=time.time(),
        region=region,
    )
