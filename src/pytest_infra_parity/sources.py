"""Open an inventory SOURCE, whatever it is: a design, a template, Terraform, Pulumi, a snapshot, live.

A SOURCE is, in the order it is recognised:

1. ``live:stack=NAME``, ``live:tags=K=V,K=V`` or ``live:arns=ARN,ARN``: read from the target (clients
   needed). A stack is found in the applier's ledger on the target, else through CloudFormation.
2. A folder: a design folder (``design.yaml``) first; else a Terraform configuration (``*.tf``
   files); else a folder holding a template (``template.yaml``...).
3. A ``.tf`` file: its folder, as a Terraform configuration.
4. A JSON file, sniffed by its content: an inventory snapshot (``"format":
   "pytest-infra-parity/inventory"``), a Terraform plan (``terraform show -json`` of a plan:
   ``planned_values`` / ``resource_changes``), Terraform state (``terraform show -json`` of a state:
   ``values`` without ``planned_values``; or a raw ``terraform.tfstate``: ``version`` 4 with
   ``terraform_version`` and ``resources``), a Pulumi / SST v3 state (``pulumi stack export``:
   ``version`` 3 and ``deployment``), a CloudFormation template (``Resources``).
5. A YAML template file (``.yaml``, ``.yml``, ``.template``).
6. A design name (built-in, or in ``design_paths``).

Templates and designs are declared offline (:func:`pytest_infra_parity.deploy.declared.declare`), a
design with its ``design.yaml`` parameters. Anything else is a :class:`~.errors.SourceError` listing
the kinds of SOURCE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import DesignError, SourceError
from pytest_infra_parity.inventory.model import Inventory

SOURCE_KINDS = (
    "a design name (e.g. photoeditor)",
    "a design folder or a template file (.yaml, .yml, .json, .template)",
    "a Terraform folder (*.tf files)",
    "a Terraform plan or state JSON file (terraform show -json), or a terraform.tfstate file",
    "a Pulumi/SST state file (pulumi stack export)",
    "an inventory snapshot (.json)",
    "live:stack=NAME, live:tags=Key=Value,Key=Value or live:arns=ARN,ARN (needs a target)",
)
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".template")


def accepted_kinds() -> str:
    """The kinds of SOURCE, for error messages and help texts."""
    return "; ".join(SOURCE_KINDS)


def _error(message: str, path: Path | None = None) -> SourceError:
    return SourceError(f"{message}\n  a SOURCE is one of: {accepted_kinds()}", path=path)


def open_source(spec: str, *, base: Path, design_paths: Sequence[Path] = (), clients: Any = None,
                region: str = "us-east-1", account: str = "123456789012",
                variables: Mapping[str, Any] | None = None) -> Inventory:
    """The inventory of a SOURCE (see the module); paths are relative to ``base``."""
    text = str(spec).strip()
    if not text:
        raise _error("empty SOURCE")
    if text.startswith("live:"):
        return _live(text, clients, region, account)
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_dir():
        return _folder(path, region, account, variables)
    if path.is_file():
        return _file(path, region, account, variables)
    if "/" in text or "\\" in text or path.suffix:
        raise _error(f"no file or folder {text!r} (looked at {path})")
    return _design(text, design_paths, base, region, account)


def _design(name: str, design_paths: Sequence[Path], base: Path, region: str, account: str) -> Inventory:
    from pytest_infra_parity.designs import resolve_design

    try:
        design = resolve_design(name, list(design_paths), base=base)
    except DesignError as exc:
        raise _error(f"{name!r} is not a file, a folder, nor a design: {exc.message}") from None
    return declared_inventory(design.template_path, design.parameters, name=design.name, region=region,
                              account=account)


def declared_inventory(template: Path, parameters: Mapping[str, Any] | None, *, name: str, region: str,
                       account: str) -> Inventory:
    """The declared inventory of a template, resolved offline as stack ``name``."""
    from pytest_infra_parity.deploy.declared import declare
    from pytest_infra_parity.inventory.template import from_declared

    items = declare(template, dict(parameters or {}), stack_name=name, region=region, account=account)
    return from_declared(items, source="template", region=region, account=account,
                         description=f"template {template}")


def _folder(path: Path, region: str, account: str, variables: Mapping[str, Any] | None) -> Inventory:
    from pytest_infra_parity.designs import load_design

    if (path / "design.yaml").is_file():
        design = load_design(path)
        return declared_inventory(design.template_path, design.parameters, name=design.name, region=region,
                                  account=account)
    if any(path.glob("*.tf")):
        return _terraform_hcl(path, variables)
    try:
        design = load_design(path)
    except DesignError as exc:
        raise _error(f"folder has no design.yaml, no *.tf file and no template ({exc.message})", path) from None
    return declared_inventory(design.template_path, design.parameters, name=design.name, region=region,
                              account=account)


def _terraform_hcl(folder: Path, variables: Mapping[str, Any] | None) -> Inventory:
    return _loader("terraform-hcl")(folder, variables=dict(variables or {}))


def sniff_json(data: Any) -> str | None:
    """``snapshot``, ``terraform-plan``, ``terraform-state``, ``pulumi`` or ``template`` for a JSON document."""
    from pytest_infra_parity.inventory.snapshot import FORMAT

    if not isinstance(data, dict):
        return None
    if data.get("format") == FORMAT:
        return "snapshot"
    if "planned_values" in data or "resource_changes" in data:
        return "terraform-plan"
    if "values" in data and "format_version" in data:
        return "terraform-state"
    if "terraform_version" in data and ("resources" in data or "modules" in data):
        return "terraform-state"  # v4, or an older version the state loader names precisely
    if "checkpoint" in data or (isinstance(data.get("deployment"), dict) and "version" in data) \
            or ("manifest" in data and isinstance(data.get("resources"), list)):
        return "pulumi"  # stack export, checkpoint file or bare deployment
    if isinstance(data.get("artifacts"), dict) and "version" in data:
        return "cdk-manifest"
    if isinstance(data.get("Resources"), dict):
        return "template"
    return None


def _file(path: Path, region: str, account: str, variables: Mapping[str, Any] | None) -> Inventory:
    if path.suffix == ".tf":
        return _terraform_hcl(path.parent, variables)
    if path.suffix.lower() in _TEMPLATE_SUFFIXES:
        return declared_inventory(path, {}, name=path.parent.name, region=region, account=account)
    from pytest_infra_parity.inventory.snapshot import parse, read_json

    data = read_json(path)
    kind = sniff_json(data)
    if kind == "snapshot":
        return parse(data, path)
    if kind == "template":
        return declared_inventory(path, {}, name=path.parent.name, region=region, account=account)
    if kind == "cdk-manifest":
        raise _error("an AWS CDK cloud assembly manifest, not an inventory source: give the cdk.out folder "
                     "or one of its *.template.json files", path)
    if kind is None:
        raise _error("JSON file of an unknown format (not a snapshot, Terraform plan or state, Pulumi "
                     "state nor CloudFormation template)", path)
    return _loader(kind)(path)


_LOADERS = {
    "terraform-hcl": ("terraform_hcl", "load_hcl"),
    "terraform-plan": ("terraform_plan", "load_plan"),
    "terraform-state": ("terraform_state", "load_state"),
    "pulumi": ("pulumi", "load_pulumi_state"),
}


def _loader(kind: str) -> Callable[..., Inventory]:
    """The loader of a Terraform or Pulumi source, imported when first needed."""
    import importlib

    module_name, function = _LOADERS[kind]
    qualified = f"pytest_infra_parity.inventory.{module_name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name != qualified:
            raise
        raise SourceError(f"reading a {kind} source is not available ({qualified} is missing)") from None
    loader: Callable[..., Inventory] = getattr(module, function)
    return loader


def _live(text: str, clients: Any, region: str, account: str) -> Inventory:
    from pytest_infra_parity.inventory.live import Selection, collect

    if clients is None:
        raise SourceError(f"{text}: a live SOURCE needs a target (run it where a target is configured: "
                          "--infra-target, or the infra_inventory fixture)")
    what, sep, value = text[len("live:"):].partition("=")
    if not sep or not value.strip():
        raise _error(f"{text!r}: expected live:stack=NAME, live:tags=K=V,... or live:arns=ARN,...")
    if what == "stack":
        selection = stack_selection(clients, value.strip())
    elif what == "tags":
        try:
            selection = Selection.of_tags(value)
        except ValueError as exc:
            raise SourceError(f"{text}: {exc}") from None
    elif what == "arns":
        selection = Selection.of_arns([a.strip() for a in value.split(",") if a.strip()])
    else:
        raise _error(f"{text!r}: unknown live selection {what!r} (stack, tags or arns)")
    return collect(clients, region=region, account=account, selection=selection)


def stack_selection(clients: Any, name: str) -> Any:
    """The selection of a deployed stack: from the applier's ledger, else from CloudFormation."""
    from pytest_infra_parity.deploy import ledger
    from pytest_infra_parity.deploy.provisioners.base import error_code
    from pytest_infra_parity.inventory.live import Selection, StackItem

    entries = ledger.read(clients, name)
    if entries:
        return Selection(stack=name, items=tuple(
            StackItem(e.logical_id, e.resource_type, e.physical_id, e.properties) for e in entries))
    try:
        pages = clients("cloudformation").get_paginator("list_stack_resources").paginate(StackName=name)
        items = tuple(StackItem(r["LogicalResourceId"], r["ResourceType"], r.get("PhysicalResourceId", ""))
                      for page in pages for r in page.get("StackResourceSummaries", [])
                      if r.get("ResourceStatus") != "DELETE_COMPLETE")
    except Exception as exc:
        if not error_code(exc):
            raise
        raise SourceError(f"live:stack={name}: no stack {name!r} on the target ({error_code(exc)})") from None
    if not items:
        raise SourceError(f"live:stack={name}: stack {name!r} has no resources on the target")
    return Selection(stack=name, items=items)
