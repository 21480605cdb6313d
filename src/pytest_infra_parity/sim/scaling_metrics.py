"""Per-period CloudWatch datapoints of the emulated load balancer and service: counters, gauges, absences.

CloudWatch stores what a service publishes, one datapoint per period; a period in which nothing was
published has no datapoint at all, which alarms see as *missing* (not zero). Two kinds of metric:

- counters (``RequestCount``, ``HTTPCode_ELB_503_Count``...): the ALB publishes them "only when requests
  are flowing through the load balancer [...] If there are no requests flowing through the load balancer
  or no data for a metric, the metric is not reported" (Elastic Load Balancing user guide, "CloudWatch
  metrics for your Application Load Balancer"); their per-metric reporting criterion is "there is a
  nonzero value". :meth:`MetricStore.count` therefore records nothing for zero. Statistics: ``Sum``;
  ``SampleCount`` is 1 for a present period; ``Average``, ``Minimum`` and ``Maximum`` are taken as the
  period's sum (the emulation keeps one sample per period, a fidelity limit stated in docs/scaling.md).
- gauges (``HealthyHostCount``, ``CPUUtilization``): a value that holds until it changes, summarised per
  period as ``Minimum``/``Maximum``/time-weighted ``Average``; ``None`` means not reported (no running
  task has no CPUUtilization), and a period covered only by ``None`` has no datapoint.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["COUNTER_STATS", "GAUGE_STATS", "MetricStore"]

COUNTER_STATS = ("Sum", "SampleCount", "Average", "Minimum", "Maximum")
GAUGE_STATS = ("Average", "Minimum", "Maximum", "SampleCount")


@dataclass
class _Summary:
    """What a gauge held during one period."""

    minimum: float = math.inf
    maximum: float = -math.inf
    weighted: float = 0.0
    covered: float = 0.0

    def add(self, value: float, seconds: float) -> None:
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        self.weighted += value * seconds
        self.covered += seconds


@dataclass
class _Gauge:
    value: float | None
    since: float
    periods: dict[int, _Summary] = field(default_factory=dict)


class MetricStore:
    """Datapoints by metric name and period index (period ``k`` covers ``[k*P, (k+1)*P)``)."""

    def __init__(self, period: int = 60) -> None:
        self.period = period
        self._counters: dict[str, dict[int, float]] = defaultdict(dict)
        self._gauges: dict[str, _Gauge] = {}

    def index(self, at: float) -> int:
        return math.floor(at / self.period + 1e-9)

    def count(self, name: str, at: float, value: float) -> None:
        """Add ``value`` to counter ``name`` in the period holding ``at`` (zero is not published)."""
        if value == 0:
            return
        bucket = self._counters[name]
        key = self.index(at)
        bucket[key] = bucket.get(key, 0.0) + value

    def set_gauge(self, name: str, at: float, value: float | None) -> None:
        """Gauge ``name`` holds ``value`` from ``at`` on (``None``: not reported)."""
        gauge = self._gauges.get(name)
        if gauge is None:
            self._gauges[name] = _Gauge(value, at)
            return
        self._fold(gauge, at)
        gauge.value = value

    def gauge(self, name: str) -> float | None:
        gauge = self._gauges.get(name)
        return None if gauge is None else gauge.value

    @property
    def names(self) -> set[str]:
        return set(self._counters) | set(self._gauges)

    def datapoint(self, name: str, index: int, stat: str, now: float) -> float | None:
        """The datapoint of period ``index`` for ``stat``, as far as ``now``; ``None`` when absent."""
        if name in self._gauges:
            return self._gauge_point(self._gauges[name], index, stat, now)
        value = self._counters.get(name, {}).get(index)
        if value is None:
            return None
        return 1.0 if stat == "SampleCount" else value

    def series(self, name: str, first: int, count: int, stat: str, now: float) -> list[float | None]:
        """Datapoints of periods ``first .. first+count-1``, oldest first."""
        return [self.datapoint(name, first + k, stat, now) for k in range(count)]

    def _gauge_point(self, gauge: _Gauge, index: int, stat: str, now: float) -> float | None:
        self._fold(gauge, now)
        summary = gauge.periods.get(index)
        if summary is None or summary.covered <= 0:
            return None
        if stat == "Minimum":
            return summary.minimum
        if stat == "Maximum":
            return summary.maximum
        if stat == "SampleCount":
            return 1.0
        return summary.weighted / summary.covered

    def _fold(self, gauge: _Gauge, upto: float) -> None:
        """Account the current value from ``gauge.since`` to ``upto`` into the periods it spans."""
        start = gauge.since
        if upto <= start:
            return
        if gauge.value is not None:
            index = self.index(start)
            while start < upto:
                end = min(upto, (index + 1) * self.period)
                if end > start:
                    gauge.periods.setdefault(index, _Summary()).add(gauge.value, end - start)
                start, index = end, index + 1
        gauge.since = upto
