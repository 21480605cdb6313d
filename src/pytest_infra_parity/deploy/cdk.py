"""CDK synth output (``cdk.out/<Stack>.template.json``) as a design.

A synthesized template differs from a hand-written one in three ways the plugin handles:

* Lambda code and other file assets point at the bootstrap bucket (``cdk-<qualifier>-assets-...``);
  the resource's ``aws:asset:path`` / ``aws:asset:property`` metadata names the folder in ``cdk.out``
  holding the same content, which the plugin packages itself (as SAM CLI does for CDK);
* ``AWS::CDK::Metadata`` reports library usage to AWS and creates nothing;
* the ``BootstrapVersion`` parameter reads ``/cdk-bootstrap/<qualifier>/version`` from SSM, which only
  an account bootstrapped with ``cdk bootstrap`` has: on an emulated target the plugin writes it
  (the version the template's ``CheckBootstrapVersion`` rule accepts) for the time of the deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

METADATA_ONLY_TYPES = frozenset({"AWS::CDK::Metadata"})
"""Types that create nothing: the applier records them as skipped, with the reason."""

BOOTSTRAP_PREFIX = "/cdk-bootstrap/"
BOOTSTRAP_VERSION = "21"
"""The bootstrap stack version ``cdk bootstrap`` deploys today (CDK v2 checks ``>= 6``)."""


def localize_assets(body: dict[str, Any], base_dir: Path) -> None:
    """Point each resource with a folder asset in ``cdk.out`` at that folder (``{"LocalPath": ...}``)."""
    for resource in body.get("Resources", {}).values():
        metadata = resource.get("Metadata") or {}
        asset_path = metadata.get("aws:asset:path")
        asset_property = metadata.get("aws:asset:property")
        if not (isinstance(asset_path, str) and isinstance(asset_property, str)):
            continue
        folder = (base_dir / asset_path).resolve()
        props = resource.get("Properties") or {}
        if folder.is_dir() and asset_property in props:
            props[asset_property] = {"LocalPath": str(folder)}


def bootstrap_parameters(parameters: dict[str, Any]) -> dict[str, str]:
    """SSM parameters a CDK template reads from the bootstrap stack: name -> value to provide."""
    needed: dict[str, str] = {}
    for decl in parameters.values():
        default = getattr(decl, "default", None)
        kind = str(getattr(decl, "type", ""))
        if kind.startswith("AWS::SSM::Parameter::Value") and str(default or "").startswith(BOOTSTRAP_PREFIX):
            needed[str(default)] = BOOTSTRAP_VERSION
    return needed
