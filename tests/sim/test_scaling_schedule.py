"""Scheduled actions (cron, rate, at, time zones) and the request arrival plan of the scaling emulation."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.sim.autoscaling import ScalingPolicyError
from pytest_infra_parity.sim.scaling_schedule import ScheduledAction, last_run, next_run
from pytest_infra_parity.sim.scaling_traffic import TrafficPlan


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_cron_in_a_time_zone_follows_daylight_saving() -> None:
    warm = ScheduledAction("warm", "cron(0 9 ? * MON-FRI *)", "Europe/Paris", 1, 10)
    assert next_run(warm, at("2026-01-05T09:00:00")) == at("2026-01-06T08:00:00")  # winter: UTC+1
    assert next_run(warm, at("2026-07-01T12:00:00")) == at("2026-07-02T07:00:00")  # summer: UTC+2
    assert next_run(warm, at("2026-01-09T09:00:00")) == at("2026-01-12T08:00:00")  # Friday -> Monday
    assert last_run(warm, at("2026-01-10T12:00:00")) == at("2026-01-09T08:00:00")  # Saturday: Friday's


def test_cron_fields() -> None:
    every_15 = ScheduledAction("q", "cron(*/15 8-9 ? * SUN *)")
    assert next_run(every_15, at("2026-01-10T12:00:00")) == at("2026-01-11T08:00:00")  # 1 = Sunday
    assert next_run(every_15, at("2026-01-11T08:00:00")) == at("2026-01-11T08:15:00")
    monthly = ScheduledAction("m", "cron(30 6 1 JAN,JUL ? 2027)")
    assert next_run(monthly, at("2026-03-01T00:00:00")) == at("2027-01-01T06:30:00")


def test_rate_and_at_schedules() -> None:
    start = at("2026-01-05T09:00:00")
    rate = ScheduledAction("r", "rate(2 hours)", start=start)
    assert next_run(rate, at("2026-01-05T08:00:00")) == start
    assert next_run(rate, at("2026-01-05T10:30:00")) == at("2026-01-05T11:00:00")
    once = ScheduledAction("o", "at(2026-01-06T10:00:00)", "Europe/Paris")
    assert next_run(once, at("2026-01-05T00:00:00")) == at("2026-01-06T09:00:00")
    assert next_run(once, at("2026-01-07T00:00:00")) is None
    ended = ScheduledAction("e", "rate(1 day)", start=start, end=at("2026-01-06T12:00:00"))
    assert next_run(ended, at("2026-01-06T10:00:00")) is None


@pytest.mark.parametrize(("schedule", "problem"), [
    ("cron(0 9 L * ? *)", "uses L, W or #"),
    ("cron(0 9 * *)", "needs 6 fields"),
    ("cron(0 25 ? * * *)", "out of 0-23"),
    ("rate(5 weeks)", "is not 'rate(<n> minutes|hours|days)'"),
    ("every(5 minutes)", "is not cron(...), rate(...) or at(...)"),
])
def test_unsupported_schedules_are_named(schedule: str, problem: str) -> None:
    with pytest.raises(ScalingPolicyError, match=r"scheduled action 'x'.*" + re.escape(problem)):
        ScheduledAction.from_api({"ScheduledActionName": "x", "Schedule": schedule})


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(ScalingPolicyError, match="unknown Timezone 'Mars/Olympus'"):
        ScheduledAction.from_api({"ScheduledActionName": "x", "Schedule": "cron(0 9 * * ? *)",
                                  "Timezone": "Mars/Olympus"})


def test_traffic_plan_counts_deterministic_arrivals() -> None:
    plan = TrafficPlan()
    plan.set_rate(10.0, 0.5)   # arrivals at 10, 12, 14...
    plan.set_rate(20.0, 0.0)
    assert plan.arrivals(0.0, 10.0) == 0
    assert plan.arrivals(10.0, 20.0) == 5
    assert plan.arrivals(11.0, 14.0) == 1
    assert plan.first_arrival(10.5) == 12.0 and plan.first_arrival(19.0) is None
    assert plan.last_arrival(100.0) == 18.0
    assert plan.rate_at(15.0) == 0.5 and plan.rate_at(25.0) == 0.0
    plan.set_rate(15.0, 1.0)  # replaces what was planned after 15 s
    assert plan.arrivals(15.0, 25.0) == 10


@settings(max_examples=100, deadline=None)
@given(rate=st.floats(0.01, 20), cuts=st.lists(st.floats(0, 600), min_size=1, max_size=8))
def test_arrivals_over_a_split_interval_add_up(rate: float, cuts: list[float]) -> None:
    plan = TrafficPlan()
    plan.set_rate(0.0, rate)
    edges = sorted({0.0, 600.0, *cuts})
    pieces = sum(plan.arrivals(a, b) for a, b in itertools.pairwise(edges))
    assert pieces == plan.arrivals(0.0, 600.0)
