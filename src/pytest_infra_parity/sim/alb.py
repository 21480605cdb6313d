"""An Application Load Balancer target group on the virtual clock: registration, health checks, routing.

Semantics (Elastic Load Balancing user guide for Application Load Balancers):

- "Health checks for your target groups": the load balancer checks each registered target every
  ``HealthCheckIntervalSeconds``; "after your target is registered, it must pass one health check to be
  considered healthy" (the newly registered target is ``initial`` until then: reason codes
  ``Elb.RegistrationInProgress`` / ``Elb.InitialHealthChecking``); a target is taken out of service after
  ``UnhealthyThresholdCount`` consecutive failures and put back after ``HealthyThresholdCount``
  consecutive successes. Some readings apply ``HealthyThresholdCount`` to new targets as well: set
  ``initial_checks`` to it (design ``scaling: {initial_health_checks: threshold}``) to model that.
- "Each load balancer node routes requests only to the healthy targets"; "if a target group contains only
  unhealthy registered targets, the load balancer routes requests to all those targets" (fail open).
  ``initial`` and ``draining`` targets receive no new request; with no routable target the load balancer
  answers 503 itself.
- "CloudWatch metrics for your Application Load Balancer": ``RequestCount`` "is only incremented for
  requests where the load balancer node was able to choose a target" (a 503 from the load balancer counts
  in ``HTTPCode_ELB_503_Count`` instead); ``RequestCountPerTarget`` is the request count divided by the
  number of healthy targets (all targets when failing open); ``HealthyHostCount`` and
  ``UnHealthyHostCount`` are "reported if health checks are enabled"; metrics exclude health checks.
- "Deregistration delay": a deregistered target is ``draining`` for
  ``deregistration_delay.timeout_seconds`` before it leaves the group.

Traffic is handed over in batches (:meth:`LoadBalancer.serve`): between two state changes every request
has the same outcome, so the emulation never iterates over single requests.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.sim.clock import Handle, VirtualClock
from pytest_infra_parity.sim.scaling_metrics import MetricStore

__all__ = ["DRAINING", "HEALTHY", "INITIAL", "UNHEALTHY", "HealthCheckSettings", "LoadBalancer", "Served",
           "Target"]

INITIAL, HEALTHY, UNHEALTHY, DRAINING = "initial", "healthy", "unhealthy", "draining"


@dataclass(frozen=True)
class HealthCheckSettings:
    """A target group's health check settings (``DescribeTargetGroups`` names, AWS defaults)."""

    interval: int = 30
    timeout: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    enabled: bool = True
    initial_checks: int = 1
    """Consecutive successes a newly registered target needs (the user guide says one)."""

    @classmethod
    def from_api(cls, group: Mapping[str, Any], *, initial: str = "one") -> HealthCheckSettings:
        """Settings of one ``describe_target_groups()["TargetGroups"]`` entry; ``initial``: one|threshold."""
        healthy = int(group.get("HealthyThresholdCount", 5))
        return cls(
            interval=int(group.get("HealthCheckIntervalSeconds", 30)),
            timeout=int(group.get("HealthCheckTimeoutSeconds", 5)),
            healthy_threshold=healthy,
            unhealthy_threshold=int(group.get("UnhealthyThresholdCount", 2)),
            enabled=bool(group.get("HealthCheckEnabled", True)),
            initial_checks=healthy if initial == "threshold" else 1,
        )


@dataclass
class Target:
    """A registered target (an ECS task's IP) and its health check state."""

    target_id: str
    registered_at: float
    ready_at: float
    """When the application starts answering the health check path."""
    state: str = INITIAL
    successes: int = 0
    failures: int = 0
    checks: Handle | None = None


@dataclass(frozen=True)
class Served:
    """The outcome of a batch of requests."""

    ok: int
    errors: int
    status: int
    """200 (a target answered), 502 (failing open to a target that does not answer) or 503 (no target)."""


ChangeHook = Callable[[], None]


class LoadBalancer:
    """One target group behind one listener, with its CloudWatch metrics."""

    def __init__(self, clock: VirtualClock, metrics: MetricStore, health: HealthCheckSettings, *,
                 deregistration_delay: float = 300.0, name: str = "alb",
                 rng: random.Random | None = None) -> None:
        self.clock, self.metrics, self.health, self.name = clock, metrics, health, name
        self.deregistration_delay = deregistration_delay
        self.rng = rng or clock.random
        self.targets: dict[str, Target] = {}
        self.before_change: list[ChangeHook] = []
        self.after_change: list[ChangeHook] = []
        self.on_unhealthy: list[Callable[[str], None]] = []
        self._publish_host_counts()

    # --- registration ----------------------------------------------------------------------------------

    def register(self, target_id: str, ready_at: float) -> Target:
        """Register a target; its first health check comes at a random phase within one interval."""
        self._changing()
        target = Target(target_id, self.clock.now, ready_at)
        self.targets[target_id] = target
        if self.health.enabled:
            first = self.clock.now + self.rng.uniform(0.0, float(self.health.interval))
            target.checks = self.clock.every(float(self.health.interval), lambda: self._check(target),
                                             first=first, label=f"health check {target_id}")
        else:
            target.state = HEALTHY
        self._record(target, "registered")
        self._changed()
        return target

    def register_healthy(self, target_id: str) -> Target:
        """A target already in service (the warm start of a scenario)."""
        target = self.register(target_id, self.clock.now)
        self._changing()
        target.state = HEALTHY
        self._changed()
        return target

    def deregister(self, target_id: str, on_drained: Callable[[], None]) -> None:
        """Start draining; ``on_drained`` runs when the deregistration delay is over."""
        target = self.targets.get(target_id)
        if target is None:
            on_drained()
            return
        self._changing()
        if target.checks is not None:
            target.checks.cancel()
        target.state = DRAINING
        self._record(target, "draining")
        self._changed()

        def drained() -> None:
            self._changing()
            self.targets.pop(target_id, None)
            self._record(target, "deregistered")
            self._changed()
            on_drained()

        self.clock.after(self.deregistration_delay, drained, label=f"drained {target_id}")

    # --- health ----------------------------------------------------------------------------------------

    def count(self, state: str) -> int:
        return sum(1 for t in self.targets.values() if t.state == state)

    def _check(self, target: Target) -> None:
        if target.state == DRAINING or target.target_id not in self.targets:
            return
        passed = self.clock.now >= target.ready_at
        if passed:
            target.successes, target.failures = target.successes + 1, 0
        else:
            target.failures, target.successes = target.failures + 1, 0
        new_state = self._next_state(target, passed)
        if new_state != target.state:
            self._changing()
            target.state = new_state
            self._record(target, new_state)
            self._changed()
            if new_state == UNHEALTHY:
                for hook in self.on_unhealthy:
                    hook(target.target_id)

    def _next_state(self, target: Target, passed: bool) -> str:
        health = self.health
        if passed and target.state == INITIAL and target.successes >= health.initial_checks:
            return HEALTHY
        if passed and target.state == UNHEALTHY and target.successes >= health.healthy_threshold:
            return HEALTHY
        if not passed and target.state in (INITIAL, HEALTHY) and target.failures >= health.unhealthy_threshold:
            return UNHEALTHY
        return target.state

    # --- routing ---------------------------------------------------------------------------------------

    def serve(self, count: int, at: float) -> Served:
        """Route ``count`` requests arriving around ``at`` (no state change in between)."""
        if count <= 0:
            return Served(0, 0, 0)
        healthy = [t for t in self.targets.values() if t.state == HEALTHY]
        pool = healthy or [t for t in self.targets.values() if t.state == UNHEALTHY]
        if not pool:
            self.metrics.count("HTTPCode_ELB_503_Count", at, count)
            self.metrics.count("HTTPCode_ELB_5XX_Count", at, count)
            return Served(0, count, 503)
        self.metrics.count("RequestCount", at, count)
        self.metrics.count("RequestCountPerTarget", at, count / len(pool))
        answering = [t for t in pool if at >= t.ready_at]
        ok = round(count * len(answering) / len(pool))
        self.metrics.count("HTTPCode_Target_2XX_Count", at, ok)
        self.metrics.count("HTTPCode_ELB_502_Count", at, count - ok)
        self.metrics.count("HTTPCode_ELB_5XX_Count", at, count - ok)
        return Served(ok, count - ok, 200 if ok == count else 502)

    # --- internals -------------------------------------------------------------------------------------

    def _changing(self) -> None:
        for hook in self.before_change:
            hook()

    def _changed(self) -> None:
        self._publish_host_counts()
        for hook in self.after_change:
            hook()

    def _publish_host_counts(self) -> None:
        if not self.health.enabled:
            return
        now = self.clock.now
        self.metrics.set_gauge("HealthyHostCount", now, float(self.count(HEALTHY)))
        self.metrics.set_gauge("UnHealthyHostCount", now, float(self.count(UNHEALTHY)))

    def _record(self, target: Target, what: str) -> None:
        self.clock.record("target", target.target_id, state=what, healthy=self.count(HEALTHY))
