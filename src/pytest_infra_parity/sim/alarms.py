"""CloudWatch metric alarm evaluation without AWS: M out of N, missing data, anomaly bands, transitions.

The rules are those of the CloudWatch user guide, "Using Amazon CloudWatch alarms": "Evaluating an
alarm" and "Configuring how CloudWatch alarms treat missing data" / "How alarm state is evaluated when
data is missing" (its two worked tables are the cases of ``tests/unit/test_alarms_missing_data.py``):

1. The evaluation range is :func:`evaluation_range_size` periods (see ``alarm_spec``); longer inputs
   are cut to their most recent periods, shorter ones padded with missing periods.
2. With at least N real points in the range, the N most recent real points are evaluated and
   TreatMissingData "is not needed and is ignored": ALARM when at least M of them breach, else OK.
3. With fewer, every real point is used and N minus their number are filled ("CloudWatch uses missing
   data points only as few times as possible"): ``breaching`` fills breaching points,
   ``notBreaching`` good ones. ``missing`` goes to INSUFFICIENT_DATA and ``ignore`` keeps the state
   when the range holds no real point at all; otherwise both evaluate the real points alone, except
   the "premature alarm state" rule: when every real point breaches and the oldest is at least M
   periods old, ``missing`` goes to ALARM and ``ignore`` keeps the state (rows 5 of both tables).
4. An ``EvaluateLowSampleCountPercentile: ignore`` percentile alarm keeps its state while an evaluated
   point has fewer samples than the guide's 10/(1-p) (or 10/p) bound ("Percentile-based alarms and low
   data samples"); pass points as :class:`Datapoint` with a ``sample_count`` to use it.
5. A math alarm ("Alarms on metric math expressions") compares its ReturnData expression, computed by
   :mod:`metric_math` over the range from a dict of the MetricStat series (or given directly as a
   list); "the data point is considered missing if the math expression doesn't return a value for
   that data point". Anomaly band operators compare against the band
   series, given as ``(lower, upper)`` pairs under the ``ThresholdMetricId`` key (the simulator cannot
   compute ANOMALY_DETECTION_BAND itself); a period without a band point counts as missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from pytest_infra_parity.sim.alarm_reason import INITIAL_REASON, state_reason
from pytest_infra_parity.sim.alarm_spec import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    STATES,
    Alarm,
    AlarmDefinitionError,
    as_alarm,
    evaluation_interval_seconds,
    evaluation_range_size,
    low_sample_threshold,
)
from pytest_infra_parity.sim.metric_math import MetricMathError, Series, evaluate_queries

__all__ = [
    "ALARM",
    "INITIAL_REASON",
    "INSUFFICIENT_DATA",
    "OK",
    "Alarm",
    "AlarmDefinitionError",
    "AlarmEvaluator",
    "Datapoint",
    "Evaluation",
    "MetricMathError",
    "Point",
    "Transition",
    "decide",
    "evaluate",
    "evaluate_alarm",
    "evaluation_interval_seconds",
    "evaluation_range_size",
    "state_reason",
]

Band: TypeAlias = tuple[float, float]


@dataclass(frozen=True)
class Datapoint:
    """One period's statistic, with the number of samples behind it (for percentile alarms)."""

    value: float
    sample_count: float | None = None


Observation: TypeAlias = float | int | Datapoint | None
Datapoints: TypeAlias = Sequence[Observation] | Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class Point:
    """A real (not missing) datapoint of the evaluation range; age 0 is the most recent period."""

    age: int
    value: float
    breaching: bool
    band: Band | None = None
    sample_count: float | None = None


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one evaluation and the points it rests on (newest first)."""

    state: str
    points: tuple[Point, ...] = ()
    filled: int = 0
    treatment: str = "missing"
    retained: bool = False
    insufficient: bool = False


def evaluate_alarm(alarm: Alarm | Mapping[str, Any], datapoints: Datapoints,
                   current_state: str = INSUFFICIENT_DATA) -> str:
    """The state CloudWatch gives ``alarm`` over ``datapoints`` (oldest first, None for missing)."""
    return evaluate(alarm, datapoints, current_state).state


def evaluate(alarm: Alarm | Mapping[str, Any], datapoints: Datapoints,
             current_state: str = INSUFFICIENT_DATA) -> Evaluation:
    """Like :func:`evaluate_alarm`, with the points and missing-data filling behind the state."""
    spec = as_alarm(alarm)
    if current_state not in STATES:
        raise ValueError(f"current_state must be one of {', '.join(STATES)}, got {current_state!r}")
    values, bands = _range(spec, datapoints)
    points = _points(spec, values, bands)
    n = spec.evaluation_periods
    threshold = low_sample_threshold(spec) if spec.evaluate_low_sample_count_percentile == "ignore" else None
    if threshold is not None and any(
            p.sample_count is not None and p.sample_count < threshold for p in points[:n]):
        return Evaluation(current_state, points[:n], treatment=spec.missing_data_treatment, retained=True)
    return decide(points, n, spec.datapoints_to_alarm, spec.missing_data_treatment, current_state)


def decide(points: Sequence[Point], n: int, m: int, treatment: str, current_state: str) -> Evaluation:
    """The M out of N decision over the real points of the range (newest first)."""
    if len(points) >= n:
        used = tuple(points[:n])
        return Evaluation(_threshold_state(used, m), used, treatment=treatment)
    used, filled = tuple(points), n - len(points)
    breaching = sum(p.breaching for p in used)
    if treatment == "breaching":
        return Evaluation(ALARM if breaching + filled >= m else OK, used, filled, treatment)
    if treatment == "notBreaching":
        return Evaluation(ALARM if breaching >= m else OK, used, filled, treatment)
    if not used:
        if treatment == "ignore":
            return Evaluation(current_state, used, filled, treatment, retained=True)
        return Evaluation(INSUFFICIENT_DATA, used, filled, treatment, insufficient=True)
    if breaching < m and all(p.breaching for p in used) and used[-1].age + 1 >= m:
        # "Avoiding premature transitions to alarm state": the oldest breaching point is at least M
        # periods old and every more recent one breaches or is missing.
        if treatment == "ignore":
            return Evaluation(current_state, used, filled, treatment, retained=True)
        return Evaluation(ALARM, used, filled, treatment)
    return Evaluation(_threshold_state(used, m), used, filled, treatment)


def _threshold_state(points: Sequence[Point], m: int) -> str:
    return ALARM if sum(p.breaching for p in points) >= m else OK


def _breaches(spec: Alarm, value: float, band: Band | None) -> bool:
    op, threshold = spec.comparison_operator, spec.threshold
    if band is not None:
        lower, upper = band
        below, above = value < lower, value > upper
        return {"LessThanLowerThreshold": below, "GreaterThanUpperThreshold": above}.get(op, below or above)
    assert threshold is not None
    return {
        "GreaterThanOrEqualToThreshold": value >= threshold,
        "GreaterThanThreshold": value > threshold,
        "LessThanThreshold": value < threshold,
        "LessThanOrEqualToThreshold": value <= threshold,
    }[op]


def _points(spec: Alarm, values: list[Observation], bands: list[Band | None]) -> tuple[Point, ...]:
    points: list[Point] = []
    for age, (raw, band) in enumerate(zip(reversed(values), reversed(bands), strict=True)):
        if raw is None or (spec.is_band and band is None):
            continue
        value = raw.value if isinstance(raw, Datapoint) else float(raw)
        count = raw.sample_count if isinstance(raw, Datapoint) else None
        points.append(Point(age, value, _breaches(spec, value, band), band, count))
    return tuple(points)


def _range(spec: Alarm, datapoints: Datapoints) -> tuple[list[Observation], list[Band | None]]:
    """The returned series and band of the evaluation range, oldest first, cut or padded to its size."""
    size = evaluation_range_size(spec)
    if isinstance(datapoints, Mapping):
        if not spec.uses_metric_math:
            raise AlarmDefinitionError(
                spec.name, "a single-metric alarm takes a list of datapoints, not a dict")
        values, bands = _math_series(spec, datapoints, size)
    else:
        if spec.is_band:
            raise AlarmDefinitionError(
                spec.name, f"an anomaly band alarm takes a dict holding its series and the band "
                f"{spec.threshold_metric_id!r} as (lower, upper) pairs")
        values = [_observation(spec, v) for v in datapoints][-size:]
        bands = [None] * len(values)
    pad = size - len(values)
    return [None] * pad + values, [None] * pad + bands


def _observation(spec: Alarm, value: Any) -> Observation:
    if value is None or isinstance(value, Datapoint):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlarmDefinitionError(spec.name, f"datapoint {value!r} is not a number, a Datapoint or None")
    return value


def _math_series(spec: Alarm, series: Mapping[str, Sequence[Any]], size: int
                 ) -> tuple[list[Observation], list[Band | None]]:
    band_id = spec.threshold_metric_id if spec.is_band else None
    if band_id is not None and band_id not in series:
        raise AlarmDefinitionError(
            spec.name, f"the simulator cannot compute the anomaly band {band_id!r}: give its series as "
            "(lower, upper) pairs under that key")
    inputs = {key: list(values)[-size:] for key, values in series.items() if key != band_id}
    assert spec.return_id is not None
    result = evaluate_queries(spec.metrics, inputs, spec.return_id, alarm_name=spec.name)
    if not isinstance(result, Series):
        raise MetricMathError(spec.name, f"expression {spec.return_id!r} must return a single time series")
    values: list[Observation] = list(result.points)
    bands: list[Band | None] = [None] * len(values)
    if band_id is not None:
        raw_band = list(series[band_id])[-size:]
        if len(raw_band) != len(values):
            raise AlarmDefinitionError(spec.name, f"band {band_id!r} and the metric series differ in length")
        bands = [None if b is None else _band(spec, band_id, b) for b in raw_band]
    return values, bands


def _band(spec: Alarm, band_id: str, raw: Any) -> Band:
    try:
        lower, upper = raw
        return float(lower), float(upper)
    except (TypeError, ValueError):
        raise AlarmDefinitionError(
            spec.name, f"band {band_id!r} holds {raw!r}: expected a (lower, upper) pair or None") from None


@dataclass(frozen=True)
class Transition:
    """One state change of an alarm, with CloudWatch's StateReason for it."""

    alarm_name: str
    old_state: str
    new_state: str
    reason: str
    timestamp: datetime | None = None
    evaluation: Evaluation | None = None


class AlarmEvaluator:
    """An alarm that keeps its state across evaluations, as CloudWatch does between its ticks."""

    def __init__(self, alarm: Alarm | Mapping[str, Any], state: str = INSUFFICIENT_DATA,
                 reason: str = INITIAL_REASON) -> None:
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, got {state!r}")
        self.alarm = as_alarm(alarm)
        self.state = state
        self.reason = reason
        self.transitions: list[Transition] = []

    @property
    def interval(self) -> timedelta:
        """Time between two CloudWatch evaluations of this alarm."""
        return timedelta(seconds=evaluation_interval_seconds(self.alarm))

    def step(self, datapoints: Datapoints, *, at: datetime | None = None) -> Transition | None:
        """Evaluate once; return the transition, or None when the state does not change."""
        evaluation = evaluate(self.alarm, datapoints, self.state)
        if evaluation.state == self.state:
            return None
        reason = state_reason(self.alarm, evaluation, self.state, at=at)
        transition = Transition(self.alarm.name, self.state, evaluation.state, reason, at, evaluation)
        self.state, self.reason = evaluation.state, reason
        self.transitions.append(transition)
        return transition
