"""Inventory of a Terraform state: ``terraform show -json`` output or a raw ``terraform.tfstate`` (v4).

Two documented shapes are read:

- the JSON state representation (Terraform docs, "JSON Output Format", "State Representation"):
  ``{"format_version", "terraform_version", "values": {"outputs", "root_module": {"resources": [...],
  "child_modules": [{"address": "module.x", "resources", "child_modules"}]}}}``, each resource with
  ``address``, ``mode`` (``managed``/``data``), ``type``, ``name``, ``index``, ``provider_name`` and
  ``values`` (the attributes);
- the state file itself, format version 4 (Terraform 0.12+; hashicorp/terraform
  ``internal/states/statefile/version4.go``): ``{"version": 4, "terraform_version", "serial",
  "lineage", "outputs", "resources": [{"module", "mode", "type", "name", "provider", "instances":
  [{"index_key", "schema_version", "attributes", "sensitive_attributes", "dependencies"}]}]}``.

Every value of a state is known; the effective tags are ``tags_all``. Data sources are reads, not
resources: they are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import Inventory
from pytest_infra_parity.inventory.tf_build import TfInstance, build_inventory
from pytest_infra_parity.inventory.tf_json import (
    check_format_version,
    describe_foreign,
    instance_address,
    read_json,
)

SOURCE = "terraform-state"


def load_state(path: Path) -> Inventory:
    """The inventory of a Terraform state file, in either documented shape."""
    path = Path(path)
    document = read_json(path, "Terraform state")
    return load_state_data(document, path)


def load_state_data(document: Any, path: Path | str) -> Inventory:
    """The inventory of an already parsed state document (``path`` names it in messages)."""
    if isinstance(document, dict) and document.get("version") == 4 and isinstance(document.get("resources"), list):
        instances = list(_raw_instances(document, path))
        version = document.get("terraform_version", "?")
        return build_inventory(SOURCE, f"terraform state {path} (tfstate v4, terraform {version})", instances)
    if isinstance(document, dict) and "format_version" in document and "resource_changes" not in document \
            and "planned_values" not in document:
        check_format_version(document, path, "Terraform state")
        values = document.get("values") or {}
        root = values.get("root_module") if isinstance(values, dict) else None
        instances = list(module_instances(root or {}, path)) if root is not None else []
        version = document.get("terraform_version", "?")
        return build_inventory(SOURCE, f"terraform state {path} (show -json, terraform {version})", instances)
    what = describe_foreign(document) or "not a Terraform state"
    raise SourceError(f"expected a Terraform state (terraform show -json, or terraform.tfstate v4); this is {what}",
                      path=path)


def module_instances(module: dict[str, Any], path: Path | str) -> Iterator[TfInstance]:
    """The managed resources of a ``root_module`` / ``child_modules`` tree (state and planned values)."""
    if not isinstance(module, dict):
        raise SourceError("a module of the state is not an object", path=path)
    for resource in module.get("resources") or []:
        if not isinstance(resource, dict) or "type" not in resource or "address" not in resource:
            raise SourceError(f"a resource of module {module.get('address', 'root')!r} has no type or address",
                              path=path)
        if resource.get("mode", "managed") != "managed":
            continue
        yield TfInstance(address=str(resource["address"]), tf_type=str(resource["type"]),
                         values=dict(resource.get("values") or {}))
    for child in module.get("child_modules") or []:
        yield from module_instances(child, path)


def _raw_instances(document: dict[str, Any], path: Path | str) -> Iterator[TfInstance]:
    for resource in document["resources"]:
        if not isinstance(resource, dict) or "type" not in resource or "name" not in resource:
            raise SourceError("a resource of the state file has no type or name", path=path)
        if resource.get("mode", "managed") != "managed":
            continue
        for instance in resource.get("instances") or []:
            attributes = instance.get("attributes")
            if not isinstance(attributes, dict):
                where = instance_address(resource.get("module"), resource["type"], resource["name"],
                                         instance.get("index_key"))
                raise SourceError(f"{where} has no attributes (attributes_flat of a version 3 state?)", path=path)
            if instance.get("deposed"):
                continue
            address = instance_address(resource.get("module"), resource["type"], resource["name"],
                                       instance.get("index_key"))
            yield TfInstance(address=address, tf_type=str(resource["type"]), values=dict(attributes))
