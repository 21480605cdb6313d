"""CodeDeploy Lambda deployments on the virtual clock: configurations, shifts, alarm stops and rollbacks."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.sim.canary_run import Rollout, run_rollout
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import (
    PREDEFINED,
    DeploymentConfig,
    GroupSettings,
    LambdaDeployment,
    config_from_api,
    resolve_config,
)
from pytest_infra_parity.sim.traffic import TrafficSpec

WATCHED = GroupSettings(("err",), True, False, True, ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"))
LINEAR_STEPS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]

# The user guide's table, "Deployment configurations on an AWS Lambda compute platform", as shift times.
PREDEFINED_SHIFTS = {
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": [(0, 0.1), (300, 1.0)],
    "CodeDeployDefault.LambdaCanary10Percent10Minutes": [(0, 0.1), (600, 1.0)],
    "CodeDeployDefault.LambdaCanary10Percent15Minutes": [(0, 0.1), (900, 1.0)],
    "CodeDeployDefault.LambdaCanary10Percent30Minutes": [(0, 0.1), (1800, 1.0)],
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": [(60 * k, w) for k, w in enumerate(LINEAR_STEPS)],
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": [(120 * k, w) for k, w in enumerate(LINEAR_STEPS)],
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": [(180 * k, w) for k, w in enumerate(LINEAR_STEPS)],
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": [(600 * k, w) for k, w in enumerate(LINEAR_STEPS)],
    "CodeDeployDefault.LambdaAllAtOnce": [(0, 1.0)],
}


def alarm(version: str | None = None) -> dict[str, Any]:
    """huntaze's errors / invocations alarm, on the whole function or on one executed version."""
    dimensions = [{"Name": "FunctionName", "Value": "fn"}]
    if version:
        dimensions += [{"Name": "Resource", "Value": "fn:live"}, {"Name": "ExecutedVersion", "Value": version}]

    def query(qid: str, metric: str) -> dict[str, Any]:
        return {"Id": qid, "ReturnData": False, "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {
            "Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions}}}

    return {"AlarmName": "err", "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.02,
            "EvaluationPeriods": 5, "DatapointsToAlarm": 3, "TreatMissingData": "notBreaching", "StateValue": "OK",
            "Metrics": [{"Id": "rate", "Expression": "errors / invocations", "ReturnData": True},
                        query("errors", "Errors"), query("invocations", "Invocations")]}


@pytest.mark.parametrize("name", sorted(PREDEFINED_SHIFTS))
def test_predefined_configurations_shift_as_the_user_guide_says(name: str) -> None:
    assert list(PREDEFINED[name].shifts()) == [(float(t), w) for t, w in PREDEFINED_SHIFTS[name]]


def test_all_nine_predefined_lambda_configurations_exist() -> None:
    assert set(PREDEFINED) == set(PREDEFINED_SHIFTS)


@pytest.mark.parametrize(("name", "full"), [
    ("Canary10Percent5Minutes", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
    ("Linear10PercentEvery1Minute", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"),
    ("AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce"),
])
def test_sam_deployment_preference_types_resolve(name: str, full: str) -> None:
    assert resolve_config(name) is PREDEFINED[full]


def test_custom_configurations_from_traffic_routing_config() -> None:
    canary = config_from_api("Five", {"trafficRoutingConfig": {
        "type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 5, "canaryInterval": 3}}})
    assert canary.shifts() == ((0.0, 0.05), (180.0, 1.0))
    linear = config_from_api("Thirty", {"type": "TimeBasedLinear",
                                        "timeBasedLinear": {"linearPercentage": 30, "linearInterval": 2}})
    assert linear.shifts() == ((0.0, 0.3), (120.0, 0.6), (240.0, 0.9), (360.0, 1.0))
    assert config_from_api("Now", {"type": "AllAtOnce"}).shifts() == ((0.0, 1.0),)
    assert resolve_config("Five", {"Five": canary}) is canary
    assert resolve_config("Thirty", lookup=lambda name: linear if name == "Thirty" else None) is linear


@pytest.mark.parametrize(("routing", "message"), [
    ({"type": "Blue"}, "type must be"),
    ({"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 0, "canaryInterval": 3}}, "canaryPercentage"),
    ({"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10}}, "linearInterval"),
])
def test_malformed_custom_configurations_are_refused(routing: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_api("Bad", routing)


def test_an_unknown_configuration_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown deployment configuration 'Nope'.*LambdaCanary10Percent5Minutes"):
        resolve_config("Nope")


@given(st.sampled_from(["TimeBasedCanary", "TimeBasedLinear"]), st.integers(1, 99), st.integers(1, 60))
def test_any_custom_configuration_starts_at_once_grows_and_ends_at_all_traffic(kind: str, pct: int,
                                                                                minutes: int) -> None:
    shifts = DeploymentConfig("c", kind, pct, minutes).shifts()
    assert shifts[0] == (0.0, pct / 100)
    assert shifts[-1][1] == 1.0
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(shifts))


class Recorder:
    """The alias writes of a deployment, and a scripted alarm state."""

    def __init__(self) -> None:
        self.routes: list[tuple[float, str, dict[str, float]]] = []
        self.alarm = "OK"

    def deployment(self, clock: VirtualClock, config: str, settings: GroupSettings = WATCHED) -> LambdaDeployment:
        return LambdaDeployment(clock, deployment_id="d-1", config=PREDEFINED[config], settings=settings,
                                function="fn", alias="live", old_version="1", new_version="2",
                                route=lambda p, a: self.routes.append((clock.now, p, a)),
                                alarm_state=lambda name: self.alarm)


def test_a_deployment_without_alarm_shifts_and_succeeds() -> None:
    clock, rec = VirtualClock(), Recorder()
    deployment = rec.deployment(clock, "CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    deployment.start()
    clock.run_until(3600)
    assert deployment.status == "Succeeded" and deployment.ended_at == 540
    assert rec.routes[0] == (0.0, "1", {"2": 0.1})
    assert rec.routes[4] == (240.0, "1", {"2": 0.5})
    assert rec.routes[-1] == (540.0, "2", {})
    assert [e.detail["status"] for e in clock.timeline.of_kind("deployment")] == ["InProgress", "Succeeded"]


def test_an_alarm_stops_the_deployment_and_rolls_the_alias_back() -> None:
    clock, rec = VirtualClock(), Recorder()
    deployment = rec.deployment(clock, "CodeDeployDefault.LambdaCanary10Percent10Minutes")
    deployment.start()
    clock.run_until(120)
    rec.alarm = "ALARM"
    deployment.check_alarms()
    clock.run_until(3600)
    assert (deployment.status, deployment.stopped_by, deployment.rolled_back) == ("Stopped", "err", True)
    assert rec.routes == [(0.0, "1", {"2": 0.1}), (120.0, "1", {})]
    assert clock.timeline.first("rollback") is not None


def test_without_rollback_on_alarm_the_alias_stays_weighted() -> None:
    clock, rec = VirtualClock(), Recorder()
    settings = GroupSettings(("err",), True, False, True, ("DEPLOYMENT_FAILURE",))
    deployment = rec.deployment(clock, "CodeDeployDefault.LambdaCanary10Percent10Minutes", settings)
    deployment.start()
    rec.alarm = "ALARM"
    clock.run_until(60)
    deployment.check_alarms()
    assert deployment.status == "Stopped" and not deployment.rolled_back
    assert rec.routes == [(0.0, "1", {"2": 0.1})]
    assert "stays weighted" in clock.timeline.of_kind("note")[0].detail["text"]


def test_disabled_alarms_are_ignored_and_an_alarm_at_the_start_stops_at_once() -> None:
    clock, rec = VirtualClock(), Recorder()
    rec.alarm = "ALARM"
    ignored = rec.deployment(clock, "CodeDeployDefault.LambdaAllAtOnce", GroupSettings(("err",), False))
    ignored.start()
    clock.run_until(10)
    assert ignored.status == "Succeeded"
    stopped = rec.deployment(clock, "CodeDeployDefault.LambdaCanary10Percent5Minutes")
    stopped.start()
    assert stopped.status == "Stopped" and stopped.ended_at == stopped.started_at


def test_hooks_are_recorded_around_the_shifts() -> None:
    clock, rec = VirtualClock(), Recorder()
    settings = GroupSettings(before_hook="CodeDeployHook_pre", after_hook="CodeDeployHook_post")
    rec.deployment(clock, "CodeDeployDefault.LambdaAllAtOnce", settings).start()
    clock.run_until(1)
    hooks = [(e.detail["lifecycle_event"], e.detail["function"]) for e in clock.timeline.of_kind("hook")]
    assert hooks == [("BeforeAllowTraffic", "CodeDeployHook_pre"), ("AfterAllowTraffic", "CodeDeployHook_post")]


def test_group_settings_from_the_api_and_from_the_template() -> None:
    api = GroupSettings.from_api({"enabled": True, "alarms": [{"name": "a"}]},
                                 {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]}, {})
    template = GroupSettings.from_api({"Alarms": [{"Name": "a"}], "Enabled": True},
                                      {"Enabled": True, "Events": ["DEPLOYMENT_STOP_ON_ALARM"]}, {})
    assert api == template
    assert api.rollback_on_alarm and api.alarms == ("a",)


def rollout(failure: float, version: str | None, config: str = "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            seed: int = 4) -> Any:
    return run_rollout(VirtualClock(seed=seed), TrafficSpec(20),
                       Rollout(PREDEFINED[config], WATCHED, "fn", "live", "1", "2", failure), [alarm(version)])


def test_an_alarm_on_the_new_version_rolls_a_5_percent_canary_back_within_the_canary() -> None:
    outcome = rollout(0.05, "2")
    assert outcome.status == "Stopped" and outcome.rolled_back
    assert outcome.rollback_after is not None and outcome.rollback_after <= 300
    transition = outcome.alarms[0].transitions[-1]
    assert (transition.old_state, transition.new_state) == ("OK", "ALARM")
    assert "3 out of the last 5 datapoints" in transition.reason


def test_a_healthy_canary_succeeds_and_a_whole_function_alarm_misses_a_5_percent_canary() -> None:
    assert rollout(0.005, "2").status == "Succeeded"
    missed = rollout(0.05, None)
    assert missed.status == "Succeeded"
    assert all(a.state == "OK" for a in missed.alarms)


def test_the_report_shows_weights_rates_states_and_the_rollback() -> None:
    text = rollout(0.05, "2").describe()
    assert "result: Stopped at +03:00 by alarm err; rolled back to version 1 at +03:00" in text
    assert "+00:00  traffic shift: v1 90% / v2 10%" in text
    assert "OK -> ALARM" in text and "ROLLBACK" in text
    assert "ExecutedVersion=2" in text


def test_an_unreadable_alarm_fails_the_deployment_unless_poll_failures_are_ignored() -> None:
    def unknown(name: str) -> str:
        raise KeyError(name)

    for ignore, expected, written in ((False, "Failed", [("1", {})]), (True, "Succeeded", [("2", {})])):
        clock = VirtualClock()
        settings = GroupSettings(("gone",), True, ignore, True, ("DEPLOYMENT_FAILURE",))
        routes: list[tuple[str, dict[str, float]]] = []
        deployment = LambdaDeployment(clock, deployment_id="d-1", settings=settings, function="fn", alias="live",
                                      config=PREDEFINED["CodeDeployDefault.LambdaAllAtOnce"], old_version="1",
                                      new_version="2", route=lambda p, a, seen=routes: seen.append((p, a)),
                                      alarm_state=unknown)
        deployment.start()
        clock.run_until(10)
        assert (deployment.status, routes, deployment.rolled_back) == (expected, written, not ignore)
