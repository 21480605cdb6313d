"""Scale-to-zero and scale-up from zero, measured on the emulation and split into stages.

A scenario starts from the deployed steady state with the design's traffic for ``warm_minutes`` (the
history the alarms look back on), then the service receives no request; for a scale-up, requests resume
at a given rate after the idle minutes. The moment traffic stops is drawn within the minute from the
seed, so the runs of an analysis cover how requests fall in CloudWatch's one-minute periods.

- Time to zero tasks after the last request: **alarm** (the idle periods the scale-in alarm needs, then
  its evaluation), **scaling** (the alarm action reaching Application Auto Scaling), **draining** (the
  ECS scheduler, then the target group's deregistration delay), **stopping** (the task stops).
- Time from the first request after the idle window to its first successful response: **alarm**,
  **scaling**, **provisioning** (the scheduler and the Fargate start), **health checks** (registration to
  the first passed check), **first response** (the next request after the target is healthy; the first
  request itself was answered 503 by the load balancer).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pytest_infra_parity.sim.clock import DEFAULT_START, Event
from pytest_infra_parity.sim.scaling_config import ScalingConfig
from pytest_infra_parity.sim.scaling_model import ScalingModel

__all__ = ["Breakdown", "RunSet", "Scenario", "Stage", "idle_scenario", "repeat", "scale_to_zero",
           "scale_up", "wake_scenario"]

UP_STAGES = ("alarm", "scaling", "provisioning", "health checks", "first response")
ZERO_STAGES = ("alarm", "scaling", "draining", "stopping")


@dataclass(frozen=True)
class Stage:
    name: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class Breakdown:
    """One measured run: ``total`` is None when the end was not reached within the run."""

    kind: str
    start: float
    end: float | None
    stages: tuple[Stage, ...]
    seed: int = 0
    peak_desired: int = 0
    trigger: str = ""
    """The alarm whose action started the scaling."""

    @property
    def total(self) -> float | None:
        return None if self.end is None else self.end - self.start

    def render(self) -> str:
        total = "not reached" if self.total is None else f"{self.total:.0f} s"
        parts = ", ".join(f"{s.name} {s.seconds:.0f} s" for s in self.stages) or "no stage"
        return f"{self.kind}: {total} ({parts})"


@dataclass
class Scenario:
    """A model after a scenario, with its reference times."""

    model: ScalingModel
    last_request: float
    first_request: float | None = None
    seed: int = 0


def _model(config: ScalingConfig, seed: int, warm_rate: float, start: datetime) -> tuple[ScalingModel, float]:
    warm = config.timings.warm_minutes * 60.0
    model = ScalingModel(config, seed=seed, start=start, alarms_from=warm)
    stop = warm + random.Random(seed).uniform(0.0, 60.0)
    model.set_rate(0.0, warm_rate)
    model.set_rate(stop, 0.0)
    return model, stop


def idle_scenario(config: ScalingConfig, *, idle_minutes: float, warm_rate: float | None = None, seed: int = 0,
                  start: datetime = DEFAULT_START) -> Scenario:
    """Traffic, then none for ``idle_minutes``; the model has run to the end of the idle window."""
    model, stop = _model(config, seed, config.requests_per_second if warm_rate is None else warm_rate, start)
    model.run_until(stop + idle_minutes * 60.0)
    last = model.traffic.last_arrival(stop + 1e-6)
    return Scenario(model, stop if last is None else last, seed=seed)


def wake_scenario(config: ScalingConfig, *, idle_minutes: float, rate: float, warm_rate: float | None = None,
                  seed: int = 0, start: datetime = DEFAULT_START, limit: float = 1800.0,
                  after_success: float = 360.0) -> Scenario:
    """Traffic, ``idle_minutes`` without, then ``rate`` requests per second until the first success."""
    scenario = idle_scenario(config, idle_minutes=idle_minutes, warm_rate=warm_rate, seed=seed, start=start)
    model = scenario.model
    resume = model.clock.now
    model.set_rate(resume, rate)
    first = model.traffic.first_arrival(resume)
    scenario.first_request = resume if first is None else first

    def waiting() -> bool:
        model.flush()
        return model.first_success(scenario.first_request or resume) is None

    model.run_while(waiting, limit=limit)
    model.run_until(model.clock.now + after_success)
    return scenario


def _events(model: ScalingModel, kind: str, after: float) -> list[Event]:
    return [e for e in model.clock.timeline.of_kind(kind) if e.at >= after]


def scale_up(scenario: Scenario) -> Breakdown:
    """The stages from the first request after the idle window to its first successful response."""
    model, t1 = scenario.model, scenario.first_request
    if t1 is None:
        raise ValueError("scale_up needs a wake scenario (requests after the idle window)")
    success = model.first_success(t1)
    peak = max((s.desired for s in model.samples if s.at >= t1), default=model.service.desired)
    activity = next((e for e in _events(model, "activity", t1) if e.detail.get("status") == "Successful"
                     and e.detail.get("new", 0) > e.detail.get("old", 0)), None)
    if activity is None or (success is not None and success < activity.at):
        stages = () if success is None else (Stage("served by a running task", success - t1),)
        return Breakdown("scale-up", t1, success, stages, scenario.seed, peak)
    marks = [("alarm", float(activity.detail.get("alarm_at", activity.at)),
              f"alarm {activity.detail.get('alarm', '?')} in ALARM"),
             ("scaling", activity.at, f"desired {activity.detail['old']} -> {activity.detail['new']}")]
    running = next((e for e in _events(model, "task", activity.at) if e.detail.get("state") == "RUNNING"), None)
    if running is not None:
        marks.append(("provisioning", running.at, f"{running.subject} RUNNING"))
        healthy = next((e for e in _events(model, "target", running.at) if e.detail.get("state") == "healthy"), None)
        if healthy is not None:
            marks.append(("health checks", healthy.at, f"{healthy.subject} healthy"))
            if success is not None:
                marks.append(("first response", success, "next request answered 200"))
    return Breakdown("scale-up", t1, success, _stages(t1, marks), scenario.seed, peak,
                     str(activity.detail.get("alarm", "")))


def scale_to_zero(scenario: Scenario) -> Breakdown:
    """The stages from the last request to the service running no task."""
    model, last = scenario.model, scenario.last_request
    activity = next((e for e in _events(model, "activity", last)
                     if e.detail.get("status") == "Successful" and e.detail.get("new") == 0), None)
    if activity is None:
        return Breakdown("scale-to-zero", last, None, (), scenario.seed)
    zero = model.first_time(lambda s: s.running == 0 and s.desired == 0, activity.at)
    marks = [("alarm", float(activity.detail.get("alarm_at", activity.at)),
              f"alarm {activity.detail.get('alarm', '?')} in ALARM"),
             ("scaling", activity.at, f"desired {activity.detail['old']} -> 0")]
    drained = [e for e in _events(model, "target", activity.at) if e.detail.get("state") == "deregistered"
               and (zero is None or e.at <= zero)]
    if drained:
        marks.append(("draining", drained[-1].at, "targets deregistered"))
    if zero is not None:
        marks.append(("stopping", zero, "no task running"))
    return Breakdown("scale-to-zero", last, zero, _stages(last, marks), scenario.seed,
                     trigger=str(activity.detail.get("alarm", "")))


def _stages(start: float, marks: Sequence[tuple[str, float, str]]) -> tuple[Stage, ...]:
    out, previous = [], start
    for name, at, detail in marks:
        out.append(Stage(name, at - previous, detail))
        previous = at
    return tuple(out)


@dataclass(frozen=True)
class RunSet:
    """The same measurement over several seeds, against a criterion (seconds)."""

    kind: str
    criterion: float
    runs: tuple[Breakdown, ...]

    @property
    def totals(self) -> list[float]:
        return sorted(r.total for r in self.runs if r.total is not None)

    @property
    def unfinished(self) -> int:
        return sum(1 for r in self.runs if r.total is None)

    @property
    def meets(self) -> bool:
        return self.unfinished == 0 and all(t <= self.criterion for t in self.totals)

    @property
    def median(self) -> float | None:
        return statistics.median(self.totals) if self.totals else None

    @property
    def worst(self) -> float | None:
        return None if self.unfinished or not self.totals else self.totals[-1]

    def stage_median(self, name: str) -> float | None:
        values = [s.seconds for r in self.runs for s in r.stages if s.name == name]
        return statistics.median(values) if values else None

    @property
    def peak_desired(self) -> int:
        return max((r.peak_desired for r in self.runs), default=0)


def repeat(config: ScalingConfig, kind: str, criterion: float, *, idle_minutes: float, rate: float | None = None,
           warm_rate: float | None = None, runs: int | None = None, start: datetime = DEFAULT_START,
           first_seed: int = 1) -> RunSet:
    """``runs`` seeded scenarios (default: the design's ``scaling.runs``) measured the same way."""
    count = runs or config.timings.runs
    out = []
    for seed in range(first_seed, first_seed + count):
        if kind == "scale-up":
            scenario = wake_scenario(config, idle_minutes=idle_minutes, rate=rate or config.requests_per_second,
                                     warm_rate=warm_rate, seed=seed, start=start)
            out.append(scale_up(scenario))
        else:
            scenario = idle_scenario(config, idle_minutes=idle_minutes, warm_rate=warm_rate, seed=seed, start=start)
            out.append(scale_to_zero(scenario))
    return RunSet(kind, criterion, tuple(out))
