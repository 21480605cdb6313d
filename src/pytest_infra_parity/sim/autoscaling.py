"""Application Auto Scaling on the virtual clock: scalable target, step scaling and target tracking.

Semantics (Application Auto Scaling user guide):

- "Step scaling policies", section "Step adjustments": bounds are relative to the alarm threshold; "if
  the metric value is above the breach threshold, the lower bound is inclusive and the upper bound is
  exclusive. If the metric value is below the breach threshold, the lower bound is exclusive and the upper
  bound is inclusive"; Application Auto Scaling "applies your specified aggregation type to the most recent
  metric data points" (``MetricAggregationType``, default ``Average``).
- Same page, "Scaling adjustment types": ``ChangeInCapacity``, ``ExactCapacity`` and
  ``PercentChangeInCapacity``, whose non-integer results are rounded: "values greater than 1 are rounded
  down [...] values between 0 and 1 are rounded to 1 [...] values between 0 and -1 are rounded to -1
  [...] values less than -1 are rounded up", with ``MinAdjustmentMagnitude`` as the smallest change.
- Same page, "Cooldown period" (default 300 s, ``StepScalingPolicyConfiguration`` API reference): during
  a scale-out cooldown "capacity added by the initiating scale-out activity is calculated as part of the
  desired capacity for the next scale-out activity"; "scale-in activities are blocked until the cooldown
  period has expired. However, if another alarm triggers a scale-out activity during the cooldown period
  after a scale-in activity, Application Auto Scaling scales out the target immediately" (the scale-in
  cooldown then stops).
- "Target tracking scaling policies": AWS creates and manages the alarms; the policy "scales out
  proportionally to the metric as fast as it can" and removes capacity "only when utilization passes a
  threshold that is far enough below the target value (usually more than 10% lower)"; it "does not scale
  in when the state of the alarm is INSUFFICIENT_DATA"; ``ScaleOutCooldown``/``ScaleInCooldown`` behave as
  above; ``DisableScaleIn`` stops it from removing capacity. The managed alarms themselves are in
  :mod:`pytest_infra_parity.sim.scaling_tracking`.
- PutScalingPolicy: "Application Auto Scaling gives precedence to the policy that provides the largest
  capacity for both scale out and scale in" (:meth:`AutoScaler.execute`).
- "Scheduled scaling": a scheduled action sets MinCapacity/MaxCapacity; "if current capacity is less than
  the specified minimum capacity, Application Auto Scaling scales out [...] to the specified minimum"
  (and in to a lower maximum). ECS services may have a MinCapacity of 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import TemplateError

__all__ = ["AutoScaler", "Invocation", "ScalableTarget", "ScalingActivity", "ScalingPolicyError",
           "StepAdjustment", "StepScalingPolicy", "aggregate", "percent_change"]

ADJUSTMENT_TYPES = ("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity")
AGGREGATIONS = ("Average", "Minimum", "Maximum")
DEFAULT_COOLDOWN = 300


class ScalingPolicyError(TemplateError):
    """A scaling policy or scalable target the emulation cannot use, named."""


@dataclass
class ScalableTarget:
    """A registered scalable target and its current capacity bounds."""

    resource_id: str
    min_capacity: int
    max_capacity: int
    dimension: str = "ecs:service:DesiredCount"
    scale_out_suspended: bool = False
    scale_in_suspended: bool = False

    def clamp(self, capacity: int) -> int:
        return max(self.min_capacity, min(self.max_capacity, capacity))

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ScalableTarget:
        """One ``describe_scalable_targets()["ScalableTargets"]`` entry."""
        suspended = data.get("SuspendedState") or {}
        return cls(str(data["ResourceId"]), int(data["MinCapacity"]), int(data["MaxCapacity"]),
                   str(data.get("ScalableDimension", "ecs:service:DesiredCount")),
                   bool(suspended.get("DynamicScalingOutSuspended")), bool(suspended.get("DynamicScalingInSuspended")))


@dataclass(frozen=True)
class StepAdjustment:
    """One step: bounds relative to the alarm threshold (None: infinite) and its adjustment."""

    lower: float | None
    upper: float | None
    adjustment: int

    def contains(self, breach: float, above: bool) -> bool:
        """Whether ``breach`` (metric - threshold) falls in this step, with the guide's inclusive rule."""
        low = -math.inf if self.lower is None else self.lower
        high = math.inf if self.upper is None else self.upper
        return low <= breach < high if above else low < breach <= high


def percent_change(current: int, percent: float, min_magnitude: int | None = None) -> int:
    """The capacity change of a ``PercentChangeInCapacity`` adjustment, rounded as AWS documents."""
    raw = current * percent / 100.0
    if raw > 1 or raw < -1:
        change = math.trunc(raw)  # > 1 rounds down, < -1 rounds up: toward zero
    elif raw > 0:
        change = 1
    elif raw < 0:
        change = -1
    else:
        change = 0
    if min_magnitude and change != 0 and abs(change) < min_magnitude:
        change = min_magnitude if change > 0 else -min_magnitude
    return change


def aggregate(values: Sequence[float], how: str) -> float:
    if how == "Minimum":
        return min(values)
    if how == "Maximum":
        return max(values)
    return math.fsum(values) / len(values)


@dataclass(frozen=True)
class StepScalingPolicy:
    """A ``StepScaling`` policy as ``describe_scaling_policies()`` returns it."""

    name: str
    arn: str
    adjustment_type: str
    steps: tuple[StepAdjustment, ...]
    cooldown: int = DEFAULT_COOLDOWN
    aggregation: str = "Average"
    min_adjustment_magnitude: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> StepScalingPolicy:
        name = str(data.get("PolicyName", "<unnamed policy>"))
        config = data.get("StepScalingPolicyConfiguration") or {}
        kind = config.get("AdjustmentType")
        if kind not in ADJUSTMENT_TYPES:
            raise ScalingPolicyError(f"scaling policy {name!r}: AdjustmentType {kind!r} is not one of "
                                     f"{', '.join(ADJUSTMENT_TYPES)}")
        how = config.get("MetricAggregationType") or "Average"
        if how not in AGGREGATIONS:
            raise ScalingPolicyError(f"scaling policy {name!r}: MetricAggregationType {how!r} is not one of "
                                     f"{', '.join(AGGREGATIONS)}")
        steps = tuple(StepAdjustment(_bound(s.get("MetricIntervalLowerBound")),
                                     _bound(s.get("MetricIntervalUpperBound")), int(s["ScalingAdjustment"]))
                      for s in config.get("StepAdjustments") or [])
        if not steps:
            raise ScalingPolicyError(f"scaling policy {name!r} has no StepAdjustments")
        magnitude = config.get("MinAdjustmentMagnitude")
        return cls(name, str(data.get("PolicyARN", name)), str(kind), steps,
                   int(config.get("Cooldown", DEFAULT_COOLDOWN)), str(how),
                   None if magnitude is None else int(magnitude))

    def step_for(self, breach: float, above: bool) -> StepAdjustment | None:
        return next((s for s in self.steps if s.contains(breach, above)), None)

    def capacity(self, current: int, step: StepAdjustment) -> int:
        """The capacity the step asks for, before the target's bounds."""
        if self.adjustment_type == "ExactCapacity":
            return step.adjustment
        if self.adjustment_type == "ChangeInCapacity":
            return current + step.adjustment
        return current + percent_change(current, step.adjustment, self.min_adjustment_magnitude)


def _bound(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Invocation:
    """A policy asked for a capacity: ``desire(base)`` computes it from a base capacity."""

    policy: str
    cooldown: float
    desire: Callable[[int], int]
    cause: str
    scale_in_allowed: bool = True
    failure: str | None = None
    """Why the policy could not run (it changes nothing)."""


@dataclass(frozen=True)
class ScalingActivity:
    """One outcome of an invocation, as ``describe_scaling_activities`` would tell it."""

    at: float
    policy: str
    old: int
    new: int
    status: str
    """``Successful``, ``Unchanged``, ``Cooldown`` (blocked), ``Superseded`` (another policy won), ``Suspended``,
    ``Failed`` (the policy could not size the adjustment)."""
    cause: str


@dataclass
class _Cooldowns:
    scale_out: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Policy -> (end of the scale-out cooldown, capacity before the activity that started it)."""
    scale_in: dict[str, float] = field(default_factory=dict)
    """Policy -> end of the scale-in cooldown."""


class AutoScaler:
    """Applies policy invocations to a scalable target, with cooldowns and precedence."""

    def __init__(self, target: ScalableTarget, *, current: Callable[[], int], apply: Callable[[int, str], None],
                 now: Callable[[], float]) -> None:
        self.target, self._current, self._apply, self._now = target, current, apply, now
        self._cooldowns = _Cooldowns()
        self.activities: list[ScalingActivity] = []

    def execute(self, invocations: Sequence[Invocation]) -> ScalingActivity | None:
        """Apply what simultaneous invocations ask; the largest resulting capacity wins."""
        if not invocations:
            return None
        current, now = self._current(), self._now()
        candidates = [(self._candidate(inv, current, now), inv) for inv in invocations]
        # Precedence is among the policies that would change the capacity; one that would leave it as it is
        # (unchanged, blocked by a cooldown) does not hold back another.
        changing = [c for c in candidates if c[0][1] == "Successful"] or candidates
        (new, status), chosen = max(changing, key=lambda c: c[0][0])
        for (_, _), other in candidates:
            if other is not chosen:
                self._log(other, current, current, "Superseded")
        if status == "Successful":
            self._start_cooldown(chosen, current, new, now)
            self._apply(new, f"{chosen.policy}: {chosen.cause}")
        return self._log(chosen, current, new if status == "Successful" else current, status)

    def scheduled(self, min_capacity: int | None, max_capacity: int | None, name: str) -> ScalingActivity:
        """A scheduled action: new bounds, and the capacity moved inside them at once (no cooldown)."""
        if min_capacity is not None:
            self.target.min_capacity = min_capacity
        if max_capacity is not None:
            self.target.max_capacity = max_capacity
        current = self._current()
        new = self.target.clamp(current)
        if new != current:
            self._apply(new, f"scheduled action {name}")
        bounds = f"min {self.target.min_capacity}, max {self.target.max_capacity}"
        activity = ScalingActivity(self._now(), f"scheduled action {name}", current, new,
                                   "Successful" if new != current else "Unchanged", bounds)
        self.activities.append(activity)
        return activity

    def _candidate(self, inv: Invocation, current: int, now: float) -> tuple[int, str]:
        if inv.failure is not None:
            return current, "Failed"
        wanted = self.target.clamp(inv.desire(current))
        if wanted > current:
            if self.target.scale_out_suspended:
                return current, "Suspended"
            cooldown = self._cooldowns.scale_out.get(inv.policy)
            if cooldown is not None and now < cooldown[0]:
                wanted = max(current, self.target.clamp(inv.desire(cooldown[1])))
                return (wanted, "Successful") if wanted > current else (current, "Cooldown")
            return wanted, "Successful"
        if wanted < current:
            if self.target.scale_in_suspended or not inv.scale_in_allowed:
                return current, "Suspended"
            if now < self._cooldowns.scale_in.get(inv.policy, -math.inf):
                return current, "Cooldown"
            return wanted, "Successful"
        return current, "Unchanged"

    def _start_cooldown(self, inv: Invocation, old: int, new: int, now: float) -> None:
        if new > old:
            previous = self._cooldowns.scale_out.get(inv.policy)
            base = previous[1] if previous is not None and now < previous[0] else old
            self._cooldowns.scale_out[inv.policy] = (now + inv.cooldown, base)
            self._cooldowns.scale_in.clear()  # a scale-out ends every scale-in cooldown
        else:
            self._cooldowns.scale_in[inv.policy] = now + inv.cooldown

    def _log(self, inv: Invocation, old: int, new: int, status: str) -> ScalingActivity:
        activity = ScalingActivity(self._now(), inv.policy, old, new, status, inv.cause)
        self.activities.append(activity)
        return activity
