"""One emulated CodeDeploy rollout: traffic, CloudWatch and CodeDeploy wired on one virtual clock.

The run warms the alarms up with the old version alone (the alarms' whole evaluation range, so their
state reflects steady traffic), starts the deployment on a period boundary, and runs until the
deployment succeeds or stops. Everything that happens is on the clock's timeline; the outcome keeps
the per-period traffic and the alarm evaluations for the report (:mod:`.canary_report`).
Writing back to a target is the caller's business (``on_route``, ``on_transition``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.sim.alarm_spec import evaluation_range_size
from pytest_infra_parity.sim.alarms import Transition
from pytest_infra_parity.sim.canary_watch import CloudWatchEmulation, WatchedAlarm, watched_alarm
from pytest_infra_parity.sim.clock import Event, VirtualClock
from pytest_infra_parity.sim.codedeploy import DeploymentConfig, GroupSettings, LambdaDeployment
from pytest_infra_parity.sim.traffic import PeriodTraffic, TrafficModel, TrafficSpec

__all__ = ["CanaryOutcome", "Rollout", "run_rollout", "warmup_seconds"]


@dataclass(frozen=True)
class Rollout:
    """What to deploy, how, and how badly the new version behaves."""

    config: DeploymentConfig
    settings: GroupSettings
    function: str
    alias: str
    old_version: str
    new_version: str
    failure_rate: float
    deployment_id: str = "d-EMULATED"
    label: str = ""


@dataclass
class CanaryOutcome:
    """The result of an emulated rollout, with everything the report shows."""

    rollout: Rollout
    traffic: TrafficSpec
    status: str
    started_at: float
    ended_at: float | None
    stopped_by: str | None
    rolled_back: bool
    alarms: list[WatchedAlarm]
    periods: list[PeriodTraffic]
    events: list[Event]
    notes: list[str] = field(default_factory=list)

    @property
    def rollback_after(self) -> float | None:
        """Seconds from the start of the deployment to the rollback, or None."""
        for event in self.events:
            if event.kind == "rollback":
                return event.at - self.started_at
        return None

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"

    def describe(self) -> str:
        from pytest_infra_parity.sim.canary_report import format_outcome

        return format_outcome(self)


def warmup_seconds(alarms: Sequence[WatchedAlarm], tick: int) -> int:
    """Long enough for every alarm's evaluation range to hold steady traffic."""
    longest = max((evaluation_range_size(a.spec) * a.spec.period for a in alarms), default=tick)
    return max(tick, longest)


def _starts(clock: VirtualClock, warmup: float, tick: int) -> float:
    return math.ceil((clock.now + warmup) / tick) * tick


def run_rollout(clock: VirtualClock, spec: TrafficSpec, rollout: Rollout,
                alarms: Sequence[Mapping[str, Any] | WatchedAlarm], *, delay: float = 0.0, record: bool = True,
                on_route: Callable[[str, dict[str, float]], None] | None = None,
                on_transition: Callable[[WatchedAlarm, Transition], None] | None = None,
                tick: int = 60) -> CanaryOutcome:
    """Run ``rollout`` on ``clock`` under steady traffic ``spec``; returns when the deployment is over."""
    from pytest_infra_parity.sim.traffic import MetricStore

    watched = [a if isinstance(a, WatchedAlarm) else watched_alarm(a) for a in alarms]
    period_ticks = [a.spec.period for a in watched if a.spec.period < tick]
    tick = min([tick, *period_ticks])
    traffic = TrafficModel(clock, spec, function_name=rollout.function, alias=rollout.alias,
                           store=MetricStore(tick), record=record)
    traffic.set_routing(rollout.old_version)
    traffic.set_error_rate(rollout.new_version, rollout.failure_rate)
    cloudwatch = CloudWatchEmulation(clock, traffic, watched, delay=delay, on_transition=on_transition,
                                     record=record)
    first_event = len(clock.timeline)

    def route(primary: str, additional: dict[str, float]) -> None:
        traffic.set_routing(primary, additional)
        if on_route is not None:
            on_route(primary, additional)

    deployment = LambdaDeployment(clock, deployment_id=rollout.deployment_id, config=rollout.config,
                                  settings=rollout.settings, function=rollout.function, alias=rollout.alias,
                                  old_version=rollout.old_version, new_version=rollout.new_version, route=route,
                                  alarm_state=cloudwatch.state, sync=cloudwatch.sync)
    cloudwatch.observers.append(deployment.check_alarms)
    cloudwatch.start()
    start = _starts(clock, warmup_seconds(watched, tick), tick)
    clock.schedule(start, deployment.start, label=f"deployment {rollout.deployment_id}")
    clock.run_while(lambda: not deployment.done, limit=start - clock.now + rollout.config.duration + tick)
    cloudwatch.stop()
    traffic.generate_until(clock.now)
    return CanaryOutcome(rollout, spec, deployment.status, start, deployment.ended_at, deployment.stopped_by,
                         deployment.rolled_back, watched, list(traffic.periods), clock.timeline.events[first_event:])
