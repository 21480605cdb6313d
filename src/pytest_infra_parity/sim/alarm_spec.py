"""The CloudWatch metric alarm the simulator evaluates, parsed once from a ``DescribeAlarms`` entry.

Sources (CloudWatch user guide, "Using Amazon CloudWatch alarms" and the ``PutMetricAlarm`` reference):

- Period is 10, 20, 30 or a multiple of 60 seconds; Period x EvaluationPeriods is at most one day
  (seven days when the period is an hour or longer).
- DatapointsToAlarm (M) defaults to EvaluationPeriods (N) and lies in 1..N.
- TreatMissingData defaults to ``missing``. "Alarms that evaluate metrics in the AWS/DynamoDB namespace
  default to ignore missing data. You can override this" (alarms-and-missing-data page; the older
  PutMetricAlarm text says they *always* ignore it: this module follows the newer user guide page).
- "If the alarm period is 10 seconds, 20 seconds, or 30 seconds, the alarm is evaluated every 10
  seconds"; other alarms every minute; an alarm whose N x Period exceeds one day once per hour.
- The evaluation range (how many periods CloudWatch retrieves) is *not* published: the guide only says
  it "depends on the length of the alarm period and whether it is based on a metric with standard
  resolution or high resolution", and its only worked examples use a range of 5 for N = 3
  (awsdocs/amazon-cloudwatch-user-guide issue #102 asked for the rule and was closed unanswered).
  :func:`evaluation_range_size` therefore returns N + 2 for every alarm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pytest_infra_parity.errors import TemplateError

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT_DATA)

STATIC_OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
BAND_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
EVALUATION_RANGE_EXTRA_PERIODS = 2
ONE_DAY = 86_400
SEVEN_DAYS = 7 * ONE_DAY

_PERCENTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")
_QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


class AlarmDefinitionError(TemplateError):
    """An alarm the simulator cannot evaluate: a malformed field or an unsupported feature."""

    def __init__(self, alarm_name: str, problem: str) -> None:
        self.alarm_name = alarm_name
        super().__init__(f"alarm {alarm_name!r}: {problem}")


@dataclass(frozen=True)
class MetricQuery:
    """One ``MetricDataQuery`` of an alarm's ``Metrics``: a metric (MetricStat) or a math expression."""

    id: str
    expression: str | None = None
    namespace: str | None = None
    metric_name: str | None = None
    stat: str | None = None
    period: int | None = None
    return_data: bool | None = None

    @property
    def is_metric(self) -> bool:
        return self.expression is None


@dataclass(frozen=True)
class Alarm:
    """A metric alarm as ``describe_alarms()["MetricAlarms"]`` returns it, validated once."""

    name: str
    comparison_operator: str
    evaluation_periods: int
    datapoints_to_alarm: int
    period: int
    threshold: float | None = None
    explicit_datapoints_to_alarm: bool = False
    treat_missing_data: str | None = None
    namespace: str | None = None
    metric_name: str | None = None
    statistic: str | None = None
    extended_statistic: str | None = None
    evaluate_low_sample_count_percentile: str | None = None
    metrics: tuple[MetricQuery, ...] = ()
    threshold_metric_id: str | None = None
    return_id: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Alarm:
        return _parse_alarm(data)

    @property
    def uses_metric_math(self) -> bool:
        return bool(self.metrics)

    @property
    def is_band(self) -> bool:
        return self.comparison_operator in BAND_OPERATORS

    @property
    def missing_data_treatment(self) -> str:
        """TreatMissingData in force: the declared one, else ``ignore`` for AWS/DynamoDB, else ``missing``."""
        if self.treat_missing_data is not None:
            return self.treat_missing_data
        return "ignore" if self._watched_namespace() == "AWS/DynamoDB" else "missing"

    def _watched_namespace(self) -> str | None:
        if not self.metrics:
            return self.namespace
        returned = next(q for q in self.metrics if q.id == self.return_id)
        return returned.namespace if returned.is_metric else None


def as_alarm(alarm: Alarm | Mapping[str, Any]) -> Alarm:
    """The :class:`Alarm` itself, or one parsed from an API dict."""
    return alarm if isinstance(alarm, Alarm) else Alarm.from_api(alarm)


def evaluation_range_size(alarm: Alarm | Mapping[str, Any]) -> int:
    """How many periods CloudWatch retrieves per evaluation: N + 2 (see the module docstring)."""
    return as_alarm(alarm).evaluation_periods + EVALUATION_RANGE_EXTRA_PERIODS


def evaluation_interval_seconds(alarm: Alarm | Mapping[str, Any]) -> int:
    """How often CloudWatch evaluates the alarm: 10 s (period < 60), 3600 s (multi-day), else 60 s."""
    spec = as_alarm(alarm)
    if spec.period < 60:
        return 10
    if spec.period * spec.evaluation_periods > ONE_DAY:
        return 3600
    return 60


def low_sample_threshold(alarm: Alarm) -> float | None:
    """Sample count under which a percentile is not significant, or None when the rule does not apply.

    "For percentiles between 0.5 (inclusive) and 1.00 (exclusive), this setting is used when there are
    fewer than 10/(1-percentile) data points [...]. For percentiles between 0 and 0.5 (exclusive), the
    setting is used when there are fewer than 10/percentile data points."
    """
    match = _PERCENTILE.match(alarm.extended_statistic or "")
    if match is None:
        return None
    fraction = Decimal(match.group(1)) / 100  # decimal: p90 needs exactly 10/(1-0.9) = 100 samples
    if Decimal("0.5") <= fraction < 1:
        return float(10 / (1 - fraction))
    if 0 < fraction < Decimal("0.5"):
        return float(10 / fraction)
    return None


# --- parsing -------------------------------------------------------------------------------------------


def _present(data: Mapping[str, Any], key: str) -> Any:
    """The field's value, with None, "" and [] (what some targets return for unset fields) as absent."""
    value = data.get(key)
    return None if value in (None, "", []) else value


def _number(name: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AlarmDefinitionError(name, f"{field} must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise AlarmDefinitionError(name, f"{field} must be a number, got {value!r}") from None


def _integer(name: str, field: str, value: Any, minimum: int) -> int:
    number = _number(name, field, value)
    if not number.is_integer() or number < minimum:
        raise AlarmDefinitionError(name, f"{field} must be an integer >= {minimum}, got {value!r}")
    return int(number)


def _choice(name: str, field: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise AlarmDefinitionError(name, f"{field} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _period(name: str, field: str, value: Any) -> int:
    period = _integer(name, field, value, 1)
    if period not in (10, 20, 30) and period % 60:
        raise AlarmDefinitionError(name, f"{field} {period} is not 10, 20, 30 or a multiple of 60")
    return period


def _parse_alarm(data: Mapping[str, Any]) -> Alarm:
    name = str(_present(data, "AlarmName") or "<unnamed alarm>")
    operator = _choice(name, "ComparisonOperator", data.get("ComparisonOperator"),
                       STATIC_OPERATORS + BAND_OPERATORS)
    periods = _integer(name, "EvaluationPeriods", data.get("EvaluationPeriods"), 1)
    m_raw = _present(data, "DatapointsToAlarm")
    datapoints = periods if m_raw is None else _integer(name, "DatapointsToAlarm", m_raw, 1)
    if datapoints > periods:
        raise AlarmDefinitionError(
            name, f"DatapointsToAlarm {datapoints} exceeds EvaluationPeriods {periods}")
    treat = _present(data, "TreatMissingData")
    low = _present(data, "EvaluateLowSampleCountPercentile")
    metrics = tuple(_parse_query(name, raw) for raw in (_present(data, "Metrics") or ()))
    threshold_id = _present(data, "ThresholdMetricId")
    alarm = Alarm(
        name=name,
        comparison_operator=operator,
        evaluation_periods=periods,
        datapoints_to_alarm=datapoints,
        period=0,
        threshold=_threshold(name, operator, data, threshold_id, metrics),
        explicit_datapoints_to_alarm=m_raw is not None,
        treat_missing_data=None if treat is None else _choice(name, "TreatMissingData", treat, TREATMENTS),
        namespace=_present(data, "Namespace"),
        metric_name=_present(data, "MetricName"),
        statistic=_present(data, "Statistic"),
        extended_statistic=_present(data, "ExtendedStatistic"),
        evaluate_low_sample_count_percentile=None if low is None else _choice(
            name, "EvaluateLowSampleCountPercentile", low, ("evaluate", "ignore")),
        metrics=metrics,
        threshold_metric_id=threshold_id,
        return_id=_return_id(name, metrics, threshold_id) if metrics else None,
    )
    period = _metrics_period(alarm) if metrics else _single_metric_period(alarm, data)
    if period * periods > (SEVEN_DAYS if period >= 3600 else ONE_DAY):
        raise AlarmDefinitionError(name, f"Period {period} x EvaluationPeriods {periods} is too long")
    return replace(alarm, period=period)


def _threshold(name: str, operator: str, data: Mapping[str, Any], threshold_id: Any,
               metrics: tuple[MetricQuery, ...]) -> float | None:
    if operator in BAND_OPERATORS:
        if threshold_id is None or not any(q.id == threshold_id for q in metrics):
            raise AlarmDefinitionError(
                name, f"{operator} compares against an anomaly band: it needs ThresholdMetricId naming "
                "one of its Metrics")
        return None
    raw = data.get("Threshold")
    if raw is None:
        raise AlarmDefinitionError(name, f"{operator} needs a Threshold")
    return _number(name, "Threshold", raw)


def _single_metric_period(alarm: Alarm, data: Mapping[str, Any]) -> int:
    if alarm.is_band:
        raise AlarmDefinitionError(alarm.name, "an anomaly band alarm must use Metrics")
    if (alarm.statistic is None) == (alarm.extended_statistic is None):
        raise AlarmDefinitionError(
            alarm.name, "a metric alarm needs exactly one of Statistic and ExtendedStatistic")
    if alarm.statistic is not None:
        _choice(alarm.name, "Statistic", alarm.statistic, STATISTICS)
    return _period(alarm.name, "Period", data.get("Period"))


def _parse_query(name: str, raw: Any) -> MetricQuery:
    if not isinstance(raw, Mapping):
        raise AlarmDefinitionError(name, f"each entry of Metrics must be a MetricDataQuery, got {raw!r}")
    query_id = raw.get("Id")
    if not isinstance(query_id, str) or not _QUERY_ID.match(query_id):
        raise AlarmDefinitionError(name, f"Metrics Id {query_id!r} must start with a lowercase letter")
    stat, expression = _present(raw, "MetricStat"), _present(raw, "Expression")
    if (stat is None) == (expression is None):
        raise AlarmDefinitionError(
            name, f"Metrics {query_id!r} needs exactly one of MetricStat and Expression")
    return_data = raw.get("ReturnData")
    if stat is None:
        period = _present(raw, "Period")
        return MetricQuery(id=query_id, expression=str(expression), return_data=return_data,
                           period=None if period is None else _period(name, f"{query_id}.Period", period))
    metric = stat.get("Metric") or {}
    return MetricQuery(
        id=query_id,
        namespace=metric.get("Namespace"),
        metric_name=metric.get("MetricName"),
        stat=stat.get("Stat"),
        period=_period(name, f"{query_id}.MetricStat.Period", stat.get("Period")),
        return_data=return_data,
    )


def _return_id(name: str, metrics: tuple[MetricQuery, ...], threshold_id: Any) -> str:
    """The query compared with the threshold: the one ReturnData=True query other than the band."""
    candidates = [q for q in metrics if q.id != threshold_id]
    chosen = [q.id for q in candidates if q.return_data is True]
    if not chosen:
        chosen = [q.id for q in candidates if q.return_data is None]
    if len(chosen) != 1:
        raise AlarmDefinitionError(
            name, f"exactly one of its Metrics must have ReturnData true (found {chosen or 'none'})")
    return chosen[0]


def _metrics_period(alarm: Alarm) -> int:
    periods = {q.period for q in alarm.metrics if q.is_metric}
    if not periods:
        raise AlarmDefinitionError(alarm.name, "its Metrics contain no MetricStat")
    if len(periods) > 1:
        raise AlarmDefinitionError(alarm.name, f"every metric of a math alarm must use the same period, "
                                   f"got {sorted(p for p in periods if p is not None)}")
    (period,) = periods
    assert period is not None  # every MetricStat has a validated period
    return period
