"""Inventory of a Pulumi state (``pulumi stack export``), including SST v3 apps, which store Pulumi state.

Shapes read (Pulumi ``sdk/go/common/apitype``, ``UntypedDeployment`` / ``DeploymentV3`` /
``CheckpointV3``; Pulumi docs, "pulumi stack export"):

- ``{"version": 3, "deployment": {"manifest", "secrets_providers", "resources": [...]}}`` (stack export);
- ``{"version": 3, "checkpoint": {"stack", "latest": {deployment}}}``, the checkpoint file a DIY backend
  (and SST's state bucket) stores;
- a bare deployment ``{"manifest", "resources"}``.

Each resource has ``urn`` (``urn:pulumi:<stack>::<project>::<parent types $ type>::<name>``), ``custom``,
``id``, ``type``, ``inputs``, ``outputs``, ``parent`` and ``provider`` (``<provider urn>::<id>``).
Components (``custom: false``: the stack, SST's ``sst:aws:*`` components) and providers are not
resources; ``aws:*`` tokens are bridged from the Terraform AWS provider and mapped through their
Terraform type (:func:`~pytest_infra_parity.inventory.tf_types.tf_type_of_pulumi`), their camelCase
values converted to the provider's snake_case attributes (list attributes are pluralized by the bridge:
``rules`` is Terraform's ``rule``). Secrets are UNKNOWN unless exported with ``--show-secrets``; the
engine's unknown sentinel is UNKNOWN. Tags are ``tagsAll`` (the provider's ``defaultTags`` merged in).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, Inventory
from pytest_infra_parity.inventory.tf_build import TfInstance, build_inventory
from pytest_infra_parity.inventory.tf_json import describe_foreign, read_json
from pytest_infra_parity.inventory.tf_types import tf_type_of_pulumi
from pytest_infra_parity.inventory.tf_values import snake_keys

SOURCE = "pulumi"
SIG_KEY = "4dabf18193072939515e22adb298388d"
"""``resource.sig.Key``: the key marking a special value (secret, asset, archive) in Pulumi state."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""``resource.sig.Secret``: the signature of a secret value."""
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""``plugin.UnknownStringValue``: an output not known yet."""
PLURALS = {
    "rules": "rule", "lifecycle_rules": "lifecycle_rule", "metric_queries": "metric_query",
    "inline_policies": "inline_policy", "attributes": "attribute", "cors_rules": "cors_rule",
    "server_side_encryption_configurations": "server_side_encryption_configuration", "versionings": "versioning",
    "global_secondary_indexes": "global_secondary_index", "transitions": "transition", "replicas": "replica",
}
"""Bridged list attributes back to their Terraform block names."""


def load_pulumi_state(path: Path) -> Inventory:
    """The inventory of a ``pulumi stack export`` file (or an SST v3 state of the same shape)."""
    path = Path(path)
    return load_pulumi_data(read_json(path, "Pulumi state"), path)


def load_pulumi_data(document: Any, path: Path | str) -> Inventory:
    deployment, stack = _deployment(document, path)
    resources = deployment.get("resources") or []
    if not isinstance(resources, list):
        raise SourceError("deployment.resources is not a list", path=path)
    providers = _providers(resources)
    warnings: list[str] = []
    instances = list(_instances(resources, providers, warnings, path))
    return build_inventory(SOURCE, f"pulumi state {path}" + (f" (stack {stack})" if stack else ""), instances,
                           warnings)


def _deployment(document: Any, path: Path | str) -> tuple[dict[str, Any], str]:
    if isinstance(document, dict):
        version = document.get("version")
        if isinstance(version, int) and version > 3 and ("deployment" in document or "checkpoint" in document):
            raise SourceError(f"Pulumi deployment version {version} is not supported (1 to 3 are)", path=path)
        body = document.get("deployment")
        if isinstance(document.get("checkpoint"), dict):
            checkpoint = document["checkpoint"]
            body = checkpoint.get("latest") or {"resources": []}
            return body, str(checkpoint.get("stack", ""))
        if isinstance(body, dict):
            return body, ""
        if isinstance(document.get("resources"), list) and "manifest" in document:
            return document, ""
    what = describe_foreign(document) or "not a Pulumi state"
    raise SourceError(f"expected a Pulumi state (pulumi stack export, or an SST state); this is {what}", path=path)


def parse_urn(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of a Pulumi URN."""
    if not urn.startswith("urn:pulumi:"):
        raise ValueError(urn)
    parts = urn[len("urn:pulumi:"):].split("::", 3)
    if len(parts) != 4:
        raise ValueError(urn)
    return parts[0], parts[1], parts[2], parts[3]


def decode(value: Any) -> Any:
    """A state value with secrets opened (or UNKNOWN) and the unknown sentinel as UNKNOWN."""
    if isinstance(value, str):
        return UNKNOWN if value == UNKNOWN_SENTINEL else value
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                try:
                    return decode(json.loads(str(value["plaintext"])))
                except ValueError:
                    return UNKNOWN
            return UNKNOWN
        return {k: decode(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _depluralize(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {PLURALS.get(k, k): _depluralize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_depluralize(v) for v in value]
    return value


def _providers(resources: list[Any]) -> dict[str, tuple[Any, str | None]]:
    """Provider reference (``urn::id``) -> (default tags, region) of each ``pulumi:providers:aws``."""
    found: dict[str, tuple[Any, str | None]] = {}
    for resource in resources:
        if not isinstance(resource, dict) or resource.get("type") != "pulumi:providers:aws":
            continue
        inputs = decode(resource.get("inputs") or {})
        tags = inputs.get("defaultTags")
        if isinstance(tags, str):
            try:
                tags = json.loads(tags)
            except ValueError:
                tags = None
        default = tags.get("tags") if isinstance(tags, Mapping) else None
        region = inputs.get("region") if isinstance(inputs.get("region"), str) else None
        found[f"{resource.get('urn')}::{resource.get('id')}"] = (default, region)
    return found


def _instances(resources: list[Any], providers: Mapping[str, tuple[Any, str | None]], warnings: list[str],
               path: Path | str) -> Iterator[TfInstance]:
    for resource in resources:
        if not isinstance(resource, dict) or not isinstance(resource.get("urn"), str):
            raise SourceError("a resource of the deployment has no urn", path=path)
        token = str(resource.get("type", ""))
        if not resource.get("custom") or token.startswith("pulumi:"):
            continue
        try:
            name = parse_urn(resource["urn"])[3]
        except ValueError:
            raise SourceError(f"malformed URN {resource['urn']!r}", path=path) from None
        tf_type = tf_type_of_pulumi(token)
        if tf_type is None:
            warnings.append(f"{name}: {token} is not a bridged AWS resource; ignored")
            continue
        outputs = resource.get("outputs") or resource.get("inputs") or {}
        values = _depluralize(snake_keys(decode(outputs)))
        if "id" not in values and resource.get("id"):
            values["id"] = resource["id"]
        default_tags, region = providers.get(str(resource.get("provider", "")), (None, None))
        yield TfInstance(address=name, tf_type=tf_type, values=values, native_type=token,
                         default_tags=default_tags, region=region, aliases={resource["urn"]})
