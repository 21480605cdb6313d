"""What the scaling emulation runs on: the deployed configuration plus the timings AWS does not publish.

:class:`ScalingConfig` is built by :mod:`pytest_infra_parity.sim.scaling_target` from the target (and the
design's template where the target loses something). :class:`Timings` holds the latencies; its defaults
and their basis (a published measurement, or an assumption) are listed in docs/scaling.md. A design
tunes them in its ``scaling`` section of design.yaml::

    scaling:
      service: Service                  # logical id, when the design has several ECS services
      start_latency: {low: 35, mode: 60, high: 90}
      app_ready_seconds: 5
      scheduler_seconds: 2
      stop_seconds: 2
      scaling_action_seconds: 3
      alarm_evaluation_second: 52
      metric_delay_seconds: 30
      initial_health_checks: one        # or: threshold (HealthyThresholdCount checks for new targets)
      runs: 20                          # seeded runs behind each analysis figure
      warm_minutes: 10                  # traffic before the idle window of a scenario
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.alb import HealthCheckSettings
from pytest_infra_parity.sim.autoscaling import ScalableTarget, StepScalingPolicy
from pytest_infra_parity.sim.ecs import PUBLIC_REGISTRY, StartLatency, TaskTimings
from pytest_infra_parity.sim.scaling_schedule import ScheduledAction
from pytest_infra_parity.sim.scaling_tracking import TargetTrackingPolicy

__all__ = ["SECTION_KEYS", "ScalingConfig", "Timings", "timings_from_section"]

SECTION_KEYS = frozenset({
    "service", "start_latency", "app_ready_seconds", "scheduler_seconds", "stop_seconds", "scaling_action_seconds",
    "alarm_evaluation_second", "metric_delay_seconds", "initial_health_checks", "runs", "warm_minutes",
})


@dataclass(frozen=True)
class Timings:
    """Latencies of the control planes (seconds)."""

    alarm_evaluation_second: float = 52.0
    """Second of each minute at which CloudWatch evaluates 60 s alarms: an ALB alarm's state changed at
    14:35:52 for the 14:34 datapoint in a published alarm notification (serverfault question 968465)."""
    metric_delay: float = 30.0
    """Seconds after a period ends before its datapoint is visible to alarms (assumption, consistent with
    the observation above)."""
    scaling_action: float = 3.0
    """From the alarm's action to UpdateService desiredCount (assumption: not published)."""
    start_latency: StartLatency = PUBLIC_REGISTRY
    task: TaskTimings = field(default_factory=TaskTimings)
    initial_health_checks: str = "one"
    runs: int = 20
    warm_minutes: int = 10


@dataclass(frozen=True)
class ScalingConfig:
    """A deployed ECS service with its load balancer, scalable target, policies and alarms."""

    service: str
    target: ScalableTarget
    step_policies: tuple[StepScalingPolicy, ...]
    tracking_policies: tuple[TargetTrackingPolicy, ...]
    alarms: tuple[Mapping[str, Any], ...]
    """``describe_alarms()["MetricAlarms"]`` entries, the target tracking alarms included."""
    health: HealthCheckSettings
    deregistration_delay: float
    initial_desired: int
    timings: Timings = field(default_factory=Timings)
    scheduled: tuple[ScheduledAction, ...] = ()
    requests_per_second: float = 0.1
    """The design's usage profile: the traffic before an idle window when the scenario gives none."""
    notes: tuple[str, ...] = ()
    """Where the configuration did not come from the target as AWS would give it (moto gaps...)."""


def _number(key: str, value: Any, path: str, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise DesignError(f"scaling.{key} must be a number >= {minimum:g}, got {value!r}", path=path)
    return float(value)


def _latency(value: Any, path: str) -> StartLatency:
    if not isinstance(value, Mapping) or set(value) != {"low", "mode", "high"}:
        raise DesignError(f"scaling.start_latency must be a mapping {{low, mode, high}} in seconds, got {value!r}",
                          path=path)
    low, mode, high = (_number(f"start_latency.{k}", value[k], path) for k in ("low", "mode", "high"))
    if not low <= mode <= high:
        raise DesignError(f"scaling.start_latency needs low <= mode <= high, got {low:g}, {mode:g}, {high:g}",
                          path=path)
    return StartLatency(low, mode, high, "the design's scaling.start_latency")


def timings_from_section(section: Any, path: str, *, grace_period: float,
                         start_latency: StartLatency) -> Timings:
    """The timings, with the design's ``scaling`` overrides validated (DesignError naming the key)."""
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise DesignError(f"'scaling' must be a mapping, got {type(section).__name__}", path=path)
    unknown = sorted(set(section) - SECTION_KEYS)
    if unknown:
        raise DesignError(f"unknown key(s) scaling.{', scaling.'.join(unknown)}; known: "
                          f"{', '.join(sorted(SECTION_KEYS))}", path=path)
    get = section.get
    task = TaskTimings(
        scheduler=_number("scheduler_seconds", get("scheduler_seconds", 2.0), path),
        app_ready=_number("app_ready_seconds", get("app_ready_seconds", 5.0), path),
        stop=_number("stop_seconds", get("stop_seconds", 2.0), path),
        grace_period=grace_period,
    )
    initial = get("initial_health_checks", "one")
    if initial not in ("one", "threshold"):
        raise DesignError(f"scaling.initial_health_checks must be 'one' or 'threshold', got {initial!r}", path=path)
    second = _number("alarm_evaluation_second", get("alarm_evaluation_second", 52.0), path)
    if second >= 60:
        raise DesignError(f"scaling.alarm_evaluation_second must be below 60, got {second:g}", path=path)
    return Timings(
        alarm_evaluation_second=second,
        metric_delay=_number("metric_delay_seconds", get("metric_delay_seconds", 30.0), path),
        scaling_action=_number("scaling_action_seconds", get("scaling_action_seconds", 3.0), path),
        start_latency=_latency(get("start_latency"), path) if "start_latency" in section else start_latency,
        task=task,
        initial_health_checks=str(initial),
        runs=int(_number("runs", get("runs", 20), path, minimum=1)),
        warm_minutes=int(_number("warm_minutes", get("warm_minutes", 10), path, minimum=1)),
    )
