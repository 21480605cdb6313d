"""The traffic model: seeded per-period counts, alias routing, and Lambda's metrics by dimension set."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.canary_random import binomial, poisson
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.traffic import MetricStore, TrafficModel, TrafficSpec, dims, traffic_from_design

FN = "fn"
ALIAS_DIMS = dims(FunctionName=FN, Resource=f"{FN}:live")


def model(rate: float, *, seed: int = 1, arrivals: str = "poisson", baseline: float = 0.0) -> TrafficModel:
    clock = VirtualClock(seed=seed)
    traffic = TrafficModel(clock, TrafficSpec(rate, arrivals, baseline), function_name=FN, alias="live")
    traffic.set_routing("1")
    return traffic


def total(traffic: TrafficModel, version: str | None = None) -> float:
    return sum(v for p in traffic.periods for k, v in p.invocations.items() if version in (None, k))


def test_same_seed_same_traffic_other_seed_other_traffic() -> None:
    runs = []
    for seed in (7, 7, 8):
        traffic = model(5, seed=seed)
        traffic.set_error_rate("1", 0.1)
        traffic.generate_until(3600)
        runs.append([(p.invocations, p.errors) for p in traffic.periods])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_poisson_arrivals_average_the_rate_over_a_day() -> None:
    traffic = model(20)
    traffic.generate_until(86_400)
    assert len(traffic.periods) == 1440
    expected = 20 * 86_400
    assert abs(total(traffic) - expected) < 5 * math.sqrt(expected)
    per_minute = [p.invocations.get("1", 0.0) for p in traffic.periods]
    assert len(set(per_minute)) > 20  # random, not a constant 1200


def test_deterministic_arrivals_carry_the_fraction() -> None:
    traffic = model(1000 / 86_400, arrivals="deterministic")  # the huntaze seed's 1000 requests a day
    traffic.generate_until(86_400)
    per_minute = {p.invocations.get("1", 0.0) for p in traffic.periods}
    assert total(traffic) == 1000
    assert per_minute == {0.0, 1.0}


def test_expected_arrivals_are_the_expectations() -> None:
    traffic = model(20, arrivals="expected")
    traffic.set_routing("1", {"2": 0.25})
    traffic.set_error_rate("2", 0.1)
    traffic.generate_until(120)
    assert traffic.periods[-1].invocations == {"1": 900.0, "2": 300.0}
    assert traffic.periods[-1].errors == {"1": 0.0, "2": pytest.approx(30.0)}


def test_the_alias_weight_routes_that_share_of_invocations() -> None:
    traffic = model(50)
    traffic.set_routing("1", {"2": 0.1})
    traffic.generate_until(3600)
    n, share = total(traffic), total(traffic, "2") / total(traffic)
    assert abs(share - 0.1) < 5 * math.sqrt(0.1 * 0.9 / n)


def test_a_shift_in_the_middle_of_a_tick_is_time_weighted() -> None:
    traffic = model(20, arrivals="expected")
    traffic.clock.run_until(30)
    traffic.set_routing("1", {"2": 1.0})
    traffic.generate_until(60)
    assert traffic.periods[0].weights == {"1": pytest.approx(0.5), "2": pytest.approx(0.5)}
    assert traffic.periods[0].invocations == {"1": pytest.approx(600.0), "2": pytest.approx(600.0)}


def test_each_version_fails_at_its_own_rate() -> None:
    traffic = model(100, baseline=0.01)
    traffic.set_routing("1", {"2": 0.5})
    traffic.set_error_rate("2", 0.2)
    traffic.generate_until(3600)
    for version, rate in (("1", 0.01), ("2", 0.2)):
        n = total(traffic, version)
        errors = sum(p.errors.get(version, 0.0) for p in traffic.periods)
        assert abs(errors / n - rate) < 5 * math.sqrt(rate * (1 - rate) / n)


def test_lambda_publishes_four_dimension_sets_and_nothing_without_invocations() -> None:
    traffic = model(10, arrivals="expected")
    traffic.set_routing("1", {"2": 0.5})
    traffic.set_error_rate("2", 0.5)
    traffic.generate_until(60)
    store = traffic.store
    stat = store.statistic
    assert stat("AWS/Lambda", "Invocations", dims(), "Sum", 0, 60) == 600
    assert stat("AWS/Lambda", "Invocations", dims(FunctionName=FN), "Sum", 0, 60) == 600
    assert stat("AWS/Lambda", "Errors", ALIAS_DIMS, "Sum", 0, 60) == 150
    executed = ALIAS_DIMS | {("ExecutedVersion", "2")}
    assert stat("AWS/Lambda", "Invocations", executed, "Sum", 0, 60) == 300
    assert stat("AWS/Lambda", "Errors", executed, "Average", 0, 60) == 0.5
    assert stat("AWS/Lambda", "Errors", executed, "Maximum", 0, 60) == 1.0
    assert stat("AWS/Lambda", "Errors", executed, "Minimum", 0, 60) == 0.0
    assert stat("AWS/Lambda", "Errors", ALIAS_DIMS | {("ExecutedVersion", "1")}, "SampleCount", 0, 60) == 300
    # no exact dimension-set match, another metric, another namespace, a period with no invocation: no datapoint
    assert stat("AWS/Lambda", "Errors", dims(FunctionName=FN, ExecutedVersion="2"), "Sum", 0, 60) is None
    assert stat("AWS/Lambda", "Duration", ALIAS_DIMS, "Sum", 0, 60) is None
    assert stat("Custom", "Errors", ALIAS_DIMS, "Sum", 0, 60) is None
    assert stat("AWS/Lambda", "Errors", ALIAS_DIMS, "Sum", 60, 60) is None


def test_statistics_over_a_longer_period_add_the_ticks() -> None:
    store = MetricStore(60)
    key = dims(FunctionName=FN)
    store.record(key, 0, 10, 1)
    store.record(key, 1, 30, 3)
    store.record(key, 2, 0, 0)
    assert store.statistic("AWS/Lambda", "Invocations", key, "Sum", 0, 300) == 40
    assert store.statistic("AWS/Lambda", "Errors", key, "Average", 0, 300) == pytest.approx(0.1)


def test_traffic_from_the_design() -> None:
    spec = traffic_from_design({"traffic": {"requests_per_second": 5, "arrivals": "deterministic"}}, {}, "d")
    assert (spec.requests_per_second, spec.arrivals) == (5.0, "deterministic")
    spec = traffic_from_design({}, {"requests_per_day": 1000}, "huntaze")
    assert spec.requests_per_second == pytest.approx(1000 / 86_400)
    assert "requests_per_day" in spec.source
    with pytest.raises(DesignError, match="Given a steady traffic"):
        traffic_from_design({}, {}, "d")
    with pytest.raises(DesignError, match=r"unknown key.*rps"):
        traffic_from_design({"traffic": {"rps": 5}}, {}, "d")
    with pytest.raises(DesignError, match="arrivals must be one of"):
        traffic_from_design({"traffic": {"requests_per_second": 5, "arrivals": "bursty"}}, {}, "d")


def test_invalid_specs_and_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="requests per second"):
        TrafficSpec(-1)
    traffic = model(1)
    with pytest.raises(ValueError, match="sum to at most 1"):
        traffic.set_routing("1", {"2": 0.7, "3": 0.6})
    with pytest.raises(ValueError, match="error rate"):
        traffic.set_error_rate("1", 1.5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2000), st.floats(0, 1), st.integers(0, 10**6))
def test_binomial_draws_stay_in_range(n: int, p: float, seed: int) -> None:
    assert 0 <= binomial(random.Random(seed), n, p) <= n


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 5000), st.integers(0, 10**6))
def test_poisson_draws_are_natural_numbers(mean: float, seed: int) -> None:
    assert poisson(random.Random(seed), mean) >= 0


@pytest.mark.parametrize(("n", "p"), [(20, 0.3), (120, 0.05), (1200, 0.05), (1200, 0.7), (50_000, 0.1)])
def test_binomial_mean_and_variance(n: int, p: float) -> None:
    rng = random.Random(3)
    draws = [binomial(rng, n, p) for _ in range(4000)]
    mean = sum(draws) / len(draws)
    variance = sum((d - mean) ** 2 for d in draws) / len(draws)
    assert abs(mean - n * p) < 5 * math.sqrt(n * p * (1 - p) / len(draws))
    assert variance == pytest.approx(n * p * (1 - p), rel=0.1)


@pytest.mark.parametrize("mean", [0.4, 3.0, 9.5, 10.0, 70.0, 1200.0])
def test_poisson_mean_and_variance(mean: float) -> None:
    rng = random.Random(5)
    draws = [poisson(rng, mean) for _ in range(4000)]
    average = sum(draws) / len(draws)
    variance = sum((d - average) ** 2 for d in draws) / len(draws)
    assert abs(average - mean) < 5 * math.sqrt(mean / len(draws))
    assert variance == pytest.approx(mean, rel=0.1)
