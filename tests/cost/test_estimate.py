"""Whole estimates: unpriced kinds listed, the free tier, totals per service, the breakdown, the designs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cost.catalog import Catalog
from pytest_infra_parity.cost.currency import resolve_rate
from pytest_infra_parity.cost.design import of_design
from pytest_infra_parity.cost.estimate import estimate
from pytest_infra_parity.cost.render import as_json, table
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.cost_live import open_priced
from pytest_infra_parity.inventory.model import Resource

from .conftest import Price, line, resource, usd


def test_a_kind_without_pricing_function_is_listed_never_zero(price: Price) -> None:
    odd = Resource(kind="other", cfn_type="AWS::Glue::Job", name="Job", source="test")
    result = price([odd, resource("Vpc", "AWS::EC2::VPC")])
    assert [(u.resource, u.reason) for u in result.unpriced] == [("Job", "no pricing function for kind 'other' "
                                                                         "(AWS::Glue::Job)")]
    assert [n.resource for n in result.no_charge] == ["Vpc"]
    assert result.total_usd == 0 and not result.complete
    assert "not priced (cost unknown, not zero)" in table(result)


def test_a_region_outside_the_catalog_is_said(price: Price) -> None:
    result = price([resource("Eip", "AWS::EC2::EIP")], region="ap-south-1")
    assert result.unpriced and any("region ap-south-1 is not in the catalog" in a for a in result.assumptions)


def test_free_tier_is_off_by_default_and_shared_when_on(price: Price) -> None:
    functions = [resource(n, "AWS::Lambda::Function", memory=1024, architectures=[a])
                 for n, a in (("X86", "x86_64"), ("Arm", "arm64"))]
    cost = {"resources": {"X86": {"invocations_per_month": 600_000, "average_duration_ms": 500},
                          "Arm": {"invocations_per_month": 600_000, "average_duration_ms": 500}}}
    off = price(functions, None, cost)
    assert off.free_tier is False and usd(off, "lambda-request", "X86") == pytest.approx(0.12)
    on = price(functions, None, cost, free_tier=True)
    # 1,000,000 free requests: X86's 600,000 and 400,000 of Arm's; Arm pays 200,000 x 0.0000002 = 0.04
    assert usd(on, "lambda-request", "X86") == 0 and usd(on, "lambda-request", "Arm") == pytest.approx(0.04)
    # 400,000 free GB-seconds shared by x86 and ARM: X86 uses 300,000, Arm 100,000 of its 300,000
    assert line(on, "lambda-gb-second-x86").free_quantity == 300_000
    assert usd(on, "lambda-gb-second-arm") == pytest.approx(200_000 * 0.0000133334)


def test_totals_per_service_and_resource_and_currency(price: Price) -> None:
    result = price([resource("Eip", "AWS::EC2::EIP"), resource("Key", "AWS::KMS::Key")])
    assert result.by_service() == pytest.approx({"Amazon VPC": 3.65, "AWS KMS": 1.0})
    assert result.by_resource() == pytest.approx({"Eip": 3.65, "Key": 1.0})
    eur = resolve_rate("EUR")
    assert result.total(eur) == pytest.approx(4.65 / 1.0411)
    data = as_json(result, eur)
    assert data["total"] == pytest.approx(4.65 / 1.0411, abs=1e-6) and data["currency"]["code"] == "EUR"
    assert "TOTAL 4.47 EUR a month" in table(result, eur)


def _design_estimate(name: str, catalog: Catalog, region: str | None = None) -> object:
    priced = open_priced(name, base=Path.cwd(), region=region)
    settings = of_design(priced.design)
    where = region or settings.region or "us-east-1"
    return estimate(priced.inventory, settings.usage, catalog, region=where, declarations=priced.declarations)


def test_cityguided_as_written_in_paris(catalog: Catalog) -> None:
    result = _design_estimate("cityguided", catalog)
    task_hours = (2 + 7 / 60) * DAYS_PER_MONTH
    expected = (730 * 0.02646                       # ALB hours
                + 2 * 730 * 0.005                   # the ALB's two public IPv4 addresses
                + task_hours * (0.0486 + 2 * 0.0053)  # Fargate 1 vCPU, 2 GB
                + task_hours * 0.005                # the task's public IPv4
                + (3 + 2 + 1 + 2) * 0.10            # alarm metrics: wake 3, idle 2, scaled-to-zero 1, tracking 2
                + 0.5985 + 7 / DAYS_PER_MONTH * 0.0315  # 1 GB of logs kept 7 days
                + 300 * 20 / 1024 / 1024 * 2 * DAYS_PER_MONTH * 0.0084)  # LCU-hours
    assert result.complete and result.total_usd == pytest.approx(expected)
    assert result.total(resolve_rate("EUR")) == pytest.approx(30.89, abs=0.01)  # over the 25 EUR budget


def test_huntaze_skeleton_far_below_its_45_usd(catalog: Catalog) -> None:
    result = _design_estimate("huntaze-skeleton", catalog)
    assert result.complete and result.total_usd < 2.0
    by_service = result.by_service()
    assert by_service["AWS AppConfig"] == pytest.approx(1440 * DAYS_PER_MONTH * 0.0000002 + 730 * 0.0008)
    assert by_service["AWS X-Ray"] == pytest.approx(1000 * DAYS_PER_MONTH * 0.000005 + 4.35 * 0.000005)
