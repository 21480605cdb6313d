"""Unit tests of the CloudWatch alarm simulator: parsing, M out of N per operator, transitions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.sim.alarms import (
    ALARM,
    INITIAL_REASON,
    INSUFFICIENT_DATA,
    OK,
    Alarm,
    AlarmDefinitionError,
    AlarmEvaluator,
    Datapoint,
    evaluate,
    evaluate_alarm,
    evaluation_interval_seconds,
    evaluation_range_size,
)


def make(**overrides: Any) -> dict[str, Any]:
    alarm: dict[str, Any] = {
        "AlarmName": "cpu-high",
        "Namespace": "AWS/EC2",
        "MetricName": "CPUUtilization",
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 3,
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 50.0,
    }
    alarm.update(overrides)
    return {key: value for key, value in alarm.items() if value is not None}


# --- parsing -------------------------------------------------------------------------------------------


def test_from_api_applies_the_documented_defaults() -> None:
    alarm = Alarm.from_api(make())
    assert (alarm.datapoints_to_alarm, alarm.explicit_datapoints_to_alarm) == (3, False)
    assert alarm.missing_data_treatment == "missing"
    assert alarm.threshold == 50.0 and alarm.period == 60 and not alarm.uses_metric_math


def test_dynamodb_alarms_ignore_missing_data_unless_told_otherwise() -> None:
    assert Alarm.from_api(make(Namespace="AWS/DynamoDB")).missing_data_treatment == "ignore"
    declared = Alarm.from_api(make(Namespace="AWS/DynamoDB", TreatMissingData="breaching"))
    assert declared.missing_data_treatment == "breaching"
    assert evaluate_alarm(make(Namespace="AWS/DynamoDB"), [None] * 5, ALARM) == ALARM


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ComparisonOperator": "Bigger"}, "ComparisonOperator 'Bigger' is not one of"),
        ({"EvaluationPeriods": 0}, "EvaluationPeriods must be an integer >= 1"),
        ({"DatapointsToAlarm": 4}, "DatapointsToAlarm 4 exceeds EvaluationPeriods 3"),
        ({"TreatMissingData": "Missing"}, "TreatMissingData 'Missing' is not one of"),
        ({"Threshold": None}, "GreaterThanThreshold needs a Threshold"),
        ({"Threshold": "high"}, "Threshold must be a number"),
        ({"Period": 45}, "Period 45 is not 10, 20, 30 or a multiple of 60"),
        ({"Statistic": None}, "exactly one of Statistic and ExtendedStatistic"),
        ({"Statistic": "Median"}, "Statistic 'Median' is not one of"),
        ({"Period": 3600 * 2, "EvaluationPeriods": 100}, "is too long"),
        ({"Period": 300, "EvaluationPeriods": 300}, "is too long"),
        ({"ComparisonOperator": "GreaterThanUpperThreshold"}, "needs ThresholdMetricId"),
    ],
)
def test_invalid_alarms_are_rejected_with_the_alarm_name(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(AlarmDefinitionError, match="cpu-high") as caught:
        Alarm.from_api(make(**overrides))
    assert message in str(caught.value)
    assert isinstance(caught.value, InfraParityError)


def test_range_and_interval() -> None:
    assert evaluation_range_size(make()) == 5
    assert evaluation_range_size(make(EvaluationPeriods=10)) == 12
    assert evaluation_interval_seconds(make()) == 60
    assert evaluation_interval_seconds(make(Period=300)) == 60
    assert evaluation_interval_seconds(make(Period=10)) == 10
    assert evaluation_interval_seconds(make(Period=30)) == 10
    assert evaluation_interval_seconds(make(Period=3600, EvaluationPeriods=25)) == 3600


# --- M out of N for each operator ----------------------------------------------------------------------

OPERATORS = {
    "GreaterThanThreshold": (51.0, 50.0),
    "GreaterThanOrEqualToThreshold": (50.0, 49.9),
    "LessThanThreshold": (49.0, 50.0),
    "LessThanOrEqualToThreshold": (50.0, 50.1),
}


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize(
    ("pattern", "m", "expected"),
    [
        ("BBB", 3, ALARM),
        ("GBB", 3, OK),
        ("BBG", 3, OK),
        ("GBB", 2, ALARM),
        ("BGB", 2, ALARM),
        ("GGB", 2, OK),
        ("GGB", 1, ALARM),
        ("GGG", 1, OK),
        ("BBGGG", 1, OK),  # older points of the range are not evaluated when the last 3 are present
        ("BBBBG", 2, ALARM),
    ],
)
def test_m_out_of_n(operator: str, pattern: str, m: int, expected: str) -> None:
    bad, good = OPERATORS[operator]
    points = [bad if symbol == "B" else good for symbol in pattern]
    alarm = make(ComparisonOperator=operator, DatapointsToAlarm=m)
    assert evaluate_alarm(alarm, points) == expected


def test_only_the_evaluation_range_is_read() -> None:
    alarm = make(TreatMissingData="breaching")
    # Five periods of range: the old good points fall outside it, three missing points are filled.
    assert evaluate_alarm(alarm, [10.0, 10.0, 60.0, 60.0, None, None, None]) == ALARM
    assert evaluate(alarm, [10.0, None, None, None]).points[0].age == 3


def test_missing_data_reaches_back_for_older_real_points() -> None:
    """Enough real points in the range: the most recent real ones are used, TreatMissingData ignored."""
    for treatment in ("missing", "ignore", "breaching", "notBreaching"):
        alarm = make(TreatMissingData=treatment)
        assert evaluate_alarm(alarm, [60.0, 60.0, None, 60.0, None], OK) == ALARM
        assert evaluate_alarm(alarm, [10.0, 60.0, None, 60.0, None], ALARM) == OK


def test_initial_state_and_bad_inputs() -> None:
    evaluator = AlarmEvaluator(make())
    assert (evaluator.state, evaluator.reason) == (INSUFFICIENT_DATA, INITIAL_REASON)
    with pytest.raises(ValueError, match="current_state"):
        evaluate_alarm(make(), [1.0], "PENDING")
    with pytest.raises(AlarmDefinitionError, match="'high' is not a number"):
        evaluate_alarm(make(), [1.0, "high"])
    with pytest.raises(AlarmDefinitionError, match="not a dict"):
        evaluate_alarm(make(), {"m1": [1.0]})


# --- percentiles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statistic", "minimum"), [("p99", 1000), ("p99.9", 10000), ("p90", 100), ("p50", 20), ("p10", 100)])
def test_low_sample_percentile_keeps_the_state(statistic: str, minimum: int) -> None:
    alarm = make(Statistic=None, ExtendedStatistic=statistic, EvaluateLowSampleCountPercentile="ignore")
    few = [Datapoint(90.0, minimum - 1)] * 3
    enough = [Datapoint(90.0, minimum)] * 3
    assert evaluate_alarm(alarm, few, OK) == OK
    assert evaluate(alarm, few, OK).retained
    assert evaluate_alarm(alarm, enough, OK) == ALARM
    assert evaluate_alarm({**alarm, "EvaluateLowSampleCountPercentile": "evaluate"}, few, OK) == ALARM


# --- anomaly bands -------------------------------------------------------------------------------------


def band_alarm(operator: str) -> dict[str, Any]:
    return make(
        Namespace=None, MetricName=None, Statistic=None, Period=None, Threshold=None,
        ComparisonOperator=operator, EvaluationPeriods=1, ThresholdMetricId="ad1",
        Metrics=[
            {"Id": "m1", "ReturnData": True,
             "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Latency"}, "Period": 60,
                            "Stat": "Average"}},
            {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True},
        ],
    )


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("LessThanLowerOrGreaterThanUpperThreshold", 5.0, ALARM),
        ("LessThanLowerOrGreaterThanUpperThreshold", 25.0, ALARM),
        ("LessThanLowerOrGreaterThanUpperThreshold", 15.0, OK),
        ("LessThanLowerThreshold", 5.0, ALARM),
        ("LessThanLowerThreshold", 25.0, OK),
        ("GreaterThanUpperThreshold", 25.0, ALARM),
        ("GreaterThanUpperThreshold", 5.0, OK),
    ],
)
def test_anomaly_band_operators(operator: str, value: float, expected: str) -> None:
    assert evaluate_alarm(band_alarm(operator), {"m1": [value], "ad1": [(10.0, 20.0)]}) == expected


def test_anomaly_band_needs_the_band_series() -> None:
    with pytest.raises(AlarmDefinitionError, match="cannot compute the anomaly band 'ad1'"):
        evaluate_alarm(band_alarm("GreaterThanUpperThreshold"), {"m1": [25.0]})
    with pytest.raises(AlarmDefinitionError, match="takes a dict"):
        evaluate_alarm(band_alarm("GreaterThanUpperThreshold"), [25.0])


def test_band_reason() -> None:
    evaluator = AlarmEvaluator(band_alarm("LessThanLowerOrGreaterThanUpperThreshold"))
    evaluator.step({"m1": [25.0], "ad1": [(10.0, 20.0)]})
    transition = evaluator.step({"m1": [15.0], "ad1": [(10.0, 20.0)]})
    assert transition is not None
    assert transition.reason == (
        "Thresholds Crossed: 1 datapoint [15.0 (t-0)] was not less than the lower thresholds [10.0] "
        "or not greater than the upper thresholds [20.0].")


# --- the evaluator -------------------------------------------------------------------------------------


def test_evaluator_records_transitions_with_cloudwatch_reasons() -> None:
    alarm = make(DatapointsToAlarm=2, EvaluationPeriods=3, TreatMissingData="notBreaching", Threshold=0.02)
    evaluator = AlarmEvaluator(alarm)
    at = datetime(2024, 3, 16, 12, 16, 45, tzinfo=UTC)
    first = evaluator.step([0.05, None, 0.07], at=at)
    assert first is not None
    assert (first.old_state, first.new_state) == (INSUFFICIENT_DATA, ALARM)
    assert first.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [0.07 (16/03/24 12:15:00), "
        "0.05 (16/03/24 12:13:00)] were greater than the threshold (0.02) and 1 missing datapoint was "
        "treated as [NonBreaching] (minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition).")
    assert evaluator.step([0.05, 0.03, 0.07]) is None
    second = evaluator.step([0.01, 0.01, 0.07])
    assert second is not None and second.new_state == OK
    assert second.reason.startswith(
        "Threshold Crossed: 2 out of the last 3 datapoints [0.01 (t-1), 0.01 (t-2)]")
    assert second.reason.endswith("(minimum 2 datapoints for ALARM -> OK transition).")
    assert [t.new_state for t in evaluator.transitions] == [ALARM, OK]
    assert evaluator.state == OK and evaluator.reason == second.reason


def test_evaluator_reasons_for_missing_data() -> None:
    evaluator = AlarmEvaluator(make(TreatMissingData="breaching"))
    gone = evaluator.step([None] * 5)
    assert gone is not None and gone.reason == (
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were "
        "treated as [Breaching].")
    missing = AlarmEvaluator(make(), state=OK)
    unknown = missing.step([])
    assert unknown is not None and unknown.reason == "Insufficient Data: 3 datapoints were unknown."
    ignoring = AlarmEvaluator(make(TreatMissingData="ignore"), state=ALARM)
    assert ignoring.step([None] * 5) is None and ignoring.state == ALARM


def test_high_resolution_alarm_interval() -> None:
    evaluator = AlarmEvaluator(make(Period=10))
    assert evaluator.interval.total_seconds() == 10
