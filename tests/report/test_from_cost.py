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
from pytest_infra_parity.report.model import Section, Threshold


def res(name: str, cfn_type: str, **settings: Any) -> Resource:
    return Resource(kind=kind_of(cfn_type), cfn_type=cfn_type, name=name, source="test", settings=settings)


def priced(resources: list[Resource], cost: dict[str, Any] | None = None, rate: Rate = USD, *,
           source: str = "test design", region: str = "us-east-1") -> Estimate:
    usage = parse_usage(None, cost) if cost is not None else None
    return estimate(Inventory(source, resources), usage, load_catalog(), region=region, rate=rate)


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
    assert lines.columns == LINE_COLUMNS
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
    assert money(12.345, "EUR") == "12.35 EUR" and money(0.0254, "EUR") == "0.03 EUR" and money(0, "USD") == "0.00 USD"
    assert money(0.0042, "USD") == "< 0.01 USD"  # a charge under a cent is not shown as zero


EUR = resolve_rate("EUR")
NETWORK = [res("Nat", "AWS::EC2::NatGateway"), res("Eip", "AWS::EC2::EIP"), res("Vpc", "AWS::EC2::VPC"),
           res("SubA", "AWS::EC2::Subnet"), res("SubB", "AWS::EC2::Subnet"), res("Role", "AWS::IAM::Role"), GLUE]
NAT_TRAFFIC = {"resources": {"Nat": {"gb_processed_per_month": 10}}}


def test_the_budget_is_a_threshold_of_the_chart_in_its_currency() -> None:
    result = priced(NETWORK, NAT_TRAFFIC, rate=EUR)
    chart = cost_section(result, budget=check_budget(result, 25, EUR)).charts[0]
    assert chart.thresholds == (Threshold(25, "budget 25 EUR"),)
    usd_budget = cost_section(result, budget=check_budget(result, 30, USD)).charts[0]
    assert usd_budget.thresholds == (Threshold(round(EUR.from_usd(30), 2), "budget 30 USD"),)
    assert cost_section(result).charts[0].thresholds == ()


def test_lines_are_sorted_by_monthly_amount_unpriced_first_and_free_resources_in_one_row() -> None:
    result = priced(NETWORK, NAT_TRAFFIC, rate=EUR)
    rows = cost_section(result).tables[0].rows
    assert (rows[0][0].text, rows[0][5].tone) == ("Job", "warn")  # cost unknown: first, never cut
    priced_rows = rows[1:-1]
    amounts = [float(row[5].text.split()[0].replace(",", "")) for row in priced_rows]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) == len(result.lines)
    assert [row[0].text for row in priced_rows] == ["Nat", "Eip", "Nat"]  # Nat's data line under Eip's
    assert all(row[5].text.endswith(" EUR") and len(row[5].text.split()[0].split(".")[1]) == 2 for row in priced_rows)
    free = rows[-1]
    assert [c.text for c in free] == ["4 resources with no charge", "2 subnets, vpc, role", "", "", "", "no charge"]
    text = cost_section(result).text
    assert "no charge: SubA (subnet): Amazon VPC: no charge for subnets" in text
    more = priced([*NETWORK, res("Igw", "AWS::EC2::InternetGateway")])
    assert cost_section(more).tables[0].rows[-1][1].text == "2 subnets, vpc, role, …"


def test_bars_are_to_the_cent() -> None:
    bars = cost_section(priced(NETWORK, NAT_TRAFFIC, rate=EUR)).charts[0].bars
    assert [b.label for b in bars] == ["Nat", "Eip"]
    assert all(b.value == round(b.value, 2) for b in bars) and bars[1].value == 3.51


def test_the_title_names_the_region_priced_not_the_one_the_stack_was_read_in() -> None:
    # a stack deployed on moto in us-east-1, priced where its design's cost section says
    result = priced(NETWORK, NAT_TRAFFIC, rate=EUR, source="stack ipp-x-run1 (us-east-1)", region="eu-west-3")
    section = cost_section(result)
    assert section.title == "Monthly cost of stack ipp-x-run1 in eu-west-3"
    assert section.charts[0].title == "Monthly cost by resource in eu-west-3 (EUR)"
    assert "us-east-1" not in section.title + section.summary and "in eu-west-3" in section.summary
    assert "stack ipp-x-run1 was read in us-east-1; it is priced at the prices of eu-west-3" in section.text
    same = cost_section(priced(NETWORK, source="stack s (us-east-1)"))
    assert same.title == "Monthly cost of stack s in us-east-1" and "read in" not in same.text


def test_the_exchange_rate_source_is_in_the_text_not_the_summary() -> None:
    section = cost_section(priced(NETWORK, rate=EUR))
    assert EUR.source.startswith("http") and EUR.source not in section.summary
    assert f"1 EUR = {EUR.usd_per_unit:g} USD on {EUR.date}" in section.summary
    assert f"exchange rate: 1 EUR = {EUR.usd_per_unit:g} USD ({EUR.source}, {EUR.date})" in section.text
