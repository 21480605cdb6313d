"""Scale-to-zero and scale-up from zero on the emulation: stages, criteria, the corrected variant."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.alb import HealthCheckSettings
from pytest_infra_parity.sim.autoscaling import ScalableTarget, StepScalingPolicy
from pytest_infra_parity.sim.ecs import PUBLIC_REGISTRY
from pytest_infra_parity.sim.scaling_analysis import (
    idle_scenario,
    repeat,
    scale_to_zero,
    scale_up,
    wake_scenario,
)
from pytest_infra_parity.sim.scaling_config import ScalingConfig, Timings, timings_from_section
from pytest_infra_parity.sim.scaling_model import ScalingModel
from pytest_infra_parity.sim.scaling_report import alarm_floor, explain
from pytest_infra_parity.sim.scaling_schedule import ScheduledAction
from pytest_infra_parity.sim.scaling_session import start_of
from pytest_infra_parity.sim.scaling_timeline import render_timeline
from pytest_infra_parity.sim.scaling_tracking import TargetTrackingPolicy


def _stat(query_id: str, metric: str, stat: str) -> dict[str, Any]:
    return {"Id": query_id, "ReturnData": False, "MetricStat": {
        "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric, "Dimensions": []},
        "Period": 60, "Stat": stat}}


WAKE = {"AlarmName": "cg-wake-from-zero", "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0,
        "EvaluationPeriods": 1, "DatapointsToAlarm": 1, "TreatMissingData": "notBreaching",
        "AlarmActions": ["arn:wake"], "Metrics": [
            {"Id": "wake", "Expression": "IF(FILL(healthy, 0) < 1, FILL(requests, 0) + FILL(elb503, 0), 0)",
             "ReturnData": True},
            _stat("requests", "RequestCount", "Sum"), _stat("elb503", "HTTPCode_ELB_503_Count", "Sum"),
            _stat("healthy", "HealthyHostCount", "Maximum")]}
IDLE = {"AlarmName": "cg-idle-5-minutes", "ComparisonOperator": "LessThanThreshold", "Threshold": 1.0,
        "EvaluationPeriods": 5, "DatapointsToAlarm": 5, "TreatMissingData": "breaching",
        "AlarmActions": ["arn:idle"], "Metrics": [
            {"Id": "traffic", "Expression": "FILL(requests, 0) + FILL(elb503, 0)", "ReturnData": True},
            _stat("requests", "RequestCount", "Sum"), _stat("elb503", "HTTPCode_ELB_503_Count", "Sum")]}


def cityguided_like(*, wake_cooldown: int = 30, interval: int = 30,
                    scheduled: tuple[ScheduledAction, ...] = ()) -> ScalingConfig:
    """The cityguided design's scaling configuration, as the binding reads it from the target."""
    wake = StepScalingPolicy.from_api({"PolicyName": "wake", "PolicyARN": "arn:wake",
                                       "StepScalingPolicyConfiguration": {
        "AdjustmentType": "ChangeInCapacity", "Cooldown": wake_cooldown, "MetricAggregationType": "Maximum",
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}})
    idle = StepScalingPolicy.from_api({"PolicyName": "idle", "PolicyARN": "arn:idle",
                                       "StepScalingPolicyConfiguration": {
        "AdjustmentType": "ExactCapacity", "Cooldown": 60, "MetricAggregationType": "Maximum",
        "StepAdjustments": [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": 0}]}})
    tracking = TargetTrackingPolicy.from_api({
        "PolicyName": "tt", "PolicyARN": "arn:tt", "ResourceId": "service/cg/cg",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 10, "ScaleOutCooldown": 30, "ScaleInCooldown": 300,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"}}})
    timings = Timings(start_latency=PUBLIC_REGISTRY, runs=8)
    timings = replace(timings, task=replace(timings.task, grace_period=60.0))
    return ScalingConfig("cg", ScalableTarget("service/cg/cg", 0, 10), (wake, idle), (tracking,),
                         (WAKE, IDLE, *tracking.managed_alarms()),
                         HealthCheckSettings(interval=interval, timeout=5, healthy_threshold=2, unhealthy_threshold=2),
                         30.0, 1, timings, scheduled, requests_per_second=5 / 60)


WORKING_HOURS = (
    ScheduledAction("warm", "cron(0 9 ? * MON-FRI *)", "Europe/Paris", 1, 10),
    ScheduledAction("cold", "cron(0 18 ? * MON-FRI *)", "Europe/Paris", 0, 10),
)


def test_scale_to_zero_stages_add_up() -> None:
    scenario = idle_scenario(cityguided_like(), idle_minutes=10, seed=4)
    breakdown = scale_to_zero(scenario)
    assert breakdown.total is not None
    assert [s.name for s in breakdown.stages] == ["alarm", "scaling", "draining", "stopping"]
    assert sum(s.seconds for s in breakdown.stages) == pytest.approx(breakdown.total)
    # Five idle one-minute periods after the one holding the last request, then the evaluation at :52.
    assert 5 * 60 < breakdown.stages[0].seconds <= 6 * 60 + 52
    assert breakdown.stages[1].seconds == pytest.approx(3.0)
    assert breakdown.stages[2].seconds == pytest.approx(32.0)  # scheduler 2 s + deregistration delay 30 s
    assert scenario.model.service.running == 0 and scenario.model.service.desired == 0


def test_an_idle_window_too_short_never_reaches_zero() -> None:
    runs = repeat(cityguided_like(), "scale-to-zero", 240, idle_minutes=4, runs=3)
    assert runs.unfinished == 3 and not runs.meets
    assert "not reached in any of 3 seeded runs" in explain(cityguided_like(), runs)


def test_scale_up_from_zero_as_written_misses_60_seconds_with_reason() -> None:
    config = cityguided_like()
    runs = repeat(config, "scale-up", 60, idle_minutes=30, rate=0.1)
    assert not runs.meets and runs.totals[0] > 60
    breakdown = runs.runs[0]
    assert [s.name for s in breakdown.stages] == ["alarm", "scaling", "provisioning", "health checks", "first response"]
    assert breakdown.total == pytest.approx(sum(s.seconds for s in breakdown.stages))
    assert breakdown.trigger == "cg-wake-from-zero"
    text = explain(config, runs)
    assert "criterion 60 s: NOT MET (8 of 8 runs above)" in text
    assert "best case on this configuration: 97 s = alarm 52 s + scaling 3 s + provisioning 37 s" in text
    assert "why it cannot meet 60 s" in text
    # The wake-up alarm stays in ALARM while no target is healthy: its 30 s cooldown lets it add tasks.
    assert runs.peak_desired >= 2 and "desired count peaked at" in text


def test_a_cooldown_longer_than_the_wake_up_stops_the_ramp() -> None:
    runs = repeat(cityguided_like(wake_cooldown=300), "scale-up", 60, idle_minutes=30, rate=0.1)
    assert runs.peak_desired == 1


def test_alarm_floor_follows_the_evaluation_schedule() -> None:
    config = cityguided_like()
    assert alarm_floor(config, WAKE) == 52.0
    assert alarm_floor(config, IDLE) == 52.0 + 4 * 60  # 5 of 5 one-minute datapoints
    late = replace(config, timings=replace(config.timings, metric_delay=55.0))
    assert alarm_floor(late, WAKE) == 112.0  # the datapoint misses the :52 evaluation


def test_the_warm_variant_answers_at_once_in_working_hours_and_scales_to_zero_on_saturday() -> None:
    config = cityguided_like(wake_cooldown=300, interval=10, scheduled=WORKING_HOURS)
    tuesday = repeat(config, "scale-up", 60, idle_minutes=30, rate=0.1, start=start_of("Tuesday", 10, 0), runs=3)
    assert tuesday.meets and tuesday.totals == [0.0, 0.0, 0.0]
    assert "served by a running task" in explain(config, tuesday)
    saturday = scale_to_zero(idle_scenario(config, idle_minutes=10, seed=1, start=start_of("Saturday", 10, 0)))
    assert saturday.total is not None and saturday.total < 8 * 60
    # At 18:00 Paris (17:00 UTC in January) the minimum drops to 0 and the idle service scales in.
    evening = idle_scenario(config, idle_minutes=25, seed=1, start=start_of("Monday", 16, 40))
    assert evening.model.service.desired == 0


def test_runs_are_reproducible_per_seed() -> None:
    config = cityguided_like()
    first = scale_up(wake_scenario(config, idle_minutes=20, rate=0.2, seed=11))
    again = scale_up(wake_scenario(config, idle_minutes=20, rate=0.2, seed=11))
    other = scale_up(wake_scenario(config, idle_minutes=20, rate=0.2, seed=12))
    assert first == again
    assert (first.total, first.stages) != (other.total, other.stages)  # the seed, not the seed field, matters


def test_timeline_shows_requests_tasks_and_alarm_states() -> None:
    scenario = wake_scenario(cityguided_like(), idle_minutes=12, rate=0.1, seed=2)
    text = render_timeline(scenario.model, scenario.last_request - 60, scenario.model.clock.now)
    header = text.splitlines()[0].split()
    assert header[:7] == ["time", "ok", "5xx", "desired", "running", "pending", "healthy"]
    assert header[7:] == ["wake-from-zero", "idle-5-minutes", "tt-high", "tt-low"]
    assert "wake: 0 -> 1 Successful (alarm cg-wake-from-zero in ALARM" in text
    assert any(" ALARM " in line and line.startswith("09:") for line in text.splitlines())


def test_scaling_section_overrides_and_errors() -> None:
    timings = timings_from_section({"start_latency": {"low": 10, "mode": 20, "high": 30}, "runs": 5,
                                    "initial_health_checks": "threshold"}, "design.yaml", grace_period=0,
                                   start_latency=PUBLIC_REGISTRY)
    assert (timings.start_latency.low, timings.start_latency.high, timings.runs) == (10, 30, 5)
    assert timings.initial_health_checks == "threshold"
    with pytest.raises(DesignError, match=r"design.yaml: unknown key\(s\) scaling.warmup"):
        timings_from_section({"warmup": 3}, "design.yaml", grace_period=0, start_latency=PUBLIC_REGISTRY)
    with pytest.raises(DesignError, match="start_latency needs low <= mode <= high"):
        timings_from_section({"start_latency": {"low": 30, "mode": 20, "high": 40}}, "design.yaml", grace_period=0,
                             start_latency=PUBLIC_REGISTRY)
    with pytest.raises(DesignError, match="alarm_evaluation_second must be below 60"):
        timings_from_section({"alarm_evaluation_second": 75}, "design.yaml", grace_period=0,
                             start_latency=PUBLIC_REGISTRY)


@settings(max_examples=12, deadline=None)
@given(changes=st.lists(st.tuples(st.floats(0, 7200), st.sampled_from([0.0, 0.05, 0.5, 2.0, 5.0])), max_size=6),
       seed=st.integers(0, 1000))
def test_the_emulated_service_stays_within_its_bounds(changes: list[tuple[float, float]], seed: int) -> None:
    config = cityguided_like()
    model = ScalingModel(config, seed=seed)
    for at, rate in sorted(changes):
        model.set_rate(at, rate)
    model.run_until(7200.0)
    assert all(0 <= s.desired <= 10 for s in model.samples)
    assert all(s.healthy <= s.running for s in model.samples)


def _idle_after(config: ScalingConfig, periods: int, scale_out_cooldown: int = 30) -> ScalingConfig:
    """``config`` with the scale-in alarm on ``periods`` idle periods and target tracking's scale-out cooldown."""
    tracking = TargetTrackingPolicy.from_api({
        "PolicyName": "tt", "PolicyARN": "arn:tt", "ResourceId": "service/cg/cg",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 10, "ScaleOutCooldown": scale_out_cooldown, "ScaleInCooldown": 300,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"}}})
    idle = {**IDLE, "EvaluationPeriods": periods, "DatapointsToAlarm": periods}
    return replace(config, alarms=(WAKE, idle, *tracking.managed_alarms()), tracking_policies=(tracking,))


@pytest.mark.parametrize("periods", [2, 3, 5])
def test_an_idle_alarm_on_n_periods_empties_the_service_within_its_bounds(periods: int) -> None:
    """N idle periods: alarm N x 60 + 52 to N x 60 + 112 s after the last request, then 37 s to stop the task
    (3 s to UpdateService, 2 s of scheduler, the 30 s deregistration delay, 2 s to stop)."""
    runs = repeat(_idle_after(cityguided_like(), periods), "scale-to-zero", 300, idle_minutes=10, runs=12)
    assert runs.unfinished == 0
    low, high = periods * 60 + 52 + 37, periods * 60 + 112 + 37
    assert all(low <= total <= high for total in runs.totals)
    assert runs.meets is (periods == 2)


def test_as_written_no_run_empties_the_service_within_5_minutes() -> None:
    runs = repeat(cityguided_like(), "scale-to-zero", 300, idle_minutes=10, runs=12)
    assert runs.totals[0] > 400 and "criterion 300 s: NOT MET (12 of 12 runs above)" in explain(cityguided_like(), runs)


def test_a_short_scale_out_cooldown_lets_a_stale_datapoint_hold_back_the_scale_in() -> None:
    """After a burst, target tracking's high alarm stays in ALARM on its last datapoint; the largest capacity wins."""
    saturday = start_of("saturday", 10, 0)
    quick = repeat(_idle_after(cityguided_like(), 2, 30), "scale-to-zero", 300, idle_minutes=10, warm_rate=0.5,
                   runs=20, start=saturday)
    assert not quick.meets and quick.totals[-1] > 400
    slow = repeat(_idle_after(cityguided_like(), 2, 300), "scale-to-zero", 300, idle_minutes=10, warm_rate=0.5,
                  runs=20, start=saturday)
    assert slow.meets and slow.totals[-1] <= 270
    scenario = idle_scenario(_idle_after(cityguided_like(), 2, 30), idle_minutes=10, warm_rate=0.5,
                             seed=max(quick.runs, key=lambda r: r.total or 0).seed, start=saturday)
    statuses = {(a.policy, a.status) for a in scenario.model.scaler.activities}
    assert ("idle", "Superseded") in statuses
