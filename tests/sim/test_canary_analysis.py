"""Design analysis: the smallest canary error rate a deployment group's alarms roll back, and why."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.sim.canary_analysis import alarm_coverage, analyze_detection, detection_probability
from pytest_infra_parity.sim.canary_run import Rollout
from pytest_infra_parity.sim.canary_watch import watched_alarm
from pytest_infra_parity.sim.codedeploy import PREDEFINED, DeploymentConfig, GroupSettings
from pytest_infra_parity.sim.traffic import TrafficSpec

from .test_codedeploy import WATCHED, alarm

CANARY_5 = PREDEFINED["CodeDeployDefault.LambdaCanary10Percent5Minutes"]


def rollout(config: DeploymentConfig = CANARY_5, settings: GroupSettings = WATCHED) -> Rollout:
    return Rollout(config, settings, "fn", "live", "1", "2", 0.0)


def analyze(definition: dict[str, Any], p: float, *, config: DeploymentConfig = CANARY_5, rate: float = 20,
            baseline: float = 0.0, runs: int = 40) -> Any:
    return analyze_detection(rollout(config), TrafficSpec(rate, baseline_error_rate=baseline),
                             [watched_alarm(definition)], p, seed=4, runs=runs, resolution=0.005)


def test_the_as_written_alarm_dilutes_a_10_percent_canary_twentyfold() -> None:
    result = analyze(alarm(None), 0.05)
    assert not result.detected and result.probability == 0
    assert result.noise_free_threshold == pytest.approx(0.20, abs=0.001)
    assert result.smallest_detectable is not None and 0.20 < result.smallest_detectable < 0.30
    text = result.describe()
    assert "NOT detected" in text
    assert "exceeds 0.02 only when p > 20.0%" in text
    assert "whole function" in text


def test_an_alarm_on_the_new_version_meets_the_2_percent_criterion() -> None:
    result = analyze(alarm("2"), 0.05)
    assert result.detected and result.probability == 1
    assert result.noise_free_threshold == pytest.approx(0.02, abs=0.001)
    assert result.smallest_detectable is not None and 0.02 < result.smallest_detectable < 0.05
    assert "no dilution" in result.describe()


def test_a_sick_old_version_lowers_the_diluted_threshold() -> None:
    """(2% - 0.9 x 1%) / 10% = 11%."""
    result = analyze(alarm(None), 0.05, baseline=0.01)
    assert result.noise_free_threshold == pytest.approx(0.11, abs=0.001)
    assert "p > 11.0%" in result.describe()


def test_a_canary_shorter_than_the_datapoints_to_alarm_is_never_caught() -> None:
    short = DeploymentConfig("TwoMinutes", "TimeBasedCanary", 10, 2)
    result = analyze(alarm("2"), 0.5, config=short)
    assert result.probability == 0 and result.smallest_detectable is None and result.noise_free_threshold is None
    assert "2 complete periods (TOO FEW" in result.describe()


def test_all_at_once_cannot_be_stopped_by_an_alarm() -> None:
    result = analyze(alarm("2"), 0.5, config=PREDEFINED["CodeDeployDefault.LambdaAllAtOnce"], runs=5)
    assert not result.detected
    assert "moves all traffic at once" in result.describe()


def test_low_traffic_makes_the_smallest_detectable_rate_grow() -> None:
    busy = analyze(alarm("2"), 0.05, rate=20)
    quiet = analyze(alarm("2"), 0.05, rate=0.5)
    assert busy.smallest_detectable is not None and quiet.smallest_detectable is not None
    assert quiet.smallest_detectable > busy.smallest_detectable
    assert "3.0 invocations per minute" in quiet.describe()


def test_coverage_of_each_dimension_set() -> None:
    def kinds(version: str | None, **extra: str) -> list[str]:
        definition = alarm(version)
        for query in definition["Metrics"][1:]:
            query["MetricStat"]["Metric"]["Dimensions"] += [{"Name": k, "Value": v} for k, v in extra.items()]
        return [kind for kind, _ in alarm_coverage(watched_alarm(definition), "fn", "live", "2", "1")]

    assert kinds(None) == ["function", "function"]
    assert kinds("2") == ["new", "new"]
    assert kinds("1") == ["old", "old"]
    assert kinds("7") == ["none", "none"]
    assert kinds(None, Region="x") == ["none", "none"]


def test_without_alarms_enabled_nothing_is_caught() -> None:
    result = analyze_detection(rollout(settings=GroupSettings(("err",), False)), TrafficSpec(20),
                               [watched_alarm(alarm("2"))], 0.5, seed=1, runs=5, resolution=0.05)
    assert not result.detected
    assert "no (enabled) alarm" in result.describe()


def _share(p: float, rate: float) -> float:
    return detection_probability(rollout(), TrafficSpec(rate), [watched_alarm(alarm("2"))], p, seed=4, runs=100)


def test_near_the_threshold_sampling_noise_decides_at_20_requests_per_second() -> None:
    """About 120 canary requests a minute: a 2.5% canary is often missed, a 1.5% one sometimes rolled back."""
    assert 0.6 <= _share(0.025, 20) < 0.8
    assert 0.3 <= _share(0.02, 20) < 0.6
    assert 0.05 <= _share(0.015, 20) < 0.3
    assert _share(0.005, 20) == 0


def test_more_traffic_makes_a_2_5_percent_canary_reliably_detected_but_not_a_2_percent_one() -> None:
    assert _share(0.025, 20) < 0.95 <= _share(0.025, 150)
    # At the threshold itself a minute breaches about half the time, however much traffic there is.
    assert _share(0.02, 1000) < 0.6
