"""Metric math of the alarm simulator, against the CloudWatch user guide's "Metric math syntax and
functions" and "Using IF expressions" (tables quoted below), and the seed 004 error-rate alarm."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.sim.alarms import ALARM, OK, AlarmEvaluator, Evaluation, evaluate, evaluate_alarm
from pytest_infra_parity.sim.metric_math import MetricMathError, evaluate_expression, parse_expression

_: None = None


def ev(expression: str, **series: list[float | None]) -> Any:
    return evaluate_expression(expression, series, periods={"m1": 300}, alarm_name="seed-004")


# --- the guide's tables --------------------------------------------------------------------------------

GUIDE_IF = {"metric1": [1, 1, 0, 0, _], "metric2": [30, _, 0, 0, 30], "metric3": [0, 0, 20, _, 20]}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("IF(metric1, metric2, metric3)", [30, 0, 20, _, _]),
        ("IF(metric1, 5, metric3)", [5, 5, 20, _, _]),
        ("IF(metric1, metric2, 5)", [30, 0, 5, 5, _]),
        ("IF(metric1, metric2)", [30, 0, _, _, _]),
        ("IF(1, metric2, metric3)", [30, _, 0, 0, 30]),
        ("IF(0, metric2)", [_, _, _, _, _]),
        ("IF(metric3 > 10, 1, 0)", [0, 0, 1, _, 1]),
    ],
)
def test_if_expressions(expression: str, expected: list[float | None]) -> None:
    """"Using IF expressions": the IF(metric1, metric2, metric3) family of tables."""
    assert ev(expression, **GUIDE_IF) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(metric1 < metric2)", [0, 0, 1, 0]),
        ("(metric1 >= 30)", [1, 0, 0, 0]),
        ("(metric1 > 15 AND metric2 > 15)", [1, 0, 0, 0]),
        ("metric1 > 15 && metric2 > 15", [1, 0, 0, 0]),
        ("metric1 > 25 OR metric2 > 15", [1, 0, 1, 0]),
        ("metric1 > 25 || metric2 > 15", [1, 0, 1, 0]),
        ("metric1 == 0", [0, 0, 1, 1]),
        ("metric1 != 0", [1, 1, 0, 0]),
        ("metric1 <= 20", [0, 1, 1, 1]),
        ("NOT metric1 > 25", [0, 1, 1, 1]),
        ("!(metric1 > 25)", [0, 1, 1, 1]),
    ],
)
def test_comparison_and_logical_operators(expression: str, expected: list[float]) -> None:
    """"Comparison and logical operators": metric1 is [30, 20, 0, 0], metric2 [20, -, 20, -]."""
    assert ev(expression, metric1=[30, 20, 0, 0], metric2=[20, _, 20, _]) == expected


# --- arithmetic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("m1 + m2", [11, 2, 20, _]),  # "Missing values in a time series are treated as 0"
        ("m1 - m2", [9, 2, -20, _]),
        ("m1 * 2", [20, 4, _, _]),  # a series and a scalar: missing stays missing
        ("m1 / m2", [10, _, 0, _]),  # 2 / (missing as 0) is a division by zero
        ("m1 / 0", [_, _, _, _]),  # "the data point is dropped"
        ("m2 / m1", [0.1, 0, _, _]),
        ("m1 ^ 2", [100, 4, _, _]),
        ("2 ^ 3 ^ 2 + 0 * m1", [512, 512, _, _]),
        ("-m1", [-10, -2, _, _]),
        ("-2 ^ 2 + 0 * m1", [-4, -4, _, _]),
        ("(m1 + m2) * 2", [22, 4, 40, _]),
        ("m1 - -1", [11, 3, _, _]),
        ("1.5e1 + m1 * .5", [20, 16, _, _]),
        ("(0 - m1) ^ 0.5", [_, _, _, _]),  # no complex results: the point is dropped
    ],
)
def test_arithmetic(expression: str, expected: list[float | None]) -> None:
    assert ev(expression, m1=[10, 2, _, _], m2=[1, _, 20, _]) == expected


def test_scalars_and_arrays() -> None:
    assert ev("1 + 2 * 3") == 7
    assert ev("10 / 0") is None
    assert ev("[m1, m2] * 10", m1=[1, _], m2=[_, 2]) == [[10, _], [_, 20]]
    assert ev("m1 / [m1, m2]", m1=[2, 4], m2=[1, 0]) == [[1, 1], [2, _]]
    assert ev("-[m1, m2]", m1=[1, _], m2=[_, 2]) == [[-1, _], [_, -2]]
    assert ev("PERIOD(m1) / 60", m1=[1]) == 5
    assert ev("TIME_SERIES(3)", m1=[1, _]) == [3, 3]


# --- functions -----------------------------------------------------------------------------------------

SPARSE = {"m1": [_, 10, _, 30, _], "m2": [7, _, 8, _, _]}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("FILL(m1, 0)", [0, 10, 0, 30, 0]),
        ("FILL(m1, 2 * 3)", [6, 10, 6, 30, 6]),
        ("FILL(m1, m2)", [7, 10, 8, 30, _]),
        ("FILL(m1, REPEAT)", [_, 10, 10, 30, 30]),
        ("FILL(m1, LINEAR)", [_, 10, 20, 30, _]),
        ("FILL(m1, MIN(m1))", [10, 10, 10, 30, 10]),
        ("FILL(m1, 0) + 1", [1, 11, 1, 31, 1]),
        ("SUM([m1, m2])", [7, 10, 8, 30, _]),
        ("AVG([m1, m2])", [3.5, 5, 4, 15, _]),  # AVG: "Missing values are treated as 0"
        ("MIN([m1, m2])", [7, 10, 8, 30, _]),
        ("MAX(METRICS())", [7, 10, 8, 30, _]),
        ("SUM(METRICS(\"1\"))", [_, 10, _, 30, _]),
        ("m1 - AVG(m1)", [_, -10, _, 10, _]),
        ("m1 / SUM(m1) * 100", [_, 25, _, 75, _]),
        ("ABS(m2 - m1)", [7, 10, 8, 30, _]),
    ],
)
def test_functions(expression: str, expected: list[float | None]) -> None:
    assert ev(expression, **SPARSE) == expected


def test_elementwise_and_metrics_functions() -> None:
    assert ev("CEIL(m1)", m1=[1.2, -1.2, _]) == [2, -1, _]
    assert ev("FLOOR(m1)", m1=[1.8, -1.2, _]) == [1, -2, _]
    assert ev("FILL(METRICS(), 0)", a1=[_, 1], a2=[2, _]) == [[0, 1], [2, 0]]
    assert ev('METRICS("errors")', errors5xx=[1], errors4xx=[2], requests=[3]) == [[1], [2]]
    assert ev("SUM(m1)", m1=[_, _]) is None
    assert ev('SUM(METRICS("none"))', m1=[1, 2]) == [_, _]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("RATE(m1)", "function RATE is not supported by the alarm simulator"),
        ("ANOMALY_DETECTION_BAND(m1, 2)", "function ANOMALY_DETECTION_BAND is not supported"),
        ("m1 +", "unexpected end of expression"),
        ("m1 $ 2", "unexpected character '$'"),
        ("FILL(m1)", "FILL takes 2 arguments"),
        ("IF(m1)", "IF takes 2 or 3 argument(s)"),
        ("m3 + 1", "no metric or expression has the Id 'm3'"),
        ("REPEAT + m1", "REPEAT is only valid as the second argument of FILL"),
        ("[m1] + [m1]", "cannot combine two arrays"),
        ("SUM(2)", "SUM takes a time series or an array"),
        ("PERIOD(2)", "PERIOD takes the Id of a metric"),
        ('m1 + "x"', "only valid as the argument of METRICS"),
    ],
)
def test_errors_name_the_problem_and_the_alarm(expression: str, message: str) -> None:
    with pytest.raises(MetricMathError, match="seed-004") as caught:
        ev(expression, m1=[1, 2])
    assert message in str(caught.value)


def test_parse_errors_are_reported_before_evaluation() -> None:
    with pytest.raises(MetricMathError, match=r"expected '\)', found '\]'"):
        parse_expression("(m1 + 1]", alarm_name="x")
    with pytest.raises(MetricMathError, match="unexpected end of expression"):
        parse_expression("FILL(m1, ", alarm_name="x")


# --- the seed 004 alarm: errors / invocations > 0.02, 3 of 5, notBreaching, Sum statistics --------------


def seed_004(**overrides: Any) -> dict[str, Any]:
    def stat(query_id: str, metric: str) -> dict[str, Any]:
        return {"Id": query_id, "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric,
                       "Dimensions": [{"Name": "FunctionName", "Value": "orders"}]},
            "Period": 60, "Stat": "Sum"}}

    alarm = {
        "AlarmName": "seed-004-error-rate",
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 0.02,
        "EvaluationPeriods": 5,
        "DatapointsToAlarm": 3,
        "TreatMissingData": "notBreaching",
        "Metrics": [
            stat("errors", "Errors"),
            stat("invocations", "Invocations"),
            {"Id": "rate", "Expression": "errors / invocations", "Label": "Error rate", "ReturnData": True},
        ],
    }
    alarm.update(overrides)
    return alarm


def test_seed_004_alarms_on_three_breaching_periods_out_of_five() -> None:
    series = {"errors": [0, 1, 2, 0, 3], "invocations": [100, 10, 50, 100, 30]}
    assert evaluate_alarm(seed_004(), series) == ALARM  # 0.1, 0.04 and 0.1 exceed 0.02
    series["errors"][1] = 0
    assert evaluate_alarm(seed_004(), series) == OK


def test_seed_004_idle_periods_divide_by_zero_and_count_as_not_breaching() -> None:
    """Sum of Invocations is 0 in an idle period: 0 / 0 is dropped, the period is missing, and
    notBreaching fills it as a good point."""
    series = {"errors": [1, 1, 0, 0, 0], "invocations": [10, 10, 0, 0, 20]}
    result: Evaluation = evaluate(seed_004(), series)
    assert [p.value for p in result.points] == [0.0, 0.1, 0.1]  # the two idle periods are missing
    assert (result.filled, result.state) == (2, OK)
    assert evaluate_alarm(seed_004(TreatMissingData="breaching"), series) == ALARM
    assert evaluate_alarm(seed_004(), {"errors": [_] * 5, "invocations": [_] * 5}) == OK


def test_seed_004_transition_reason() -> None:
    evaluator = AlarmEvaluator(seed_004())
    transition = evaluator.step({"errors": [1, 1, 0, 5, 0], "invocations": [10, 10, 0, 50, 0]})
    assert transition is not None and transition.new_state == ALARM
    assert transition.reason == (
        "Threshold Crossed: 3 out of the last 5 datapoints [0.1 (t-1), 0.1 (t-3), 0.1 (t-4)] were "
        "greater than the threshold (0.02) and 2 missing datapoints were treated as [NonBreaching] "
        "(minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition).")


def test_math_alarm_definitions_are_checked() -> None:
    with pytest.raises(MetricMathError, match="no series given for metric"):
        evaluate_alarm(seed_004(), {"errors": [1]})
    bad = seed_004()
    bad["Metrics"][2]["Expression"] = "RATE(errors)"
    with pytest.raises(MetricMathError, match=r"seed-004-error-rate.*RATE"):
        evaluate_alarm(bad, {"errors": [1], "invocations": [2]})
    array = seed_004()
    array["Metrics"][2]["Expression"] = "METRICS()"
    with pytest.raises(MetricMathError, match="must return a single time series"):
        evaluate_alarm(array, {"errors": [1], "invocations": [2]})
