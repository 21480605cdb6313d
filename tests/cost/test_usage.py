"""The usage profile: parsing errors name the key; task-hours from a timeline or from active hours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_infra_parity.cost.design import design_cost, parse_budget, read_usage_file
from pytest_infra_parity.cost.usage import (
    DAYS_PER_MONTH,
    ResourceUsage,
    UsageError,
    merge_usage,
    monthly_task_hours,
    parse_usage,
    scale_to_zero_task_hours,
    task_seconds,
)


def test_design_and_resource_figures_are_parsed() -> None:
    profile = parse_usage({"requests_per_day": 600, "active_hours_per_day": 2, "users": 50},
                          {"resources": {"Service": {"task_hours_per_month": 64.5}}}, source="design x")
    assert profile.requests_per_day == 600.0 and profile.active_hours_per_day == 2.0
    assert profile.of("Service") == ResourceUsage(task_hours_per_month=64.5)
    assert profile.of("Other") == ResourceUsage()
    assert profile.unused == ("users",)  # another room's figure: kept out, reported


@pytest.mark.parametrize(("usage", "cost", "message"), [
    ({"requests_per_day": -1}, None, "usage.requests_per_day must be a number >= 0, got -1"),
    ({"requests_per_day": "many"}, None, "usage.requests_per_day must be a number >= 0, got 'many'"),
    ({"active_hours_per_day": True}, None, "usage.active_hours_per_day must be a number >= 0, got True"),
    (None, {"resources": {"Fn": {"invocations": 3}}}, "cost.resources.Fn.invocations is not a usage figure"),
    (None, {"resources": {"Fn": {"per_request": -2}}}, "cost.resources.Fn.per_request must be a number >= 0"),
    (None, {"resources": {"Fn": 12}}, "cost.resources.Fn must be a mapping"),
    (None, {"resources": [1]}, "cost.resources must map resource names"),
    ([1, 2], None, "usage must be a mapping"),
])
def test_a_wrong_figure_is_named(usage: object, cost: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_usage(usage, cost, path="designs/x/design.yaml")  # type: ignore[arg-type]
    assert message in caught.value.message
    assert caught.value.describe().startswith("designs/x/design.yaml: ")


def test_the_cost_section_and_the_budget_are_validated() -> None:
    with pytest.raises(UsageError, match=r"unknown key.*cost.zone"):
        design_cost("x", {}, {"cost": {"zone": "a"}}, None)
    with pytest.raises(UsageError, match=r"cost.free_tier must be true or false"):
        design_cost("x", {}, {"cost": {"free_tier": "yes"}}, None)
    with pytest.raises(UsageError, match=r"budget.amount must be a number above 0"):
        parse_budget({"amount": 0, "currency": "EUR"})
    with pytest.raises(UsageError, match=r"budget.period must be 'month'"):
        parse_budget({"amount": 5, "period": "year"})
    settings = design_cost("x", {"requests_per_day": 10}, {"cost": {"region": "eu-west-3"}},
                           {"amount": 25, "currency": "EUR", "period": "month"})
    assert (settings.region, settings.currency, settings.budget and settings.budget.describe()) == \
        ("eu-west-3", "EUR", "25 EUR a month")


def test_overrides_merge_over_the_design() -> None:
    base = parse_usage({"requests_per_day": 600}, {"resources": {"Fn": {"per_request": 1}}}, source="design")
    merged = merge_usage(base, {"requests_per_day": 6000, "resources": {"Fn": {"average_duration_ms": 50}}},
                         source="step")
    assert merged.requests_per_day == 6000.0
    assert merged.of("Fn") == ResourceUsage(per_request=1.0, average_duration_ms=50.0)
    assert merged.source == "design + step"
    with pytest.raises(UsageError, match=r"usage.requests_per_day"):
        merge_usage(base, {"requests_per_day": -5}, source="step")


def test_usage_files_of_three_shapes(tmp_path: Path) -> None:
    bare = tmp_path / "bare.yaml"
    bare.write_text("requests_per_day: 10\nresources:\n  Fn: {per_request: 2}\n")
    assert read_usage_file(bare) == ({"requests_per_day": 10}, {"resources": {"Fn": {"per_request": 2}}})
    sections = tmp_path / "design.yaml"
    sections.write_text("name: x\nusage: {requests_per_day: 5}\ncost: {region: eu-west-1}\n")
    assert read_usage_file(sections) == ({"requests_per_day": 5}, {"region": "eu-west-1"})
    broken = tmp_path / "broken.yaml"
    broken.write_text("usage: [\n")
    with pytest.raises(UsageError) as caught:
        read_usage_file(broken)
    assert caught.value.path == broken and "malformed YAML" in caught.value.message


@dataclass
class Sample:
    at: float
    running: int


def test_task_seconds_of_a_timeline() -> None:
    # 1 task from 0 to 100 s, 3 tasks from 100 to 160 s, 0 after: 100 x 1 + 60 x 3 = 280 task-seconds
    timeline = [Sample(0, 1), Sample(100, 3), Sample(160, 0)]
    assert task_seconds(timeline, 0, 1000) == 280.0
    # a window that starts at 50 and ends at 130: 50 x 1 + 30 x 3 = 140
    assert task_seconds(timeline, 50, 130) == 140.0
    assert task_seconds([(0.0, 2)], 0, 10) == 20.0  # the last count holds to the end of the window
    # 2.61 task-hours in one day is 2.61 x 30.4167 days = 79.39 task-hours a month
    assert monthly_task_hours(2.61 * 3600, 86_400) == pytest.approx(2.61 * 730 / 24)
    with pytest.raises(ValueError):
        monthly_task_hours(1, 0)


def test_scale_to_zero_hours_from_active_hours() -> None:
    profile = parse_usage({"active_hours_per_day": 2, "idle_minutes_before_scale_in": 5})
    hours, how = scale_to_zero_task_hours(profile, 1)  # type: ignore[misc]
    # (2 h + (5 idle + 2 scale-in) / 60 h) x 30.4167 days = 2.11667 x 30.4167 = 64.38 task-hours
    assert hours == pytest.approx((2 + 7 / 60) * DAYS_PER_MONTH) == pytest.approx(64.382, abs=1e-3)
    assert "64.38 task-hours" in how
    assert scale_to_zero_task_hours(parse_usage({}), 1) is None
