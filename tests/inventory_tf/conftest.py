"""Shared paths and inventories of the Terraform / Pulumi source tests (read once per session)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Inventory

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
PHOTOEDITOR = FIXTURES / "photoeditor"
BAD = FIXTURES / "bad"
PHOTOEDITOR_HCL = ROOT / "src" / "pytest_infra_parity" / "designs" / "photoeditor" / "terraform"


@pytest.fixture(scope="session")
def hcl_inventory() -> Inventory:
    from pytest_infra_parity.inventory.terraform_hcl import load_hcl

    return load_hcl(PHOTOEDITOR_HCL)


@pytest.fixture(scope="session")
def plan_inventory() -> Inventory:
    from pytest_infra_parity.inventory.terraform_plan import load_plan

    return load_plan(PHOTOEDITOR / "plan.json")


@pytest.fixture(scope="session")
def state_inventory() -> Inventory:
    from pytest_infra_parity.inventory.terraform_state import load_state

    return load_state(PHOTOEDITOR / "show-state.json")


@pytest.fixture(scope="session")
def tfstate_inventory() -> Inventory:
    from pytest_infra_parity.inventory.terraform_state import load_state

    return load_state(PHOTOEDITOR / "terraform.tfstate")


@pytest.fixture(scope="session")
def pulumi_inventory() -> Inventory:
    from pytest_infra_parity.inventory.pulumi import load_pulumi_state

    return load_pulumi_state(PHOTOEDITOR / "pulumi-stack.json")


def write_tf(folder: Path, files: dict[str, str]) -> Path:
    """A Terraform configuration folder made of ``files`` (relative path -> text)."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
