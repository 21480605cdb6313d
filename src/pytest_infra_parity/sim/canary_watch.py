"""CloudWatch on the virtual clock: the alarms a deployment watches, evaluated on the traffic's metrics.

Each alarm is evaluated by :mod:`.alarms` (M of N, missing data, metric math) every minute, or every 10
seconds when its period is under a minute ("Evaluating an alarm", CloudWatch user guide). At an
evaluation at time *t* the newest period of the evaluation range is the last one that ended at or before
*t - delay* (``delay`` models metric ingestion latency, 0 by default), and each metric query reads the
statistic of its exact namespace, metric name and dimension set from the traffic's :class:`MetricStore`.
Transitions keep CloudWatch's StateReason and are handed to ``on_transition`` (the target binding writes
them with ``set_alarm_state``); observers (CodeDeploy, AppConfig) are called after each evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.sim.alarm_spec import Alarm, as_alarm, evaluation_interval_seconds, evaluation_range_size
from pytest_infra_parity.sim.alarms import Evaluation, Transition, evaluate, state_reason
from pytest_infra_parity.sim.clock import Handle, VirtualClock
from pytest_infra_parity.sim.traffic import Dims, TrafficModel

__all__ = ["CloudWatchEmulation", "MetricRef", "WatchedAlarm", "metric_refs", "watched_alarm"]


@dataclass(frozen=True)
class MetricRef:
    """One metric an alarm reads: its query id ("" for a single-metric alarm), metric and statistic."""

    id: str
    namespace: str | None
    metric_name: str | None
    dims: Dims
    stat: str | None
    period: int

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.dims)) or "no dimension"
        return f"{self.namespace}/{self.metric_name} {self.stat} ({shown})"


def _dims(raw: Any) -> Dims:
    return frozenset((str(d["Name"]), str(d["Value"])) for d in (raw or []))


def metric_refs(definition: Mapping[str, Any]) -> tuple[MetricRef, ...]:
    """The metrics of a ``describe_alarms`` entry (its MetricStat queries, or its single metric)."""
    queries = definition.get("Metrics") or []
    if not queries:
        return (MetricRef("", definition.get("Namespace"), definition.get("MetricName"),
                          _dims(definition.get("Dimensions")), definition.get("Statistic"),
                          int(definition.get("Period") or 60)),)
    refs = []
    for query in queries:
        stat = query.get("MetricStat")
        if stat:
            metric = stat.get("Metric") or {}
            refs.append(MetricRef(str(query["Id"]), metric.get("Namespace"), metric.get("MetricName"),
                                  _dims(metric.get("Dimensions")), stat.get("Stat"), int(stat.get("Period") or 60)))
    return tuple(refs)


@dataclass
class WatchedAlarm:
    """An alarm as the target stores it, with its state between evaluations."""

    definition: dict[str, Any]
    spec: Alarm
    refs: tuple[MetricRef, ...]
    state: str
    transitions: list[Transition] = field(default_factory=list)
    last: Evaluation | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def newest_value(self) -> float | None:
        if self.last is None:
            return None
        return next((p.value for p in self.last.points if p.age == 0), None)


def watched_alarm(definition: Mapping[str, Any], state: str | None = None) -> WatchedAlarm:
    """Parse a ``describe_alarms()["MetricAlarms"]`` entry; the state defaults to its StateValue."""
    spec = as_alarm(definition)
    current = state or str(definition.get("StateValue") or "INSUFFICIENT_DATA")
    return WatchedAlarm(dict(definition), spec, metric_refs(definition), current)


class CloudWatchEmulation:
    """Evaluates ``alarms`` on ``traffic`` at CloudWatch's evaluation times on the clock."""

    def __init__(self, clock: VirtualClock, traffic: TrafficModel, alarms: Sequence[WatchedAlarm], *,
                 delay: float = 0.0, on_transition: Callable[[WatchedAlarm, Transition], None] | None = None,
                 record: bool = True) -> None:
        self.clock = clock
        self.traffic = traffic
        self.alarms = list(alarms)
        self.delay = delay
        self.on_transition = on_transition
        self.observers: list[Callable[[], None]] = []
        self.record = record
        self.interval = min((evaluation_interval_seconds(a.spec) for a in self.alarms), default=60)
        self._done_at: float | None = None
        self._handle: Handle | None = None

    def start(self) -> None:
        """Evaluate at every multiple of the interval from now on."""
        first = math.floor(self.clock.now / self.interval + 1) * self.interval
        self._handle = self.clock.every(self.interval, self.tick, first=first, label="cloudwatch")

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()

    def sync(self) -> None:
        """Run the evaluation due now, if any, before a control plane acts at the same instant."""
        if self.clock.now % self.interval < 1e-9:
            self.tick()

    def tick(self) -> None:
        now = self.clock.now
        if self._done_at is not None and abs(self._done_at - now) < 1e-9:
            return
        self._done_at = now
        self.traffic.generate_until(now - self.delay)
        for alarm in self.alarms:
            if now % evaluation_interval_seconds(alarm.spec) < 1e-9:
                self._evaluate(alarm, now)
        for observer in list(self.observers):
            observer()

    def datapoints(self, alarm: WatchedAlarm, now: float) -> list[float | None] | dict[str, list[float | None]]:
        """The evaluation range at ``now``, oldest first, per query for a metric math alarm."""
        period = alarm.spec.period
        newest_end = math.floor((now - self.delay) / period + 1e-9) * period
        size = evaluation_range_size(alarm.spec)
        starts = [newest_end - (size - i) * period for i in range(size)]
        store = self.traffic.store
        series = {ref.id: [store.statistic(ref.namespace, ref.metric_name, ref.dims, ref.stat, s, ref.period)
                           for s in starts] for ref in alarm.refs}
        return series if alarm.spec.uses_metric_math else series[""]

    def _evaluate(self, alarm: WatchedAlarm, now: float) -> None:
        evaluation = evaluate(alarm.spec, self.datapoints(alarm, now), alarm.state)
        alarm.last = evaluation
        if self.record:
            self.clock.record("alarm-eval", alarm.name, value=alarm.newest_value, threshold=alarm.spec.threshold,
                              state=evaluation.state)
        if evaluation.state == alarm.state:
            return
        at = self.clock.datetime
        reason = state_reason(alarm.spec, evaluation, alarm.state, at=at)
        transition = Transition(alarm.name, alarm.state, evaluation.state, reason, at, evaluation)
        alarm.state = evaluation.state
        alarm.transitions.append(transition)
        self.clock.record("alarm", alarm.name, old=transition.old_state, new=transition.new_state, reason=reason)
        if self.on_transition is not None:
            self.on_transition(alarm, transition)

    def state(self, name: str) -> str:
        for alarm in self.alarms:
            if alarm.name == name:
                return alarm.state
        raise KeyError(name)
