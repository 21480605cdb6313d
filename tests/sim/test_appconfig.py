"""AppConfig deployment strategies: linear and exponential growth, bake time, rollback on monitors."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.sim.appconfig import (
    PREDEFINED,
    AppConfigDeployment,
    Strategy,
    parse_flags,
    resolve_strategy,
    strategy_from_properties,
)
from pytest_infra_parity.sim.canary_flags import FlagBinding, flag_binding_from_stack, run_flag_rollout
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.traffic import TrafficSpec

HUNTAZE = builtin_designs()["huntaze-skeleton"].folder


def test_the_user_guides_linear_example() -> None:
    """"a 10 hour deployment that uses 20% linear growth": 0 h 0%, 2 h 20%, 4 h 40% ... 10 h 100%."""
    strategy = Strategy("guide", "LINEAR", 20, 600)
    assert [(strategy.percentage_at(hours * 3600)) for hours in range(11)] == \
        [0, 0, 20, 20, 40, 40, 60, 60, 80, 80, 100]


def test_the_user_guides_exponential_example() -> None:
    """"if you specify a growth factor of 2 ... 2% of the targets, 4% of the targets, 8% of the targets"."""
    assert Strategy("guide", "EXPONENTIAL", 2, 70).percentages() == (2, 4, 8, 16, 32, 64, 100)


@pytest.mark.parametrize(("name", "steps", "bake"), [
    ("AppConfig.AllAtOnce", [(0, 100)], 10),
    ("AppConfig.Linear50PercentEvery30Seconds", [(30, 50), (60, 100)], 1),
    ("AppConfig.Canary10Percent20Minutes", [(240, 10), (480, 20), (720, 40), (960, 80), (1200, 100)], 10),
    ("AppConfig.Linear20PercentEvery6Minutes", [(360, 20), (720, 40), (1080, 60), (1440, 80), (1800, 100)], 30),
])
def test_predefined_strategies(name: str, steps: list[tuple[float, float]], bake: float) -> None:
    strategy = resolve_strategy(name)
    assert strategy.steps() == tuple((float(t), float(p)) for t, p in steps)
    assert strategy.final_bake_minutes == bake


def test_the_designs_canary1percent5minutes_is_a_linear_rollout_to_everyone() -> None:
    strategy = strategy_from_properties("Canary1Percent5Minutes", {
        "DeploymentDurationInMinutes": 5, "GrowthFactor": 1, "GrowthType": "LINEAR", "FinalBakeTimeInMinutes": 5})
    assert len(strategy.steps()) == 100
    assert strategy.steps()[0] == (3.0, 1.0)
    assert (strategy.percentage_at(60), strategy.percentage_at(150), strategy.percentage_at(300)) == (20, 50, 100)


def test_malformed_strategies_are_refused() -> None:
    with pytest.raises(ConfigError, match="GrowthType"):
        Strategy("x", "CUBIC", 10, 10)
    with pytest.raises(ConfigError, match="GrowthFactor"):
        Strategy("x", "LINEAR", 0, 10)
    with pytest.raises(ConfigError, match="missing or malformed"):
        strategy_from_properties("x", {"GrowthFactor": 10})
    with pytest.raises(ConfigError, match=r"unknown AppConfig deployment strategy 'Nope'.*AllAtOnce"):
        resolve_strategy("Nope")


@given(st.sampled_from(["LINEAR", "EXPONENTIAL"]), st.floats(1, 100), st.integers(1, 600))
def test_shares_grow_evenly_in_time_and_end_at_everyone(kind: str, growth: float, minutes: int) -> None:
    strategy = Strategy("s", kind, growth, minutes)
    steps = strategy.steps()
    shares = [p for _, p in steps]
    assert shares == sorted(shares) and shares[-1] == 100
    assert steps[-1][0] == pytest.approx(60 * minutes)
    if kind == "LINEAR":
        assert len(steps) == math.ceil(100 / growth - 1e-9)


def run(strategy: Strategy, alarm_at: float | None) -> AppConfigDeployment:
    clock = VirtualClock()
    state = {"alarm": "OK"}
    deployment = AppConfigDeployment(clock, strategy, subject="flag f", monitors=("errors",),
                                     alarm_state=lambda name: state["alarm"])
    deployment.start()
    if alarm_at is not None:
        clock.run_until(alarm_at)
        state["alarm"] = "ALARM"
        deployment.check_monitors()
    clock.run_until(10_000)
    return deployment


def test_bake_time_follows_the_last_step_then_the_deployment_completes() -> None:
    deployment = run(resolve_strategy("AppConfig.Linear50PercentEvery30Seconds"), None)
    assert deployment.state == "COMPLETE" and deployment.ended_at == 120
    events = [(e.at, e.detail["state"]) for e in deployment.clock.timeline.of_kind("appconfig")]
    assert events[0] == (0.0, "DEPLOYING")
    assert events[-2:] == [(60.0, "BAKING"), (120.0, "COMPLETE")]


def test_an_alarm_during_the_bake_time_rolls_the_flag_back() -> None:
    deployment = run(resolve_strategy("AppConfig.Linear50PercentEvery30Seconds"), 90)
    assert deployment.state == "ROLLED_BACK"
    assert (deployment.percentage_at(60), deployment.percentage_at(90)) == (100, 0)


def test_an_alarm_after_the_bake_time_changes_nothing() -> None:
    deployment = run(resolve_strategy("AppConfig.Linear50PercentEvery30Seconds"), 200)
    assert deployment.state == "COMPLETE" and deployment.percentage_at(200) == 100


def test_the_designs_flags_parse_and_bad_documents_are_named() -> None:
    flags = parse_flags((HUNTAZE / "feature-flags.json").read_text(), "feature-flags.json")
    assert flags == {"prismaAdapter": {"enabled": False}}
    with pytest.raises(ConfigError, match=r"doc.json: the feature flag document is not valid JSON"):
        parse_flags("{", "doc.json")


def _stack(monitors: list[dict[str, str]]) -> Any:
    content = (Path(HUNTAZE) / "feature-flags.json").read_text()
    decls = {"Flags": ("AWS::AppConfig::HostedConfigurationVersion", {"Content": content}),
             "Env": ("AWS::AppConfig::Environment", {"Monitors": monitors}),
             "Strategy": ("AWS::AppConfig::DeploymentStrategy", {
                 "Name": "Canary1Percent5Minutes", "DeploymentDurationInMinutes": 5, "GrowthFactor": 1,
                 "GrowthType": "LINEAR", "FinalBakeTimeInMinutes": 5})}
    return SimpleNamespace(
        name="s", design="d",
        template=SimpleNamespace(resources={k: SimpleNamespace(resource_type=t, properties=p, update_policy=None)
                                            for k, (t, p) in decls.items()}),
        resources={k: SimpleNamespace(physical_id=k, properties=p) for k, (_, p) in decls.items()})


def test_flag_binding_reads_flags_strategies_and_monitors() -> None:
    binding = flag_binding_from_stack(_stack([{"AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:flag-errors"}]))
    assert binding.flags == {"prismaAdapter": {"enabled": False}}
    assert binding.strategies["Canary1Percent5Minutes"] is binding.strategies["Strategy"]
    assert binding.monitors == ("flag-errors",)
    assert "no alarm monitor" in flag_binding_from_stack(_stack([])).notes[0]


def test_an_unknown_flag_is_named() -> None:
    with pytest.raises(ConfigError, match=r"no flag 'nope'.*prismaAdapter"):
        run_flag_rollout(VirtualClock(), flag_binding_from_stack(_stack([])), "nope", "AppConfig.AllAtOnce")


def _flag_alarm() -> dict[str, Any]:
    return {"AlarmName": "flag-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
            "Dimensions": [{"Name": "FunctionName", "Value": "fn"}], "Period": 60, "EvaluationPeriods": 1,
            "Threshold": 10, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}


def test_a_failing_flag_trips_the_monitor_and_is_rolled_back() -> None:
    binding = FlagBinding("s", {"f": {"enabled": False}}, {}, ("flag-errors",))
    outcome = run_flag_rollout(VirtualClock(seed=2), binding, "f", "AppConfig.Linear20PercentEvery6Minutes",
                               spec=TrafficSpec(20), alarms=[_flag_alarm()], function="fn", alias="live",
                               version="1", flagged_failure_rate=0.2)
    # 20% of clients flagged x 20% failures x 1200 requests a minute = 48 errors > 10: ALARM in the first step
    assert outcome.rolled_back
    assert outcome.percentage_after(6) == 20 and outcome.percentage_after(8) == 0
    assert "ROLLED_BACK" in outcome.describe()


def test_a_healthy_flag_completes_after_the_bake_time() -> None:
    binding = FlagBinding("s", {"f": {"enabled": False}}, {}, ("flag-errors",))
    outcome = run_flag_rollout(VirtualClock(seed=2), binding, "f", "AppConfig.Linear50PercentEvery30Seconds",
                               spec=TrafficSpec(20), alarms=[_flag_alarm()], function="fn", alias="live",
                               version="1", flagged_failure_rate=0.0)
    assert outcome.deployment.state == "COMPLETE" and outcome.percentage_after(2) == 100
    assert outcome.new_value == {"enabled": True}


def test_predefined_names_are_the_four_aws_strategies() -> None:
    assert set(PREDEFINED) == {"AppConfig.AllAtOnce", "AppConfig.Linear50PercentEvery30Seconds",
                               "AppConfig.Canary10Percent20Minutes", "AppConfig.Linear20PercentEvery6Minutes"}
