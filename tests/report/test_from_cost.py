"""Cost evidence: real estimates of small inventories (shipped catalog) and budget checks as report sections."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.cost.budget import check_budget
from pytest_infra_parity.cost.catalog import load_catalog
from pytest_infra_parity.cost.currency import USD, Rate, resolve_rate
from pytest_infra_parity.cost.estimate import estimate
from pytest_infra_parity.cost.model import Estimate
from pytest_infra_parity.cost.usage import parse_usage
from pytest_infra_parity.inventory.model import Inventory, Resource, kind_of
from pytest_infra_parity.report.from_cost import LINE_COLUMNS, MAX_BARS, cost_section, money, number
from pytest_infra_parity.report.model import Section


def res(name: str, cfn_type: str, **settings: Any) -> Resource:
    return Resource(kind=kind_of(cfn_type), cfn_type=cfn_type, name=name, source="test", settings=settings)


def priced(resources: list[Resource], cost: dict[str, Any] | None = None, rate: Rate = USD) -> Estimate:
    usage = parse_usage(None, cost) if cost is not None else None
    return estimate(Inventory("test design", resources), usage, load_catalog(), region="us-east-1", rate=rate)


def figures(section: Section) -> dict[str, Any]:
    return {f.name: f.value for f in section.figures}


GLUE = Resource(kind="other", cfn_type="AWS::Glue::Job", name="Job", source="test")


def test_lines_chart_and_budget_figures_of_a_real_estimate() -> None:
    result = priced([res("Nat", "AWS::EC2::NatGateway"), res("Eip", "AWS::EC2::EIP"), res("Vpc", "AWS::EC2::VPC")])
    budget = check_budget(result, 30, USD)
    section = cost_section(result, budget=budget)
    assert section.kind == "cost" and section.verdict == "bad" and "over budget" in section.summary
    assert figures(section) == {"cost.monthly_usd": pytest.approx(result.total_usd), "cost.budget": 30}
    assert [(f.name, f.unit) for f in section.figures] == [("cost.monthly_usd", "USD"), ("cost.budget", "USD")]
    chart = section.charts[0]
    assert chart.kind == "bars" and {b.label: b.value for b in chart.bars} == pytest.approx(result.by_resource())
    lines = section.tables[0]
    assert lines.columns == LINE_COLUMNS and lines.group_by == 0
    nat_hours = next(r for r in lines.rows if r[0].text == "Nat" and r[3].text == "hour")
    assert [c.text for c in nat_hours] == ["Nat", "nat gateway", "730", "hour", "0.045 USD", "32.85 USD"]
    assert lines.rows[-1][0].text == "Vpc" and lines.rows[-1][5].text.startswith("no charge")
    assert Section.from_json(section.as_json()) == section
    within = cost_section(result, budget=check_budget(result, 100, USD))
    assert within.verdict == "good" and figures(within)["cost.budget"] == 100


def test_unpriced_items_are_warn_rows_never_zero_and_make_the_budget_uncheckable() -> None:
    result = priced([res("Eip", "AWS::EC2::EIP"), GLUE])
    section = cost_section(result, budget=check_budget(result, 100, USD))
    assert section.verdict == "warn" and figures(section)["cost.unpriced"] == 1
    row = next(r for r in section.tables[0].rows if r[0].text == "Job")
    assert row[5].tone == "warn" and row[5].text.startswith("not priced: no pricing function")
    assert "0" not in row[5].text.split(":")[0]
    assert "not priced" in section.summary


def test_the_scenario_currency_comes_first_in_its_own_figure() -> None:
    eur = resolve_rate("EUR")
    result = priced([res("Nat", "AWS::EC2::NatGateway")], rate=eur)
    section = cost_section(result, budget=check_budget(result, 25, eur))
    assert [f.name for f in section.figures] == ["cost.monthly_eur", "cost.monthly_usd", "cost.budget"]
    assert figures(section)["cost.monthly_eur"] == pytest.approx(result.total_usd / eur.usd_per_unit, abs=1e-4)
    assert section.figures[2].unit == "EUR" and section.figures[0].tone == "bad"
    assert section.charts[0].x_label == "EUR"
    assert section.tables[0].rows[0][4].text.endswith(" EUR")


def test_many_resources_and_small_ones_are_grouped_as_other() -> None:
    many = priced([res("Nat", "AWS::EC2::NatGateway"), *(res(f"Eip{i:02d}", "AWS::EC2::EIP") for i in range(15))])
    bars = cost_section(many).charts[0].bars
    assert len(bars) == MAX_BARS and bars[-1].label == "other (5 resources)"
    assert sum(b.value for b in bars) == pytest.approx(many.total_usd, abs=1e-4)
    queues = {f"Q{i}": {"requests_per_month": 1000} for i in range(4)}
    small = priced([res("Nat", "AWS::EC2::NatGateway"), res("Eip", "AWS::EC2::EIP"),
                    *(res(f"Q{i}", "AWS::SQS::Queue", fifo=False) for i in range(4))], {"resources": queues})
    labels = [b.label for b in cost_section(small).charts[0].bars]
    assert labels == ["Nat", "Eip", "other (4 resources)"]


def test_a_zero_cost_design_has_no_chart_and_does_not_crash() -> None:
    result = priced([res("Vpc", "AWS::EC2::VPC")])
    section = cost_section(result)
    assert section.charts == () and section.verdict == "neutral"
    assert figures(section) == {"cost.monthly_usd": 0}
    assert "0.00 USD a month" in section.summary
    empty = cost_section(priced([]))
    assert empty.tables == () and Section.from_json(empty.as_json()) == empty


def test_numbers_keep_small_prices_readable() -> None:
    assert number(0.0000133334) == "0.00001333" and number(0.0080683892) == "0.008068"
    assert number(730.0) == "730" and number(1234.5) == "1,234.5" and number(0.0254) == "0.0254"
    assert money(0.0042, "USD") == "0.0042 USD" and money(12.345, "EUR") == "12.35 EUR"
