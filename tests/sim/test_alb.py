"""The emulated ALB target group: health check timing, 503s without a healthy target, absent metrics."""

from __future__ import annotations

import random

import pytest

from pytest_infra_parity.sim.alb import DRAINING, HEALTHY, INITIAL, UNHEALTHY, HealthCheckSettings, LoadBalancer
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.scaling_metrics import MetricStore


class FixedPhase(random.Random):
    """Health checks start exactly ``phase`` seconds after registration."""

    def __init__(self, phase: float) -> None:
        super().__init__(0)
        self.phase = phase

    def uniform(self, a: float, b: float) -> float:
        return self.phase


def balancer(health: HealthCheckSettings | None = None, *, phase: float = 0.0,
             delay: float = 30.0) -> tuple[VirtualClock, MetricStore, LoadBalancer]:
    clock, metrics = VirtualClock(), MetricStore()
    lb = LoadBalancer(clock, metrics, health or HealthCheckSettings(interval=30, healthy_threshold=2),
                      deregistration_delay=delay, rng=FixedPhase(phase))
    return clock, metrics, lb


def test_settings_from_the_api_shape() -> None:
    group = {"HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 4, "HealthyThresholdCount": 3,
             "UnhealthyThresholdCount": 4, "HealthCheckEnabled": True}
    assert HealthCheckSettings.from_api(group) == HealthCheckSettings(10, 4, 3, 4, True, 1)
    assert HealthCheckSettings.from_api(group, initial="threshold").initial_checks == 3
    assert HealthCheckSettings.from_api({}) == HealthCheckSettings()  # AWS defaults: 30 s, 5, 2


def test_a_new_target_is_healthy_after_one_passed_check() -> None:
    clock, _, lb = balancer(phase=12.0)
    target = lb.register("t1", ready_at=5.0)
    clock.run_until(11.9)
    assert target.state == INITIAL
    clock.run_until(12.0)
    assert target.state == HEALTHY and lb.count(HEALTHY) == 1


def test_checks_before_the_application_is_ready_fail_then_mark_it_unhealthy() -> None:
    clock, _, lb = balancer(phase=1.0)
    target = lb.register("t1", ready_at=100.0)
    clock.run_until(31.0)  # two failed checks (1 s and 31 s): UnhealthyThresholdCount 2
    assert target.state == UNHEALTHY
    clock.run_until(121.0)  # passes at 121: one success is not HealthyThresholdCount (2)
    assert target.state == UNHEALTHY
    clock.run_until(151.0)
    assert target.state == HEALTHY


def test_the_threshold_reading_for_new_targets() -> None:
    clock, _, lb = balancer(HealthCheckSettings(interval=10, healthy_threshold=3, initial_checks=3), phase=2.0)
    target = lb.register("t1", ready_at=0.0)
    clock.run_until(12.0)
    assert target.state == INITIAL
    clock.run_until(22.0)  # checks at 2, 12 and 22 s
    assert target.state == HEALTHY


def test_no_healthy_target_means_503_from_the_load_balancer() -> None:
    clock, metrics, lb = balancer(phase=20.0)
    served = lb.serve(7, at=0.0)
    assert (served.ok, served.errors, served.status) == (0, 7, 503)
    lb.register("t1", ready_at=0.0)  # initial: still no routable target
    assert lb.serve(3, at=10.0).status == 503
    clock.run_until(20.0)
    served = lb.serve(4, at=20.0)
    assert (served.ok, served.status) == (4, 200)
    assert metrics.datapoint("HTTPCode_ELB_503_Count", 0, "Sum", now=60) == 10
    # RequestCount counts only the requests for which a target could be chosen.
    assert metrics.datapoint("RequestCount", 0, "Sum", now=60) == 4
    assert metrics.datapoint("RequestCountPerTarget", 0, "Sum", now=60) == 4


def test_fail_open_routes_to_unhealthy_targets() -> None:
    clock, metrics, lb = balancer(phase=1.0)
    lb.register("t1", ready_at=1000.0)
    clock.run_until(31.0)
    assert lb.count(UNHEALTHY) == 1
    served = lb.serve(5, at=40.0)
    assert served.status == 502 and served.errors == 5  # routed, but the target does not answer
    assert metrics.datapoint("RequestCount", 0, "Sum", now=60) == 5


def test_metrics_are_absent_not_zero_while_no_request_flows() -> None:
    clock, metrics, lb = balancer()
    lb.register_healthy("t1")
    lb.serve(6, at=30.0)
    clock.run_until(300.0)
    assert metrics.datapoint("RequestCount", 0, "Sum", now=300) == 6
    assert [metrics.datapoint("RequestCount", k, "Sum", now=300) for k in (1, 2, 3)] == [None, None, None]
    assert metrics.datapoint("HTTPCode_ELB_503_Count", 0, "Sum", now=300) is None
    # HealthyHostCount is "reported if health checks are enabled", traffic or not.
    assert metrics.datapoint("HealthyHostCount", 3, "Maximum", now=300) == 1


def test_deregistration_delay_drains_before_removal() -> None:
    clock, metrics, lb = balancer(delay=30.0)
    lb.register_healthy("t1")
    drained: list[float] = []
    clock.run_until(100.0)
    lb.deregister("t1", lambda: drained.append(clock.now))
    assert lb.targets["t1"].state == DRAINING and lb.serve(1, at=100.0).status == 503
    clock.run_until(200.0)
    assert drained == [130.0] and "t1" not in lb.targets
    assert metrics.datapoint("HealthyHostCount", 1, "Maximum", now=200) == 1
    assert metrics.datapoint("HealthyHostCount", 1, "Minimum", now=200) == 0
    assert metrics.datapoint("HealthyHostCount", 1, "Average", now=200) == pytest.approx(40 / 60)


def test_metric_store_counters_and_gauges() -> None:
    store = MetricStore()
    store.count("RequestCount", 59.9, 2)
    store.count("RequestCount", 60.0, 0)  # zero is not published
    assert store.series("RequestCount", 0, 3, "Sum", now=200) == [2.0, None, None]
    assert store.datapoint("RequestCount", 0, "SampleCount", now=200) == 1.0
    store.set_gauge("CPUUtilization", 0.0, 10.0)
    store.set_gauge("CPUUtilization", 90.0, None)  # no task: not reported
    store.set_gauge("CPUUtilization", 150.0, 30.0)
    assert store.series("CPUUtilization", 0, 3, "Average", now=180) == [10.0, 10.0, 30.0]
    assert store.datapoint("CPUUtilization", 1, "Maximum", now=180) == 10.0
    store.set_gauge("CPUUtilization", 180.0, None)
    assert store.datapoint("CPUUtilization", 3, "Average", now=240) is None
