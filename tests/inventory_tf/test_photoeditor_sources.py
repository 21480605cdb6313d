"""The photoeditor stage read from HCL, plan, state (two shapes) and the SST/Pulumi state agree, and with
the design's SST-style template, on kinds, names, tags and encryption modes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pytest_infra_parity.inventory.model import Inventory, Resource
from tests.inventory_tf.conftest import ROOT

SOURCES = ("hcl_inventory", "plan_inventory", "state_inventory", "tfstate_inventory", "pulumi_inventory")
MANDATORY = {"Project": "photoeditor", "Env": "dev", "Owner": "photoeditor-platform", "CostCenter": "photoeditor"}


def normalized(resource: Resource) -> str | None:
    """The name part after ``photoeditor-dev-`` (account id, URL and ``/aws/lambda/`` left out)."""
    name = resource.physical_id
    if not isinstance(name, str) or "photoeditor-dev" not in name:
        return None
    return name.rsplit("/", 1)[-1].split("photoeditor-dev", 1)[1].lstrip("-").removesuffix("-123456789012")


def facts(inventory: Inventory) -> dict[tuple[str, str], tuple[Any, Any]]:
    found: dict[tuple[str, str], tuple[Any, Any]] = {}
    for resource in inventory:
        name = normalized(resource)
        if name is not None:
            assert (resource.kind, name) not in found, f"{resource.kind} {name} twice in {inventory.source}"
            mode = resource.encryption.mode if resource.encryption else None
            found[(resource.kind, name)] = (resource.tags, mode)
    return found


@pytest.fixture(scope="module")
def inventories(request: pytest.FixtureRequest) -> dict[str, Inventory]:
    return {name: request.getfixturevalue(name) for name in SOURCES}


def test_every_source_has_the_same_kinds(inventories: dict[str, Inventory]) -> None:
    kinds = {name: Counter(r.kind for r in inventory) for name, inventory in inventories.items()}
    assert kinds["hcl_inventory"]["function"] == 4 and kinds["hcl_inventory"]["alarm"] == 6
    for name, counted in kinds.items():
        assert counted == kinds["hcl_inventory"], name


def test_every_source_has_the_same_names_tags_and_encryption(inventories: dict[str, Inventory]) -> None:
    reference = facts(inventories["hcl_inventory"])
    assert ("queue", "processing-dlq") in reference and ("log group", "worker") in reference
    assert ("bucket", "temp") in reference and ("role", "presign-function-role") in reference
    for name, inventory in inventories.items():
        found = facts(inventory)
        if name == "plan_inventory":  # the queue policy names its queue by URL, known after apply
            unknown = [r for r in inventory.of_kind("queue policy") if not isinstance(r.physical_id, str)]
            assert len(unknown) == 1 and ("queue policy", "processing") not in found
            found[("queue policy", "processing")] = reference[("queue policy", "processing")]
        assert found == reference, name


def test_taggable_resources_carry_the_mandatory_tags_and_data_the_stage_key(inventories: dict[str, Inventory]) -> None:
    for name, inventory in inventories.items():
        untagged = [r.name for r in inventory if r.taggable and r.tags != MANDATORY]
        assert not untagged, (name, untagged)
        for kind in ("bucket", "table", "queue", "topic", "log group"):
            modes = {r.encryption.mode for r in inventory.of_kind(kind) if r.encryption}
            assert modes == {"customer-managed"}, (name, kind)


def test_the_terraform_modules_match_the_sst_style_template(hcl_inventory: Inventory) -> None:
    from pytest_infra_parity.sources import open_source

    template = open_source("photoeditor", base=ROOT)

    def summary(inventory: Inventory) -> Counter[tuple[Any, ...]]:
        return Counter((r.kind, r.taggable, tuple(sorted(r.tags.items())) if isinstance(r.tags, dict) else None,
                        r.encryption.mode if r.encryption else None, r.observability.log_retention_days,
                        r.observability.tracing, tuple(sorted(r.observability.metrics_alarmed())))
                       for r in inventory)

    assert summary(hcl_inventory) == summary(template)


def test_a_variable_changes_the_tags_the_parity_reports(hcl_inventory: Inventory) -> None:
    from pytest_infra_parity.inventory.terraform_hcl import load_hcl

    changed = load_hcl(ROOT / "src" / "pytest_infra_parity" / "designs" / "photoeditor" / "terraform",
                       variables={"cost_center": ""})
    table = next(r for r in changed if r.physical_id == "photoeditor-dev-jobs")
    assert table.tags["CostCenter"] == "" and hcl_inventory.by_name(table.name).tags["CostCenter"] == "photoeditor"


def test_the_fixtures_are_generated_from_the_current_modules() -> None:
    """plan.json's ``configuration`` is derived from the HCL: regenerate the fixtures when the modules change
    (``python tests/fixtures/photoeditor/generate_fixtures.py``)."""
    import importlib
    import json
    import sys

    from tests.inventory_tf.conftest import PHOTOEDITOR, PHOTOEDITOR_HCL

    sys.path.insert(0, str(PHOTOEDITOR))
    try:
        terraform = importlib.import_module("fixture_terraform")
        pulumi = importlib.import_module("fixture_pulumi")
    finally:
        sys.path.remove(str(PHOTOEDITOR))
    expected = {"plan.json": terraform.plan(PHOTOEDITOR_HCL), "show-state.json": terraform.show_state(),
                "terraform.tfstate": terraform.tfstate(), "pulumi-stack.json": pulumi.stack_export()}
    for name, document in expected.items():
        assert json.loads((PHOTOEDITOR / name).read_text()) == json.loads(json.dumps(document)), name
