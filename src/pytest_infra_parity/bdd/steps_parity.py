"""Steps that compare the scenario's subject with another implementation, and detect drift.

``When it is compared with ...`` reads the other side (a Terraform folder, plan or state, a Pulumi/SST
state, a design's template, a snapshot); ``Then they are at parity on ...`` compares on the named
aspects and fails with the parity table. Paths are relative to the project root, or, for a deployed
built-in design, to its design folder (``"terraform"`` finds ``designs/photoeditor/terraform``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import parsers, then, when

from pytest_infra_parity.bdd.steps_deploy import parse_assignments
from pytest_infra_parity.session_plugin import RUNTIME_KEY

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Inventory
    from pytest_infra_parity.parity.report import ParityReport

ASPECTS = ("types", "tags", "encryption", "observability")


def _path(text: str, request: pytest.FixtureRequest, *, folder: bool) -> Path:
    """``text`` as given (absolute), else relative to the session's snapshot folder, the project root
    and the scenario's design folder, in that order."""
    from pytest_infra_parity.bdd.steps_inventory import scenario_design_folder

    config = request.config
    tried = [Path(text)] if Path(text).is_absolute() else [snapshot_folder(request) / text,
                                                           Path(config.rootpath) / text]
    design_folder = scenario_design_folder(request)
    if design_folder is not None and not Path(text).is_absolute():
        tried.append(design_folder / text)
    for candidate in tried:
        if (candidate.is_dir() if folder else candidate.is_file()):
            return candidate
    what = "folder" if folder else "file"
    pytest.fail(f"no {what} {text!r}: tried " + ", ".join(str(p) for p in tried), pytrace=False)


def snapshot_folder(request: pytest.FixtureRequest) -> Path:
    """Where relative snapshot names are saved: a folder of the session's pytest temp directory."""
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    return factory.getbasetemp() / "infra-snapshots"


def _open(spec: str, request: pytest.FixtureRequest, variables: dict[str, Any] | None = None) -> Inventory:
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.sources import open_source

    config = request.config
    runtime = config.stash[RUNTIME_KEY]
    try:
        return open_source(spec, base=Path(config.rootpath), design_paths=runtime.settings.design_paths,
                           variables=variables)
    except InfraParityError as exc:
        message = f"infra-parity: {exc.describe()}"
    pytest.fail(message, pytrace=False)


def _load(loader: Callable[[Path], Inventory], path: Path) -> Inventory:
    """A file of one declared format: another format is an error naming what the file is."""
    from pytest_infra_parity.errors import InfraParityError

    try:
        return loader(path)
    except InfraParityError as exc:
        message = f"infra-parity: {exc.describe()}"
    pytest.fail(message, pytrace=False)


@when(parsers.parse('it is compared with the Terraform configuration in "{folder}"'),
      target_fixture="infra_counterpart")
def compared_with_terraform_config(folder: str, request: pytest.FixtureRequest) -> Inventory:
    """The resources a Terraform/OpenTofu folder declares (HCL: variables, locals, local modules)."""
    return _open(str(_path(folder, request, folder=True)), request)


@when(parsers.parse('it is compared with the Terraform configuration in "{folder}" with {assignments}'),
      target_fixture="infra_counterpart")
def compared_with_terraform_config_vars(folder: str, assignments: str, request: pytest.FixtureRequest) -> Inventory:
    """The Terraform configuration with some variables set (``with stage=prod and kms_logs=false``)."""
    return _open(str(_path(folder, request, folder=True)), request, parse_assignments(assignments, "variable"))


@when(parsers.parse('it is compared with the Terraform plan "{file}"'), target_fixture="infra_counterpart")
def compared_with_terraform_plan(file: str, request: pytest.FixtureRequest) -> Inventory:
    """The planned resources of ``terraform show -json PLAN`` (values known after apply stay unknown)."""
    from pytest_infra_parity.inventory.terraform_plan import load_plan

    return _load(load_plan, _path(file, request, folder=False))


@when(parsers.parse('it is compared with the Terraform state "{file}"'), target_fixture="infra_counterpart")
def compared_with_terraform_state(file: str, request: pytest.FixtureRequest) -> Inventory:
    """The resources of a Terraform state (``terraform show -json`` or a raw ``terraform.tfstate``)."""
    from pytest_infra_parity.inventory.terraform_state import load_state

    return _load(load_state, _path(file, request, folder=False))


@when(parsers.parse('it is compared with the Pulumi state "{file}"'), target_fixture="infra_counterpart")
def compared_with_pulumi_state(file: str, request: pytest.FixtureRequest) -> Inventory:
    """The resources of a Pulumi or SST v3 state (``pulumi stack export``)."""
    from pytest_infra_parity.inventory.pulumi import load_pulumi_state

    return _load(load_pulumi_state, _path(file, request, folder=False))


@when(parsers.parse('it is compared with the snapshot "{file}"'), target_fixture="infra_counterpart")
def compared_with_snapshot(file: str, request: pytest.FixtureRequest) -> Inventory:
    """An inventory saved earlier (``a snapshot of it is saved as``, or ``infra-parity inventory --save``)."""
    _note_scenario_design(request)
    return _open(str(_path(file, request, folder=False)), request)


@when(parsers.parse('it is compared with the "{design}" design'), target_fixture="infra_counterpart")
def compared_with_design(design: str, request: pytest.FixtureRequest) -> Inventory:
    """The resources another design (or template) declares."""
    from pytest_infra_parity.report.recorder import note_design

    note_design(request, design)
    return _open(design, request)


@when(parsers.parse('a snapshot of it is saved as "{file}"'))
def snapshot_saved(file: str, infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Save the subject (e.g. before an import or an update) to compare with it later; a relative name
    goes to the session's temporary folder (see :func:`snapshot_folder`)."""
    from pytest_infra_parity.inventory.snapshot import save

    _note_scenario_design(request)
    path = Path(file) if Path(file).is_absolute() else snapshot_folder(request) / file
    path.parent.mkdir(parents=True, exist_ok=True)
    save(infra_subject, path)


def parse_aspects(text: str) -> tuple[str, ...]:
    """``types, tags, encryption and observability`` (any subset, any order) -> aspect names."""
    words = [w for w in re.split(r"\s*(?:,|\band\b)\s*", text.strip()) if w]
    unknown = [w for w in words if w not in ASPECTS and w != "settings"]
    if unknown or not words:
        pytest.fail(f"unknown parity aspect(s) {', '.join(unknown) or text!r}; "
                    f"known: {', '.join(ASPECTS)}, settings", pytrace=False)
    return tuple(dict.fromkeys(words))


def _compare(subject: Inventory, other: Inventory, aspects: tuple[str, ...]) -> ParityReport:
    """Compare; what either source could not map is printed (pytest shows it with a failure)."""
    from pytest_infra_parity.parity.diff import compare

    for inventory in (subject, other):
        for warning in inventory.warnings:
            print(f"warning: {inventory.source}: {warning}")
    return compare(subject, other, aspects=aspects)


@then(parsers.parse("they are at parity on {aspects}"))
def they_are_at_parity(aspects: str, infra_subject: Inventory, infra_counterpart: Inventory,
                       request: pytest.FixtureRequest) -> None:
    """No difference on the named aspects (any of types, tags, encryption, observability, settings)."""
    report = _compare(infra_subject, infra_counterpart, parse_aspects(aspects))
    _keep(request, report)
    if not report.ok:
        pytest.fail(report.format_table(), pytrace=False)


@then(parsers.parse("they differ on {aspects}"))
def they_differ(aspects: str, infra_subject: Inventory, infra_counterpart: Inventory,
                request: pytest.FixtureRequest) -> None:
    """The reverse check, for a scenario that introduces a difference on purpose; prints the report."""
    chosen = parse_aspects(aspects)
    report = _compare(infra_subject, infra_counterpart, chosen)
    _keep(request, report, expect_differences=True)
    print(report.format_table())
    if report.ok:
        pytest.fail(f"expected differences on {', '.join(chosen)}, but the two sides are at parity", pytrace=False)


@then(parsers.parse('the parity report shows a difference in {aspect} of "{name}"'))
def report_shows_difference(aspect: str, name: str, request: pytest.FixtureRequest) -> None:
    """The last parity report has a difference on that aspect for the resource (logical or physical name)."""
    report: ParityReport | None = request.node.stash.get(_REPORT_KEY, None)
    if report is None:
        pytest.fail("no parity report yet: compare first (\"Then they differ on ...\")", pytrace=False)
    if not report.differences_for(name, aspect):
        pytest.fail(f'the parity report has no {aspect} difference for "{name}":\n{report.format_table()}',
                    pytrace=False)


@then("the live resources match the template")
def live_matches_template(request: pytest.FixtureRequest) -> None:
    """Drift: the declared state of the deployed stack against what the target holds now."""
    from pytest_infra_parity.deploy.declared import from_stack
    from pytest_infra_parity.inventory.template import from_declared
    from pytest_infra_parity.parity.drift import drift

    stack = request.getfixturevalue("infra_stack")
    live: Inventory = request.getfixturevalue("infra_inventory")(stack)
    declared = from_declared(from_stack(stack), source="template", region=stack.region, account=stack.account_id,
                             description=f"template of stack {stack.name}")
    report = drift(declared, live)
    _keep(request, report, title=f"Drift of stack {stack.name}: its template (declared) and the live resources")
    if not report.ok:
        pytest.fail(report.format_table(), pytrace=False)


_REPORT_KEY = pytest.StashKey["ParityReport"]()


def _keep(request: pytest.FixtureRequest, report: ParityReport, *, expect_differences: bool = False,
          title: str = "") -> None:
    """Keep the report for later steps, and its ``parity`` section as evidence of the scenario."""
    from pytest_infra_parity.report.from_parity import parity_section
    from pytest_infra_parity.report.recorder import record

    request.node.stash[_REPORT_KEY] = report
    record(request, parity_section(report, expect_differences=expect_differences, title=title))


def _note_scenario_design(request: pytest.FixtureRequest) -> None:
    """Name the design of the scenario's subject (the one a Given step named, else the deployed one)."""
    from pytest_infra_parity.bdd.steps_inventory import DESIGN_KEY
    from pytest_infra_parity.report.recorder import note_design

    name = request.node.stash.get(DESIGN_KEY, None)
    if name is None:
        try:
            name = getattr(request.getfixturevalue("infra_stack"), "design", None)
        except pytest.FixtureLookupError:
            return
    if name:
        note_design(request, name)
