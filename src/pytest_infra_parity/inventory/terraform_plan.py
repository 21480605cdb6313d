"""Inventory of a Terraform plan: the JSON of ``terraform show -json PLANFILE``.

The plan representation (Terraform docs, "JSON Output Format", "Plan Representation"; hashicorp/
terraform ``internal/command/jsonplan``) has ``format_version``, ``terraform_version``, ``variables``,
``planned_values`` (a state-shaped ``root_module``/``child_modules`` tree in which unknown values are
"omitted or set to null, making them indistinguishable from absent values"), ``resource_changes``
(``address``, ``module_address``, ``mode``, ``type``, ``name``, ``index``, ``change`` with ``actions``,
``before``, ``after``, ``after_unknown``), ``prior_state`` and ``configuration``.

The inventory is what the plan would leave: every managed ``resource_changes`` entry whose actions are
not a plain ``delete`` (or ``forget``), with its ``after`` value. Leaves that ``after_unknown`` marks are
UNKNOWN, never missing; an unknown argument whose configuration expression references another
resource keeps that reference (:mod:`~pytest_infra_parity.inventory.tf_plan_refs`), so a key id only
known after apply still names ``module.kms.aws_kms_key.this.arn``; a queue's redrive policy only known
after apply still names the queue whose ARN its expression reads (its ``maxReceiveCount`` stays unknown).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, Inventory
from pytest_infra_parity.inventory.tf_build import TfInstance, build_inventory
from pytest_infra_parity.inventory.tf_json import check_format_version, describe_foreign, read_json
from pytest_infra_parity.inventory.tf_plan_refs import (
    ConfigModule,
    merge_unknown,
    module_for,
    redrive_target,
    trace_unknown,
)

SOURCE = "terraform-plan"
_GONE = ({"delete"}, {"forget"})


def load_plan(path: Path) -> Inventory:
    """The inventory a Terraform plan JSON file describes."""
    path = Path(path)
    return load_plan_data(read_json(path, "Terraform plan"), path)


def load_plan_data(data: Any, path: Path | str) -> Inventory:
    """The inventory of an already parsed plan document (``path`` names it in messages)."""
    if not isinstance(data, dict) or ("resource_changes" not in data and "planned_values" not in data):
        what = describe_foreign(data) or "not a Terraform plan"
        raise SourceError(f"expected a Terraform plan (terraform show -json PLANFILE); this is {what}", path=path)
    check_format_version(data, path, "Terraform plan")
    changes = data.get("resource_changes")
    if changes is None:
        changes = []
    if not isinstance(changes, list):
        raise SourceError("resource_changes is not a list", path=path)
    configuration = data.get("configuration") or {}
    root = ConfigModule(configuration.get("root_module") or {})
    region = _region(configuration, data.get("variables") or {})
    instances = list(_instances(changes, root, region, path))
    version = data.get("terraform_version", "?")
    return build_inventory(SOURCE, f"terraform plan {path} (terraform {version})", instances)


def _instances(changes: list[Any], root: ConfigModule, region: str | None, path: Path | str) -> Iterator[TfInstance]:
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
            raise SourceError("a resource change has no change object", path=path)
        address = change.get("address")
        tf_type = change.get("type")
        if not isinstance(address, str) or not isinstance(tf_type, str):
            raise SourceError("a resource change has no address or type", path=path)
        if change.get("mode", "managed") != "managed" or change.get("deposed"):
            continue
        body = change["change"]
        actions = body.get("actions")
        if not isinstance(actions, list):
            raise SourceError(f"{address}: change.actions is not a list", path=path)
        if set(actions) in _GONE:
            continue
        values = merge_unknown(body.get("after"), body.get("after_unknown"))
        if not isinstance(values, dict):
            raise SourceError(f"{address}: change.after is not an object", path=path)
        module = module_for(root, change.get("module_address"))
        if module is not None:
            expressions = (module.resource(tf_type, str(change.get("name", ""))) or {}).get("expressions")
            values = trace_unknown(values, expressions, module)
            if tf_type == "aws_sqs_queue" and values.get("redrive_policy") is UNKNOWN:
                values["redrive_policy"] = redrive_target(expressions, module)
        yield TfInstance(address=address, tf_type=tf_type, values=values, region=region)


def _region(configuration: Mapping[str, Any], variables: Mapping[str, Any]) -> str | None:
    """The default ``aws`` provider's region: a constant, or the root variable it references."""
    provider = (configuration.get("provider_config") or {}).get("aws")
    expression = ((provider or {}).get("expressions") or {}).get("region") if isinstance(provider, Mapping) else None
    if not isinstance(expression, Mapping):
        return None
    if isinstance(expression.get("constant_value"), str):
        return str(expression["constant_value"])
    for reference in expression.get("references") or []:
        if isinstance(reference, str) and reference.startswith("var."):
            value = (variables.get(reference[4:]) or {}).get("value")
            if isinstance(value, str):
                return value
    return None
