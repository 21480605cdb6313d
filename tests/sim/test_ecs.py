"""The emulated ECS service on Fargate: start latency, counts, draining on scale-in, unhealthy tasks."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.sim.alb import HEALTHY, HealthCheckSettings, LoadBalancer
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.ecs import ECR_IN_REGION, PUBLIC_REGISTRY, EcsService, StartLatency, TaskTimings
from pytest_infra_parity.sim.scaling_metrics import MetricStore


def service(latency: float = 40.0, *, grace: float = 0.0, app_ready: float = 5.0,
            health: HealthCheckSettings | None = None) -> tuple[VirtualClock, LoadBalancer, EcsService]:
    clock, metrics = VirtualClock(seed=3), MetricStore()
    lb = LoadBalancer(clock, metrics, health or HealthCheckSettings(interval=10, healthy_threshold=2),
                      deregistration_delay=30.0)
    svc = EcsService(clock, "svc", start_latency=StartLatency(latency, latency, latency),
                     timings=TaskTimings(scheduler=2.0, app_ready=app_ready, stop=3.0, grace_period=grace),
                     load_balancer=lb, metrics=metrics)
    return clock, lb, svc


def test_scale_out_from_zero_goes_pending_then_running_then_healthy() -> None:
    clock, lb, svc = service(latency=40.0)
    svc.set_desired(1)
    clock.run_until(1.9)
    assert (svc.desired, svc.pending, svc.running) == (1, 0, 0)  # the scheduler has not acted yet
    clock.run_until(2.0)
    assert (svc.pending, svc.running) == (1, 0)
    clock.run_until(42.0)
    assert (svc.pending, svc.running) == (0, 1)
    assert lb.count(HEALTHY) == 0  # registered, health checks pending
    clock.run_until(42.0 + 5.0 + 10.0)  # application ready, and the first check within one interval
    assert lb.count(HEALTHY) == 1


def test_scale_in_drains_before_the_task_stops() -> None:
    clock, lb, svc = service()
    svc.start_warm(2)
    assert (svc.running, lb.count(HEALTHY)) == (2, 2)
    svc.set_desired(1)
    clock.run_until(2.0)
    assert svc.running == 2 and lb.count(HEALTHY) == 1  # deregistered, still RUNNING while it drains
    clock.run_until(34.9)
    assert svc.running == 2
    clock.run_until(35.0)  # 2 s scheduler + 30 s deregistration delay + 3 s stop
    assert svc.running == 1
    states = [e.detail["state"] for e in clock.timeline.of_kind("task")]
    assert states == ["DEACTIVATING", "STOPPED"]


def test_pending_tasks_go_first_on_scale_in() -> None:
    clock, _, svc = service(latency=60.0)
    svc.start_warm(1)
    svc.set_desired(2)
    clock.run_until(10.0)
    assert (svc.pending, svc.running) == (1, 1)
    svc.set_desired(1)
    clock.run_until(12.0)
    assert (svc.pending, svc.running) == (0, 1)  # the provisioning task is dropped, the running one kept


def test_unhealthy_tasks_are_replaced_after_the_grace_period_only() -> None:
    health = HealthCheckSettings(interval=10, healthy_threshold=2, unhealthy_threshold=2)
    clock, _, svc = service(latency=10.0, app_ready=10_000.0, grace=60.0, health=health)
    svc.set_desired(1)
    clock.run_until(40.0)  # RUNNING at 12, unhealthy after two failed checks, within the grace period
    assert svc.running == 1 and not [e for e in clock.timeline.of_kind("task") if e.detail.get("state") == "STOPPED"]
    clock.run_until(400.0)
    stopped = [e for e in clock.timeline.of_kind("task") if e.detail.get("reason") == "unhealthy in the target group"]
    assert stopped, "a task failing its health checks after the grace period must be replaced"
    assert svc.desired == 1


def test_start_latency_presets_follow_the_image_registry() -> None:
    ecr = "123456789012.dkr.ecr.eu-west-3.amazonaws.com/app:1"
    assert StartLatency.for_images([ecr]) is ECR_IN_REGION
    assert StartLatency.for_images([ecr, "ghcr.io/elzinko/city-guided-api:latest"]) is PUBLIC_REGISTRY
    assert StartLatency.for_images(["caddy:alpine"]) is PUBLIC_REGISTRY
    assert "containers-roadmap issue #358" in PUBLIC_REGISTRY.source
    with pytest.raises(ValueError, match="low <= mode <= high"):
        StartLatency(50.0, 40.0, 60.0)


@settings(max_examples=100, deadline=None)
@given(low=st.floats(0, 100), extra=st.floats(0, 100), shape=st.floats(0, 1), seed=st.integers(0, 10_000))
def test_start_latency_samples_stay_within_bounds(low: float, extra: float, shape: float, seed: int) -> None:
    latency = StartLatency(low, low + extra * shape, low + extra)
    sample = latency.sample(random.Random(seed).triangular)
    assert low <= sample <= low + extra
