"""Load the per-policy data fixtures (``data/<POLICY_ID>.yaml``) into inventories.

A fixture lists resources named by the outcome the policy must give them (checkov style):
``pass_*``, ``fail_*``, ``unknown_*``, and ``skip_*`` for resources the policy does not apply to (no
finding). ``!unknown`` is :data:`UNKNOWN` (a value known only after apply). An optional ``expect``
on a resource is a piece of text its finding's message must contain; ``options`` at the top level
are :class:`PolicyOptions` fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_infra_parity.inventory.model import (
    KIND_BY_CFN_TYPE,
    UNKNOWN,
    UNTAGGABLE_KINDS,
    AlarmRef,
    Encryption,
    Inventory,
    Observability,
    Resource,
)
from pytest_infra_parity.policies import PolicyOptions

DATA = Path(__file__).parent / "data"
PREFIXES = ("pass_", "fail_", "unknown_", "skip_")
_CFN_BY_KIND = {kind: cfn for cfn, kind in reversed(list(KIND_BY_CFN_TYPE.items()))}
_CFN_BY_KIND.update({"rest api": "AWS::ApiGateway::RestApi", "other": "AWS::Custom::Thing"})


class _Loader(yaml.SafeLoader):
    """SafeLoader with ``!unknown``."""


_Loader.add_constructor("!unknown", lambda loader, node: UNKNOWN)


@dataclass
class PolicyData:
    policy_id: str
    inventory: Inventory
    options: PolicyOptions
    expected_text: dict[str, str] = field(default_factory=dict)

    def names(self, prefix: str) -> set[str]:
        return {r.name for r in self.inventory.resources if r.name.startswith(prefix)}


def _alarms(items: Any) -> list[AlarmRef]:
    return [AlarmRef(i["alarm"], i["metric"], i.get("namespace", "")) for i in items or []]


def _encryption(value: Any) -> Any:
    """``None`` (kind without encryption), UNKNOWN as is, else an :class:`Encryption`."""
    if value is None or value is UNKNOWN:
        return value
    return Encryption(value["mode"], value.get("key"))


def resource_from(entry: dict[str, Any], path: Path) -> Resource:
    """One resource of a data file; unknown keys are an error (a typo would silently test nothing)."""
    allowed = {"name", "kind", "cfn_type", "tags", "taggable", "encryption", "observability", "settings",
               "physical_id", "location", "expect"}
    extra = set(entry) - allowed
    assert not extra, f"{path.name}: resource {entry.get('name')} has unknown keys {sorted(extra)}"
    kind = entry["kind"]
    obs = entry.get("observability") or {}
    return Resource(
        kind=kind, cfn_type=entry.get("cfn_type", _CFN_BY_KIND.get(kind, "AWS::Unknown::Type")),
        name=entry["name"], source="template", physical_id=entry.get("physical_id"),
        tags=entry.get("tags", {}), taggable=entry.get("taggable", kind not in UNTAGGABLE_KINDS),
        encryption=_encryption(entry.get("encryption")),
        observability=Observability(
            alarms=_alarms(obs.get("alarms")), possible_alarms=_alarms(obs.get("possible_alarms")),
            log_retention_days=obs.get("log_retention_days"), tracing=obs.get("tracing")),
        settings=dict(entry.get("settings") or {}), location=entry.get("location", f"{path.name}:{entry['name']}"),
    )


def load(policy_id: str) -> PolicyData:
    path = DATA / f"{policy_id}.yaml"
    assert path.is_file(), f"policy {policy_id} has no data fixture: add {path.relative_to(DATA.parents[2])}"
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    assert raw.get("policy") == policy_id, f"{path.name}: 'policy' must be {policy_id}"
    resources = [resource_from(entry, path) for entry in raw["resources"]]
    for resource in resources:
        assert resource.name.startswith(PREFIXES), f"{path.name}: {resource.name} must start with one of {PREFIXES}"
    expected = {e["name"]: e["expect"] for e in raw["resources"] if "expect" in e}
    return PolicyData(policy_id, Inventory(f"data {path.name}", resources),
                      PolicyOptions(**(raw.get("options") or {})), expected)


def data_files() -> list[Path]:
    return sorted(DATA.glob("*.yaml"))
