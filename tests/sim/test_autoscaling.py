"""Application Auto Scaling: step adjustments, adjustment types and rounding, cooldowns, target tracking."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.sim.autoscaling import (
    AutoScaler,
    Invocation,
    ScalableTarget,
    ScalingPolicyError,
    StepAdjustment,
    StepScalingPolicy,
    percent_change,
)
from pytest_infra_parity.sim.scaling_tracking import TargetTrackingPolicy


def step_policy(kind: str, steps: list[dict[str, Any]], **config: Any) -> StepScalingPolicy:
    return StepScalingPolicy.from_api({"PolicyName": "p", "PolicyARN": "arn:p", "StepScalingPolicyConfiguration": {
        "AdjustmentType": kind, "StepAdjustments": steps, **config}})


# The user guide's example: threshold 50, PercentChangeInCapacity, scale-out and scale-in policies.
SCALE_OUT = step_policy("PercentChangeInCapacity", [
    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 0},
    {"MetricIntervalLowerBound": 10, "MetricIntervalUpperBound": 20, "ScalingAdjustment": 10},
    {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 30}])
SCALE_IN = step_policy("PercentChangeInCapacity", [
    {"MetricIntervalLowerBound": -10, "MetricIntervalUpperBound": 0, "ScalingAdjustment": 0},
    {"MetricIntervalLowerBound": -20, "MetricIntervalUpperBound": -10, "ScalingAdjustment": -10},
    {"MetricIntervalUpperBound": -20, "ScalingAdjustment": -30}])


def apply(policy: StepScalingPolicy, current: int, metric: float, threshold: float = 50.0) -> int:
    above = metric >= threshold
    step = policy.step_for(metric - threshold, above)
    assert step is not None
    return policy.capacity(current, step)


def test_the_user_guide_step_adjustment_example() -> None:
    # "If the metric value gets to 60 [...] increases the desired capacity [...] by 1, to 11" and so on.
    assert apply(SCALE_OUT, 10, 60) == 11
    assert apply(SCALE_OUT, 11, 70) == 14  # 30 % of 11 = 3.3, rounded down
    assert apply(SCALE_IN, 14, 40) == 13  # 10 % of 14 = 1.4, rounded down
    assert apply(SCALE_IN, 13, 30) == 10  # 30 % of 13 = 3.9, rounded down
    assert apply(SCALE_OUT, 10, 55) == 10 and apply(SCALE_IN, 10, 45) == 10


def test_bounds_are_inclusive_on_the_side_of_the_threshold() -> None:
    step = StepAdjustment(10.0, 20.0, 1)
    # Above the threshold: lower inclusive, upper exclusive.
    assert step.contains(10.0, above=True) and not step.contains(20.0, above=True)
    below = StepAdjustment(-20.0, -10.0, -1)
    # Below the threshold: lower exclusive, upper inclusive.
    assert below.contains(-10.0, above=False) and not below.contains(-20.0, above=False)
    assert SCALE_OUT.step_for(5.0, above=True) is SCALE_OUT.steps[0]
    assert SCALE_OUT.step_for(-5.0, above=True) is None  # no step below the threshold: no adjustment


@pytest.mark.parametrize(("current", "percent", "expected"), [
    (100, 12.7, 12),    # 12.7 is rounded to 12
    (100, 0.67, 1),     # .67 is rounded to 1
    (100, -0.58, -1),   # -.58 is rounded to -1
    (100, -6.67, -6),   # -6.67 is rounded to -6
    (10, 10, 1),
    (0, 50, 0),
])
def test_percent_change_rounding_as_documented(current: int, percent: float, expected: int) -> None:
    assert percent_change(current, percent) == expected


def test_min_adjustment_magnitude() -> None:
    # "25 percent of 4 is 1. However, because you specified a MinAdjustmentMagnitude of 2, [...] adds 2".
    assert percent_change(4, 25, 2) == 2
    assert percent_change(4, -25, 2) == -2
    assert percent_change(40, 25, 2) == 10


def test_adjustment_types() -> None:
    change = step_policy("ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 5}])
    exact = step_policy("ExactCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 5}])
    assert change.capacity(3, change.steps[0]) == 8 and exact.capacity(3, exact.steps[0]) == 5


def test_invalid_policies_are_named() -> None:
    with pytest.raises(ScalingPolicyError, match="scaling policy 'p': AdjustmentType 'Tasks'"):
        step_policy("Tasks", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}])
    with pytest.raises(ScalingPolicyError, match="has no StepAdjustments"):
        step_policy("ChangeInCapacity", [])
    assert step_policy("ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]).cooldown == 300


class Harness:
    """An AutoScaler on a plain capacity and a hand-moved clock."""

    def __init__(self, capacity: int, low: int = 0, high: int = 100) -> None:
        self.capacity, self.now = capacity, 0.0
        self.scaler = AutoScaler(ScalableTarget("service/c/s", low, high), current=lambda: self.capacity,
                                 apply=self._apply, now=lambda: self.now)

    def _apply(self, capacity: int, cause: str) -> None:
        self.capacity = capacity

    def add(self, delta: int, cooldown: float = 300, policy: str = "out") -> str:
        activity = self.scaler.execute([Invocation(policy, cooldown, lambda base: base + delta, "test")])
        assert activity is not None
        return activity.status


def test_scale_out_cooldown_counts_the_capacity_already_added() -> None:
    # "increase the capacity by 2 [...] If the alarm triggers again during the cooldown period but at a more
    # aggressive step adjustment of 3, the previous increase of 2 is considered part of the current
    # capacity. Therefore, only 1 is added to the capacity."
    h = Harness(10)
    assert h.add(2) == "Successful" and h.capacity == 12
    h.now = 60
    assert h.add(2) == "Cooldown" and h.capacity == 12
    assert h.add(3) == "Successful" and h.capacity == 13
    h.now = 400  # the cooldown is over: a full adjustment again
    assert h.add(2) == "Successful" and h.capacity == 15


def test_scale_in_cooldown_blocks_scale_in_but_not_scale_out() -> None:
    h = Harness(10)
    assert h.add(-2, policy="in") == "Successful" and h.capacity == 8
    h.now = 100
    assert h.add(-2, policy="in") == "Cooldown" and h.capacity == 8
    # "if another alarm triggers a scale-out activity during the cooldown period after a scale-in activity,
    # Application Auto Scaling scales out the target immediately" and the scale-in cooldown stops.
    assert h.add(1, policy="out") == "Successful" and h.capacity == 9
    assert h.add(-2, policy="in") == "Successful" and h.capacity == 7


def test_the_largest_capacity_wins_among_simultaneous_policies() -> None:
    h = Harness(10)
    activity = h.scaler.execute([Invocation("plus3", 0, lambda b: b + 3, "a"),
                                 Invocation("double", 0, lambda b: b * 3, "b"),
                                 Invocation("stay", 0, lambda b: b, "c")])
    assert activity is not None and activity.policy == "double" and h.capacity == 30
    assert [a.status for a in h.scaler.activities[:2]] == ["Superseded", "Superseded"]
    # A policy that would not change the capacity does not hold back a scale-in.
    h.now = 1000
    h.scaler.execute([Invocation("stay", 0, lambda b: b, "c"), Invocation("zero", 0, lambda b: 0, "d")])
    assert h.capacity == 0


def test_bounds_and_scheduled_actions() -> None:
    h = Harness(0, low=0, high=10)
    assert h.add(50) == "Successful" and h.capacity == 10
    h.capacity = 0
    activity = h.scaler.scheduled(1, None, "warm")
    assert activity.status == "Successful" and h.capacity == 1 and h.scaler.target.min_capacity == 1
    h.now = 1000
    assert h.add(-5, policy="in") == "Unchanged" and h.capacity == 1  # ExactCapacity 0 is clamped to MinCapacity


def test_suspended_dynamic_scaling() -> None:
    h = Harness(2)
    h.scaler.target.scale_in_suspended = True
    assert h.add(-1, policy="in") == "Suspended" and h.capacity == 2
    assert h.add(1) == "Successful"


@settings(max_examples=200, deadline=None)
@given(low=st.integers(0, 5), span=st.integers(0, 10), start=st.integers(0, 20),
       moves=st.lists(st.tuples(st.integers(-30, 30), st.sampled_from(["a", "b"]), st.integers(0, 400)),
                      max_size=15))
def test_capacity_always_stays_within_the_bounds(low: int, span: int, start: int,
                                                  moves: list[tuple[int, str, int]]) -> None:
    h = Harness(max(low, min(low + span, start)), low=low, high=low + span)
    for delta, policy, wait in moves:
        h.now += wait
        h.add(delta, cooldown=120, policy=policy)
        assert low <= h.capacity <= low + span


def tracking(**config: Any) -> TargetTrackingPolicy:
    base = {"TargetValue": 10, "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"}}
    return TargetTrackingPolicy.from_api({"PolicyName": "tt", "PolicyARN": "arn:tt", "ResourceId": "service/c/s",
                                          "TargetTrackingScalingPolicyConfiguration": {**base, **config}})


def test_target_tracking_managed_alarms() -> None:
    high, low = tracking().managed_alarms()
    assert high["AlarmName"].startswith("TargetTracking-service/c/s-AlarmHigh-")
    assert (high["ComparisonOperator"], high["Threshold"], high["EvaluationPeriods"], high["DatapointsToAlarm"],
            high["Period"]) == ("GreaterThanThreshold", 10, 3, 3, 60)
    assert (low["ComparisonOperator"], low["Threshold"], low["EvaluationPeriods"], low["DatapointsToAlarm"]) == \
        ("LessThanThreshold", 9.0, 15, 15)
    assert (high["Namespace"], high["MetricName"], high["Statistic"]) == \
        ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum")
    assert high["AlarmActions"] == ["arn:tt"] and "TreatMissingData" not in high


def test_target_tracking_capacity_and_options() -> None:
    policy = tracking(ScaleOutCooldown=30, DisableScaleIn=True)
    assert policy.capacity(2, 25) == 5  # ceil(2 x 25 / 10)
    assert policy.capacity(3, 2) == 1   # rounded up: never removes too much
    assert policy.capacity(0, 50) == 0  # no target to divide by: it cannot leave zero
    assert (policy.scale_out_cooldown, policy.scale_in_cooldown, policy.disable_scale_in) == (30, 300, True)
    cpu = tracking(PredefinedMetricSpecification={"PredefinedMetricType": "ECSServiceAverageCPUUtilization"})
    assert (cpu.metric.namespace, cpu.metric.name, cpu.metric.statistic) == ("AWS/ECS", "CPUUtilization", "Average")
    with pytest.raises(ScalingPolicyError, match="predefined metric 'SQSBacklog' is not emulated"):
        tracking(PredefinedMetricSpecification={"PredefinedMetricType": "SQSBacklog"})
