"""The service, its load balancer, Application Auto Scaling and CloudWatch, wired on one virtual clock.

:class:`ScalingModel` starts from the deployed steady state (``desiredCount`` tasks running and healthy,
alarms ``INSUFFICIENT_DATA`` as after creation), accepts a traffic plan, and runs: the load balancer
serves the requests (counting them into CloudWatch metrics), CloudWatch evaluates the alarms, their
actions invoke the scaling policies, Application Auto Scaling changes ``desiredCount``, ECS starts and
stops Fargate tasks, and the target group health-checks them. Every step is recorded in the clock's
timeline and in :attr:`ScalingModel.samples` (what the failure report prints).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pytest_infra_parity.sim.alarm_spec import ALARM
from pytest_infra_parity.sim.alarms import Evaluation
from pytest_infra_parity.sim.alb import HEALTHY, LoadBalancer
from pytest_infra_parity.sim.autoscaling import AutoScaler, Invocation, ScalableTarget, StepScalingPolicy, aggregate
from pytest_infra_parity.sim.clock import DEFAULT_START, VirtualClock
from pytest_infra_parity.sim.ecs import EcsService
from pytest_infra_parity.sim.scaling_alarms import AlarmRunner, WatchedAlarm
from pytest_infra_parity.sim.scaling_config import ScalingConfig
from pytest_infra_parity.sim.scaling_metrics import MetricStore
from pytest_infra_parity.sim.scaling_schedule import ScheduledAction, last_run, next_run
from pytest_infra_parity.sim.scaling_tracking import TargetTrackingPolicy
from pytest_infra_parity.sim.scaling_traffic import TrafficPlan

__all__ = ["Sample", "ScalingModel", "Slice"]

_ABOVE = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")


@dataclass(frozen=True)
class Sample:
    """The service after a change."""

    at: float
    desired: int
    running: int
    pending: int
    healthy: int


@dataclass(frozen=True)
class Slice:
    """Requests served over ``[start, end)`` with one outcome."""

    start: float
    end: float
    ok: int
    errors: int
    status: int
    first: float
    """The first arrival of the slice."""


class ScalingModel:
    """One emulated service; ``seed`` drives the Fargate start times and health check phases.

    ``start`` is the virtual clock's date (scheduled actions and their time zones follow it);
    ``alarms_from`` is when CloudWatch starts evaluating: the traffic before it is the history the
    alarms look back on, as for alarms that existed long before the scenario. A ``clock`` given (its own
    seed and start) puts the service on a clock shared with other emulations, such as a canary deployment.
    """

    def __init__(self, config: ScalingConfig, *, seed: int = 0, start: datetime = DEFAULT_START,
                 alarms_from: float = 0.0, clock: VirtualClock | None = None) -> None:
        self.config = config
        self.clock = VirtualClock(seed=seed, start=start) if clock is None else clock
        self.metrics = MetricStore()
        self.traffic = TrafficPlan()
        self.slices: list[Slice] = []
        self.samples: list[Sample] = []
        self._served_until = 0.0
        self._pending: tuple[float, list[tuple[str, Invocation]]] | None = None
        timings = config.timings
        self.lb = LoadBalancer(self.clock, self.metrics, config.health,
                               deregistration_delay=config.deregistration_delay, name=config.service)
        self.service = EcsService(self.clock, config.service, start_latency=timings.start_latency,
                                  timings=timings.task, load_balancer=self.lb, metrics=self.metrics)
        target = ScalableTarget(config.target.resource_id, config.target.min_capacity, config.target.max_capacity,
                                config.target.dimension, config.target.scale_out_suspended,
                                config.target.scale_in_suspended)
        self.scaler = AutoScaler(target, current=lambda: self.service.desired, apply=self._apply,
                                 now=lambda: self.clock.now)
        self.lb.before_change.append(self.flush)
        self.lb.after_change.append(self._sample)
        self.service.on_change.append(self._sample)
        self.service.on_change.append(self._publish_utilization)
        self.alarms = AlarmRunner(self.clock, self.metrics, config.alarms,
                                  evaluation_second=timings.alarm_evaluation_second, metric_delay=timings.metric_delay,
                                  dispatch=self._dispatch, before=self.flush, start_at=alarms_from)
        self._steps = {p.arn: p for p in config.step_policies}
        self._tracking = {p.arn: p for p in config.tracking_policies}
        self._replay_schedule(target)
        self.service.start_warm(target.clamp(config.initial_desired))
        for action in config.scheduled:
            self._schedule(action)

    # --- driving ---------------------------------------------------------------------------------------

    def set_rate(self, at: float, rate: float) -> None:
        """From ``at`` on, ``rate`` requests per second (replaces what was planned after ``at``)."""
        if at < self.clock.now:
            raise ValueError(f"cannot change the past: {at} < now {self.clock.now}")
        self.clock.schedule(at, self.flush, label="traffic change")
        self.traffic.set_rate(at, rate)
        self.clock.schedule(at, self._publish_utilization, label="traffic change")

    def run_until(self, until: float) -> None:
        self.clock.run_until(until)
        self.flush()

    def run_while(self, condition: Callable[[], bool], *, limit: float) -> bool:
        done = self.clock.run_while(condition, limit=limit)
        self.flush()
        return done

    def flush(self) -> None:
        """Serve the requests that arrived since the last flush, with the load balancer's current state."""
        now = self.clock.now
        start = self._served_until
        while start < now:
            end = min(now, (math.floor(start / 60.0 + 1e-9) + 1) * 60.0)
            count = self.traffic.arrivals(start, end)
            if count:
                served = self.lb.serve(count, start)
                first = self.traffic.first_arrival(start, end)
                self.slices.append(Slice(start, end, served.ok, served.errors, served.status,
                                         start if first is None else first))
            start = end
        self._served_until = max(self._served_until, now)

    # --- queries ---------------------------------------------------------------------------------------

    def first_success(self, after: float) -> float | None:
        return next((s.first for s in self.slices if s.first >= after and s.ok > 0), None)

    def first_time(self, predicate: Callable[[Sample], bool], after: float) -> float | None:
        return next((s.at for s in self.samples if s.at >= after and predicate(s)), None)

    def alarm_states(self) -> dict[str, str]:
        return {w.name: w.evaluator.state for w in self.alarms.watched}

    # --- wiring ----------------------------------------------------------------------------------------

    def _apply(self, capacity: int, cause: str) -> None:
        self.clock.record("scaling", self.config.service, desired=capacity, cause=cause)
        self.service.set_desired(capacity, cause)

    def _sample(self) -> None:
        sample = Sample(self.clock.now, self.service.desired, self.service.running, self.service.pending,
                        self.lb.count(HEALTHY))
        last = self.samples[-1] if self.samples else None
        if last is not None and last.at == sample.at:
            self.samples[-1] = sample
        elif last is None or (last.desired, last.running, last.pending, last.healthy) != \
                (sample.desired, sample.running, sample.pending, sample.healthy):
            self.samples.append(sample)

    def _publish_utilization(self) -> None:
        """AWS/ECS utilization while tasks run (absent otherwise): a coarse load model, see docs/scaling.md."""
        running = self.service.running
        now = self.clock.now
        if running == 0:
            self.metrics.set_gauge("CPUUtilization", now, None)
            self.metrics.set_gauge("MemoryUtilization", now, None)
            return
        per_task = self.traffic.rate_at(now) / running
        self.metrics.set_gauge("CPUUtilization", now, min(100.0, 1.0 + 10.0 * per_task))
        self.metrics.set_gauge("MemoryUtilization", now, 10.0)

    def _dispatch(self, watched: WatchedAlarm, evaluation: Evaluation, actions: list[str]) -> None:
        invocations = [inv for inv in (self._invocation(watched, evaluation, arn) for arn in actions)
                       if inv is not None]
        if not invocations:
            return
        if self._pending is None:
            # Every alarm of this evaluation round reaches Application Auto Scaling together.
            self._pending = (self.clock.now, [])
            self.clock.after(self.config.timings.scaling_action, self._execute, label="scaling actions")
        self._pending[1].extend((watched.name, inv) for inv in invocations)

    def _execute(self) -> None:
        assert self._pending is not None
        alarm_at, pending = self._pending
        self._pending = None
        activity = self.scaler.execute([inv for _, inv in pending])
        if activity is not None and activity.status != "Unchanged" and not self._repeated(activity.status,
                                                                                           activity.cause):
            alarm = next(name for name, inv in pending if inv.policy == activity.policy)
            self.clock.record("activity", activity.policy, old=activity.old, new=activity.new, status=activity.status,
                              cause=activity.cause, alarm=alarm, alarm_at=alarm_at)

    def _repeated(self, status: str, cause: str) -> bool:
        """A failure identical to the last recorded activity is not recorded again."""
        activities = self.clock.timeline.of_kind("activity")
        return status == "Failed" and bool(activities) and activities[-1].detail.get("cause") == cause

    def _invocation(self, watched: WatchedAlarm, evaluation: Evaluation, arn: str) -> Invocation | None:
        values = [p.value for p in evaluation.points]
        step = self._steps.get(arn)
        if step is not None:
            return _step_invocation(step, watched, values)
        tracking = self._tracking.get(arn)
        if tracking is not None and values and watched.evaluator.state == ALARM:
            return _tracking_invocation(tracking, watched, values[0])
        return None

    def _replay_schedule(self, target: ScalableTarget) -> None:
        """The bounds the scheduled actions set before the start (their last runs, oldest first)."""
        past = [(when, a) for a in self.config.scheduled if (when := last_run(a, self.clock.datetime)) is not None]
        for when, action in sorted(past, key=lambda p: p[0]):
            if action.min_capacity is not None:
                target.min_capacity = action.min_capacity
            if action.max_capacity is not None:
                target.max_capacity = action.max_capacity
            bounds = f"min {target.min_capacity}, max {target.max_capacity}"
            self.clock.record("activity", f"scheduled action {action.name}", status="Replayed",
                              cause=f"last ran {when.isoformat()}: {bounds}")

    def _schedule(self, action: ScheduledAction) -> None:
        when = next_run(action, self.clock.datetime)
        if when is None:
            return
        seconds = (when - self.clock.start).total_seconds()

        def run() -> None:
            activity = self.scaler.scheduled(action.min_capacity, action.max_capacity, action.name)
            self.clock.record("activity", activity.policy, old=activity.old, new=activity.new, status=activity.status,
                              cause=activity.cause)
            self._schedule(action)

        self.clock.schedule(seconds, run, label=f"scheduled action {action.name}")


def _step_invocation(policy: StepScalingPolicy, watched: WatchedAlarm, values: list[float]) -> Invocation | None:
    threshold = watched.spec.threshold
    if threshold is None:
        return None
    if not values:
        # In ALARM on missing data treated as breaching: no datapoint to size the breach with
        # (an assumption, see docs/scaling.md); alarms that FILL their metrics have real zeros instead.
        return Invocation(policy.name, policy.cooldown, lambda base: base,
                          f"alarm {watched.name} in ALARM without a datapoint",
                          failure="no datapoint to compare with the step adjustments")
    metric = aggregate(values[: watched.spec.evaluation_periods], policy.aggregation)
    above = watched.spec.comparison_operator in _ABOVE
    step = policy.step_for(metric - threshold, above)
    cause = f"alarm {watched.name} in ALARM, metric {metric:g} vs threshold {threshold:g}"
    if step is None:
        return Invocation(policy.name, policy.cooldown, lambda base: base, cause + ": no step adjustment found")
    return Invocation(policy.name, policy.cooldown, lambda base: policy.capacity(base, step), cause)


def _tracking_invocation(policy: TargetTrackingPolicy, watched: WatchedAlarm, metric: float) -> Invocation:
    high = watched.spec.comparison_operator in _ABOVE
    cause = f"alarm {watched.name} in ALARM, {policy.metric.name} {metric:g} vs target {policy.target_value:g}"
    if high:
        return Invocation(policy.name, policy.scale_out_cooldown,
                          lambda base: max(base, policy.capacity(base, metric)), cause)
    return Invocation(policy.name, policy.scale_in_cooldown, lambda base: min(base, policy.capacity(base, metric)),
                      cause, scale_in_allowed=not policy.disable_scale_in)
