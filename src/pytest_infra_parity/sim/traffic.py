"""Traffic through a Lambda alias, per period, and the Lambda metrics it publishes to CloudWatch.

The model (deterministic for a given seed, counts per period, never per request):

- Arrivals per tick (60 s by default) are Poisson(rate x tick) draws (``poisson``, the default: the
  number of independent requests in a period), exactly rate x tick with the fraction carried to the next
  tick (``deterministic``), or the expectations themselves as real numbers (``expected``: the noise-free
  model the design analysis uses).
- The alias routes each invocation to a version at random by its weights ("Lambda alias routing
  configuration": the primary version gets 1 - sum of AdditionalVersionWeights): per tick the split is a
  binomial draw over the time-weighted mean of the weights in force during the tick, so a shift in the
  middle of a tick is accounted for. Each version fails each request with its own error probability (a
  binomial draw of errors).
- Metrics, as Lambda publishes them ("Lambda function metrics", "Using invocation metrics" in the
  Lambda developer guide): Invocations and Errors are binary per invocation (Errors 1 for a failed
  one, 0 otherwise), published in the AWS/Lambda namespace with the dimension sets none (all functions),
  FunctionName, FunctionName + Resource (``function:alias`` for invocations through an alias) and
  FunctionName + Resource + ExecutedVersion (the version an alias invocation ran). A period without
  invocations has no datapoint at all. CloudWatch matches the exact dimension set of a query: any
  other combination has no data.

Traffic is generated lazily, up to the time a consumer (the alarm evaluator) reads it, so event order
on the virtual clock never decides which period a request falls in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.canary_random import binomial, poisson
from pytest_infra_parity.sim.clock import Event, VirtualClock

__all__ = ["ARRIVALS", "LAMBDA_NAMESPACE", "Dims", "MetricStore", "PeriodTraffic", "TrafficModel",
           "TrafficSpec", "dims", "traffic_from_design"]

LAMBDA_NAMESPACE = "AWS/Lambda"
ARRIVALS = ("poisson", "deterministic", "expected")
STATISTICS = ("Sum", "SampleCount", "Average", "Minimum", "Maximum")
Dims = frozenset[tuple[str, str]]


def dims(**pairs: str) -> Dims:
    """A dimension set, as CloudWatch matches it (order-free, exact)."""
    return frozenset(pairs.items())


@dataclass(frozen=True)
class TrafficSpec:
    """Steady traffic: requests per second, arrival model, and the error rate of versions not told otherwise."""

    requests_per_second: float
    arrivals: str = "poisson"
    baseline_error_rate: float = 0.0
    source: str = ""
    """Where the figures come from (a step, the design's traffic section, its usage profile)."""

    def __post_init__(self) -> None:
        if not math.isfinite(self.requests_per_second) or self.requests_per_second < 0:
            raise ValueError(f"requests per second must be a number >= 0, got {self.requests_per_second}")
        if self.arrivals not in ARRIVALS:
            raise ValueError(f"arrivals must be one of {', '.join(ARRIVALS)}, got {self.arrivals!r}")
        if not 0.0 <= self.baseline_error_rate <= 1.0:
            raise ValueError(f"baseline error rate must lie in [0, 1], got {self.baseline_error_rate}")


def traffic_from_design(sections: Mapping[str, Any], usage: Mapping[str, Any], design: str) -> TrafficSpec:
    """The design's ``traffic`` section, else its usage profile's ``requests_per_day`` (or a DesignError)."""
    section = sections.get("traffic")
    if section is not None:
        if not isinstance(section, Mapping):
            raise DesignError(f"design {design}: 'traffic' must be a mapping (requests_per_second, arrivals, "
                              "error_rate)")
        unknown = sorted(set(section) - {"requests_per_second", "arrivals", "error_rate"})
        if unknown:
            raise DesignError(f"design {design}: unknown key(s) {', '.join(unknown)} in 'traffic' (known: "
                              "requests_per_second, arrivals, error_rate)")
        try:
            return TrafficSpec(float(section.get("requests_per_second", 0)), str(section.get("arrivals", "poisson")),
                               float(section.get("error_rate", 0.0)), f"design {design}: traffic section")
        except (TypeError, ValueError) as exc:
            raise DesignError(f"design {design}: traffic: {exc}") from None
    per_day = usage.get("requests_per_day")
    if isinstance(per_day, int | float) and not isinstance(per_day, bool) and per_day > 0:
        return TrafficSpec(float(per_day) / 86_400, source=f"design {design}: usage requests_per_day {per_day:g}")
    raise DesignError(f"design {design} gives no traffic: write `Given a steady traffic of <r> requests per "
                      "second`, or add traffic.requests_per_second (or usage.requests_per_day) to its design.yaml")


class MetricStore:
    """Invocation and error counts per tick and dimension set; CloudWatch statistics over any period."""

    def __init__(self, tick: int = 60) -> None:
        self.tick = tick
        self._counts: dict[Dims, dict[int, tuple[float, float]]] = {}

    def record(self, key: Dims, index: int, invocations: float, errors: float) -> None:
        if invocations <= 0:
            return  # Lambda publishes no datapoint for a period without invocations
        series = self._counts.setdefault(key, {})
        n, e = series.get(index, (0.0, 0.0))
        series[index] = (n + invocations, e + errors)

    def counts(self, key: Dims, start: float, period: float) -> tuple[float, float]:
        """Invocations and errors of the dimension set over [start, start + period)."""
        series = self._counts.get(key, {})
        first, last = math.floor(start / self.tick), math.ceil((start + period) / self.tick)
        n = e = 0.0
        for index in range(first, last):
            got = series.get(index)
            if got is not None:
                n, e = n + got[0], e + got[1]
        return n, e

    def statistic(self, namespace: str | None, metric: str | None, key: Dims, stat: str | None, start: float,
                  period: float) -> float | None:
        """The statistic CloudWatch would return for the period, or None when it has no datapoint."""
        if namespace != LAMBDA_NAMESPACE or metric not in ("Invocations", "Errors") or stat not in STATISTICS:
            return None
        n, e = self.counts(key, start, period)
        if n <= 0:
            return None
        if metric == "Invocations":
            return {"Sum": n, "SampleCount": n}.get(stat, 1.0)
        return {"Sum": e, "SampleCount": n, "Average": e / n, "Minimum": 0.0 if e < n else 1.0,
                "Maximum": 1.0 if e > 0 else 0.0}[stat]


@dataclass(frozen=True)
class PeriodTraffic:
    """What one tick carried: invocations and errors per version, and the weights in force."""

    start: float
    end: float
    invocations: dict[str, float]
    errors: dict[str, float]
    weights: dict[str, float]


class TrafficModel:
    """Steady traffic through ``function:alias`` on a virtual clock, written to a :class:`MetricStore`."""

    def __init__(self, clock: VirtualClock, spec: TrafficSpec, *, function_name: str, alias: str,
                 store: MetricStore | None = None, record: bool = True) -> None:
        self.clock = clock
        self.spec = spec
        self.function_name = function_name
        self.alias = alias
        self.store = store or MetricStore()
        self.record = record
        self.error_rates: dict[str, float] = {}
        self.periods: list[PeriodTraffic] = []
        self._changes: list[tuple[float, dict[str, float]]] = []
        self._rate_changes: list[tuple[float, dict[str, float]]] = []
        self._generated = math.floor(clock.now / self.store.tick)
        self._carry = 0.0

    @property
    def tick(self) -> int:
        return self.store.tick

    def set_routing(self, primary: str, additional: Mapping[str, float] | None = None) -> None:
        """Route like an alias: ``additional`` weights to other versions, the rest to ``primary``."""
        self.generate_until(self.clock.now)
        extra = {v: float(w) for v, w in (additional or {}).items() if w > 0 and v != primary}
        if sum(extra.values()) > 1.0 + 1e-9 or any(w < 0 for w in extra.values()):
            raise ValueError(f"alias weights must be >= 0 and sum to at most 1, got {extra}")
        self._changes.append((self.clock.now, {primary: 1.0 - sum(extra.values()), **extra}))

    @property
    def weights(self) -> dict[str, float]:
        return dict(self._changes[-1][1]) if self._changes else {}

    def set_error_rate(self, version: str, rate: float) -> None:
        """The probability that a request on ``version`` fails, from now on (time-weighted within a tick)."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"error rate must lie in [0, 1], got {rate}")
        self.generate_until(self.clock.now)
        self.error_rates[version] = rate
        self._rate_changes.append((self.clock.now, dict(self.error_rates)))

    def _error_rate(self, version: str, start: float, end: float) -> float:
        if not self._rate_changes or self._rate_changes[0][0] >= end:
            return self.spec.baseline_error_rate
        covered = [(at, {version: rates.get(version, self.spec.baseline_error_rate)}) for at, rates in
                   [(-math.inf, {}), *self._rate_changes]]
        return _time_weighted(covered, start, end).get(version, self.spec.baseline_error_rate)

    def generate_until(self, until: float) -> None:
        """Generate every complete tick ending at or before ``until``."""
        last = math.floor(until / self.tick + 1e-9)
        while self._generated < last:
            self._generate(self._generated)
            self._generated += 1

    def _mean_weights(self, start: float, end: float) -> dict[str, float]:
        return {v: w for v, w in _time_weighted(self._changes, start, end).items() if w > 0}

    def _arrivals(self) -> float:
        mean = self.spec.requests_per_second * self.tick
        if self.spec.arrivals == "poisson":
            return float(poisson(self.clock.random, mean))
        if self.spec.arrivals == "deterministic":
            self._carry += mean
            whole = math.floor(self._carry + 1e-9)
            self._carry -= whole
            return float(whole)
        return mean

    def _split(self, total: float, weights: Mapping[str, float]) -> dict[str, float]:
        """Invocations per version: sequential binomial draws (exact multinomial), or the expectations."""
        versions = sorted(weights, key=lambda v: (-weights[v], v))
        if self.spec.arrivals == "expected":
            return {v: total * weights[v] for v in versions}
        split: dict[str, float] = {}
        left, mass = int(total), 1.0
        for version in versions[:-1]:
            share = min(1.0, weights[version] / mass) if mass > 0 else 0.0
            split[version] = float(binomial(self.clock.random, left, share))
            left -= int(split[version])
            mass -= weights[version]
        split[versions[-1]] = float(left)
        return split

    def _generate(self, index: int) -> None:
        start, end = index * self.tick, (index + 1) * self.tick
        weights = self._mean_weights(start, end)
        total = self._arrivals()
        if not weights or total <= 0:
            self._keep(PeriodTraffic(start, end, {}, {}, weights))
            return
        invocations = self._split(total, weights)
        errors: dict[str, float] = {}
        for version, n in invocations.items():
            rate = self._error_rate(version, start, end)
            errors[version] = n * rate if self.spec.arrivals == "expected" else float(
                binomial(self.clock.random, int(n), rate))
            self._publish(index, version, n, errors[version])
        self._keep(PeriodTraffic(start, end, invocations, errors, weights))

    def _publish(self, index: int, version: str, n: float, e: float) -> None:
        fn, resource = self.function_name, f"{self.function_name}:{self.alias}"
        for key in (dims(), dims(FunctionName=fn), dims(FunctionName=fn, Resource=resource),
                    dims(FunctionName=fn, Resource=resource, ExecutedVersion=version)):
            self.store.record(key, index, n, e)

    def _keep(self, period: PeriodTraffic) -> None:
        self.periods.append(period)
        if self.record:
            self.clock.timeline.add(Event(period.end, "traffic", f"{self.function_name}:{self.alias}", {
                "invocations": dict(period.invocations), "errors": dict(period.errors),
                "weights": dict(period.weights)}))


def _time_weighted(changes: list[tuple[float, dict[str, float]]], start: float, end: float) -> dict[str, float]:
    """The mean over [start, end) of values that change at the given times (each holds until the next)."""
    mixed: dict[str, float] = {}
    for i, (at, values) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else math.inf
        overlap = min(end, until) - max(start, at)
        if overlap > 0:
            for key, value in values.items():
                mixed[key] = mixed.get(key, 0.0) + value * overlap / (end - start)
    return mixed
