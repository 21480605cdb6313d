"""CloudWatch evaluating the service's alarms on the virtual clock, and dispatching their scaling actions.

- Evaluation: "If the alarm period is 10 seconds, 20 seconds, or 30 seconds, the alarm is evaluated every
  10 seconds"; others every minute (CloudWatch user guide, "Using Amazon CloudWatch alarms"). Evaluations
  happen at :attr:`Timings.alarm_evaluation_second` of the minute; each retrieves the evaluation range
  (:func:`~pytest_infra_parity.sim.alarm_spec.evaluation_range_size` periods) ending with the last complete
  period. A period's datapoint becomes visible :attr:`Timings.metric_delay` seconds after the period ends;
  before that it is missing, as late data is in CloudWatch.
- The state is decided by :class:`~pytest_infra_parity.sim.alarms.AlarmEvaluator` (the CloudWatch rules,
  missing data included).
- Actions: "Except for Auto Scaling actions, the actions happen only on state transitions, and are not
  performed again if the condition persists" (CloudWatch user guide, "Alarm actions"): an alarm whose
  state lists a scaling policy invokes it at every evaluation while it stays in that state. Actions run
  only with ``ActionsEnabled``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.sim.alarm_spec import ALARM, INSUFFICIENT_DATA, OK, Alarm, evaluation_range_size
from pytest_infra_parity.sim.alarms import AlarmEvaluator, Evaluation, Transition, evaluate
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.scaling_metrics import MetricStore

__all__ = ["EMULATED_METRICS", "AlarmRunner", "WatchedAlarm"]

EMULATED_METRICS = {
    "AWS/ApplicationELB": frozenset({"RequestCount", "RequestCountPerTarget", "HTTPCode_ELB_503_Count",
                                     "HTTPCode_ELB_502_Count", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_2XX_Count",
                                     "HealthyHostCount", "UnHealthyHostCount"}),
    "AWS/ECS": frozenset({"CPUUtilization", "MemoryUtilization"}),
}
_ACTION_KEYS = {ALARM: "AlarmActions", OK: "OKActions", INSUFFICIENT_DATA: "InsufficientDataActions"}


@dataclass
class WatchedAlarm:
    """An alarm under evaluation, with where its series come from."""

    api: Mapping[str, Any]
    evaluator: AlarmEvaluator
    sources: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    """Query id (or ``""`` for a single-metric alarm) -> (namespace, metric name, statistic)."""
    last: Evaluation | None = None

    @property
    def name(self) -> str:
        return self.evaluator.alarm.name

    @property
    def spec(self) -> Alarm:
        return self.evaluator.alarm

    def actions(self, state: str) -> list[str]:
        if self.api.get("ActionsEnabled") is False:
            return []
        return [str(a) for a in self.api.get(_ACTION_KEYS[state]) or []]


Dispatch = Callable[[WatchedAlarm, Evaluation, list[str]], None]


class AlarmRunner:
    """Evaluates every alarm on CloudWatch's schedule and hands scaling actions to ``dispatch``."""

    def __init__(self, clock: VirtualClock, metrics: MetricStore, alarms: Sequence[Mapping[str, Any]], *,
                 evaluation_second: float, metric_delay: float, dispatch: Dispatch,
                 before: Callable[[], None] = lambda: None, start_at: float = 0.0) -> None:
        self.clock, self.metrics, self.delay = clock, metrics, metric_delay
        self.dispatch, self.before = dispatch, before
        self.watched = [self._watch(api) for api in alarms]
        self.on_transition: list[Callable[[WatchedAlarm, Transition], None]] = []
        self.after_tick: list[Callable[[], None]] = []
        self.unemulated = sorted({f"{ns}/{name}" for w in self.watched for ns, name, _ in w.sources.values()
                                  if name is not None and name not in EMULATED_METRICS.get(ns or "", ())})
        intervals = sorted({10 if w.spec.period < 60 else 60 for w in self.watched})
        for interval in intervals:
            phase = evaluation_second % interval
            first = math.ceil((start_at - phase) / interval - 1e-9) * interval + phase
            clock.every(float(interval), self._ticker(interval), first=first, label=f"alarms every {interval}s")

    def _ticker(self, interval: int) -> Callable[[], None]:
        return lambda: self._tick(interval)

    def state(self, name: str) -> str:
        return next(w.evaluator.state for w in self.watched if w.name == name)

    def _watch(self, api: Mapping[str, Any]) -> WatchedAlarm:
        watched = WatchedAlarm(api, AlarmEvaluator(api))
        spec = watched.spec
        if spec.metrics:
            for query in spec.metrics:
                if query.is_metric:
                    watched.sources[query.id] = (query.namespace, query.metric_name, query.stat)
        else:
            watched.sources[""] = (spec.namespace, spec.metric_name, spec.statistic)
        return watched

    def _tick(self, interval: int) -> None:
        self.before()
        for watched in self.watched:
            if (10 if watched.spec.period < 60 else 60) != interval:
                continue
            self._evaluate(watched)
        for hook in self.after_tick:
            hook()

    def _evaluate(self, watched: WatchedAlarm) -> None:
        data = self._datapoints(watched)
        evaluator = watched.evaluator
        transition = evaluator.step(data, at=self.clock.datetime)
        if transition is not None:
            self.clock.record("alarm", watched.name, old=transition.old_state, new=transition.new_state,
                              reason=transition.reason)
            for hook in self.on_transition:
                hook(watched, transition)
        actions = watched.actions(evaluator.state)
        if actions:
            if transition is not None and transition.evaluation is not None:
                watched.last = transition.evaluation
            else:
                watched.last = evaluate(evaluator.alarm, data, evaluator.state)
            self.dispatch(watched, watched.last, actions)

    def _datapoints(self, watched: WatchedAlarm) -> list[float | None] | dict[str, list[float | None]]:
        period = watched.spec.period
        size = evaluation_range_size(watched.spec)
        newest = math.floor(self.clock.now / period + 1e-9) - 1
        first = newest - size + 1
        series = {key: self._series(source, first, size, period) for key, source in watched.sources.items()}
        single = series.get("")
        return single if single is not None else series

    def _series(self, source: tuple[str | None, str | None, str | None], first: int, size: int,
                period: int) -> list[float | None]:
        namespace, name, stat = source
        if name is None or stat is None or name not in EMULATED_METRICS.get(namespace or "", ()):
            return [None] * size
        now = self.clock.now
        per_minute = self.metrics.period
        out: list[float | None] = []
        for k in range(first, first + size):
            if (k + 1) * period + self.delay > now:
                out.append(None)  # not published yet
            elif period == per_minute:
                out.append(self.metrics.datapoint(name, k, stat, now))
            else:
                out.append(self._regrouped(name, k, period, stat, now))
        return out

    def _regrouped(self, name: str, k: int, period: int, stat: str, now: float) -> float | None:
        """A period longer than the store's (5 minutes...): CloudWatch aggregates the one-minute points."""
        step = self.metrics.period
        if period % step:
            return None  # high-resolution periods: the emulated metrics are standard resolution
        points = [p for p in (self.metrics.datapoint(name, k * (period // step) + j, stat, now)
                              for j in range(period // step)) if p is not None]
        if not points:
            return None
        if stat in ("Sum", "SampleCount"):
            return math.fsum(points)
        if stat == "Minimum":
            return min(points)
        if stat == "Maximum":
            return max(points)
        return math.fsum(points) / len(points)
