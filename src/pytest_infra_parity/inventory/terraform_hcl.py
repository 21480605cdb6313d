"""Inventory of a Terraform configuration folder (HCL), read offline with python-hcl2.

The root module's ``.tf`` files and the local modules it calls are evaluated the way ``terraform plan``
would before contacting AWS (see :mod:`~pytest_infra_parity.inventory.tf_hcl_module` and
:mod:`~pytest_infra_parity.inventory.tf_hcl_vars`): variables from defaults, ``.tfvars`` files and the
given values, locals, ``${...}`` interpolation, ``count``/``for_each``/``dynamic``, module outputs.
Names are Terraform addresses (``module.storage.aws_s3_bucket.this``), locations ``file:line``.

What only AWS can tell is UNKNOWN, never missing. A computed attribute referenced by another resource
keeps the reference: the encryption ``key`` of the resources a key encrypts is the text
``module.kms.aws_kms_key.this.arn``; an alarm dimension or a redrive target naming another resource by its
id/ARN is UNKNOWN with the resource's address in ``settings["dimension_refs"]`` / ``settings["dlq_ref"]``
/ ``settings["bucket_ref"]``, so alarms, DLQs and bucket policies link offline. ARNs that are a function
of the name, Region and account are computed (:data:`~pytest_infra_parity.inventory.tf_types.ARN_FORMATS`).
Effective tags merge the provider's ``default_tags`` under the resource's ``tags``. Data sources are
reads (``data.aws_region``/``data.aws_partition``/``data.aws_caller_identity`` are answered from the
provider's configuration, others are unknown); ``.tf.json`` files and remote module sources are not
read (a warning says so). With ``strict=True`` an ``aws_*`` type the model does not know is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNTAGGABLE_KINDS, Inventory, kind_of
from pytest_infra_parity.inventory.tf_build import TfInstance, build_inventory
from pytest_infra_parity.inventory.tf_hcl_module import Loader, Module
from pytest_infra_parity.inventory.tf_hcl_objects import ResourceObject
from pytest_infra_parity.inventory.tf_hcl_vars import file_values
from pytest_infra_parity.inventory.tf_types import (
    ARN_FORMATS,
    ARTIFACT_TYPES,
    MERGED_TYPES,
    NAME_ATTRIBUTE,
    cfn_type,
    is_aws_type,
    misspelt_type,
)

SOURCE = "terraform-hcl"


def load_hcl(folder: Path, *, variables: Mapping[str, Any] | None = None, var_files: Sequence[Path] = (),
             strict: bool = False) -> Inventory:
    """The inventory a Terraform configuration folder declares (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError("not a folder of Terraform files", path=folder)
    root = folder.resolve()
    loader = Loader(root=root, given=dict(variables or {}), files=file_values(root, [Path(p) for p in var_files]))
    declared = _declared(root)
    undeclared = set(loader.given) - declared
    if undeclared:  # as `terraform plan -var` does: "Value for undeclared variable"
        raise SourceError(f"value for undeclared variable(s) {', '.join(sorted(undeclared))}: the root module "
                          f"declares {', '.join(sorted(declared)) or 'no variable'}", path=root)
    module = Module(loader, root)
    instances = list(_instances(module, folder, strict))
    if any(root.glob("*.tf.json")):
        loader.warn("JSON configuration files (*.tf.json) are not read")
    return build_inventory(SOURCE, f"terraform configuration {folder}", instances, loader.warnings)


def _declared(root: Path) -> set[str]:
    from pytest_infra_parity.inventory.tf_hcl_body import read_blocks

    return {b.labels[0] for path in root.glob("*.tf") for b in read_blocks(path) if b.type == "variable" and b.labels}


def _instances(module: Module, shown_root: Path, strict: bool) -> Iterator[TfInstance]:
    for block, key, env in module.instance_blocks():
        tf_type = block.labels[0]
        reference = ResourceObject(module, block, key, env, data=False)
        if strict and is_aws_type(tf_type) and cfn_type(tf_type) is None and tf_type not in MERGED_TYPES \
                and tf_type not in ARTIFACT_TYPES:
            raise SourceError(f"{reference.address}: unknown resource type {tf_type}", path=block.file, line=block.line)
        if (near := misspelt_type(tf_type)) is not None:
            raise SourceError(f"{reference.address}: unknown resource type {tf_type} (did you mean {near}?)",
                              path=block.file, line=block.line)
        values = module.body_values(block.body, env, reference.address)
        if cfn_type(tf_type) is not None:
            _computed(values, tf_type, reference)
        provider = module.provider_for(block)
        yield TfInstance(address=reference.address, tf_type=tf_type, values=values,
                         location=_location(block, shown_root, module.loader.root), default_tags=provider.default_tags,
                         region=provider.region if isinstance(provider.region, str) else None,
                         account=provider.account if isinstance(provider.account, str) else None)
    for child in module.children():
        yield from _instances(child, shown_root, strict)


def _computed(values: dict[str, Any], tf_type: str, reference: ResourceObject) -> None:
    """Name, id and ARN the provider computes: known where derivable (a bucket's ARN), else references."""
    taggable = kind_of(cfn_type(tf_type) or "") not in UNTAGGABLE_KINDS
    named = [NAME_ATTRIBUTE.get(tf_type, "name")] if taggable or tf_type in NAME_ATTRIBUTE else []
    for attribute in named + (["arn"] if taggable or tf_type in ARN_FORMATS else []) + ["id"]:
        values.setdefault(attribute, reference.attr(attribute))


def _location(block: Any, shown_root: Path, root: Path) -> str:
    try:
        path = shown_root / Path(block.file).relative_to(root)
    except ValueError:
        path = Path(block.file)
    return f"{path}:{block.line}" if block.line else str(path)
