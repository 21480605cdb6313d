"""Properties of the alarm simulator that hold for any data (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_infra_parity.sim.alarms import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    evaluate,
    evaluate_alarm,
    evaluation_range_size,
)
from pytest_infra_parity.sim.metric_math import evaluate_expression

STATES = (OK, ALARM, INSUFFICIENT_DATA)
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
OPERATORS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
maybe_values = st.one_of(st.none(), values)


@st.composite
def alarms(draw: st.DrawFn, *, same_m: bool = False) -> dict[str, Any]:
    n = draw(st.integers(min_value=1, max_value=6))
    m = n if same_m else draw(st.integers(min_value=1, max_value=n))
    return {
        "AlarmName": "property",
        "Namespace": "Prop",
        "MetricName": "Value",
        "Statistic": "Maximum",
        "Period": draw(st.sampled_from((10, 60, 300))),
        "EvaluationPeriods": n,
        "DatapointsToAlarm": m,
        "ComparisonOperator": draw(st.sampled_from(OPERATORS)),
        "Threshold": draw(values),
        "TreatMissingData": draw(st.sampled_from(TREATMENTS)),
    }


@given(alarms(), st.lists(maybe_values, max_size=12), st.sampled_from(STATES))
def test_the_result_is_always_one_of_the_three_states(
        alarm: dict[str, Any], points: list[float | None], current: str) -> None:
    assert evaluate_alarm(alarm, points, current) in STATES


@given(alarms(same_m=True), st.data(), st.sampled_from(STATES))
def test_with_all_points_present_and_m_equal_n_the_treatment_does_not_matter(
        alarm: dict[str, Any], data: st.DataObject, current: str) -> None:
    n = alarm["EvaluationPeriods"]
    points = data.draw(st.lists(values, min_size=n, max_size=n + 4))
    states = {evaluate_alarm({**alarm, "TreatMissingData": t}, points, current) for t in TREATMENTS}
    assert len(states) == 1
    assert states <= {OK, ALARM}


@given(alarms(), st.data(), st.sampled_from(STATES))
def test_a_new_breaching_point_never_turns_alarm_into_ok(
        alarm: dict[str, Any], data: st.DataObject, current: str) -> None:
    """M out of N with no missing data: the next period breaching keeps an ALARM in ALARM."""
    n = alarm["EvaluationPeriods"]
    points = data.draw(st.lists(values, min_size=n, max_size=n + 4))
    breaching = breaching_value(alarm)
    before = evaluate_alarm(alarm, points, current)
    after = evaluate_alarm(alarm, [*points, breaching], before)
    assert not (before == ALARM and after == OK)


@given(alarms(), st.data(), st.sampled_from(STATES))
def test_making_a_point_breach_never_turns_alarm_into_ok(
        alarm: dict[str, Any], data: st.DataObject, current: str) -> None:
    n = alarm["EvaluationPeriods"]
    points = data.draw(st.lists(values, min_size=n, max_size=n + 4))
    index = data.draw(st.integers(min_value=0, max_value=len(points) - 1))
    changed = [*points[:index], breaching_value(alarm), *points[index + 1:]]
    if evaluate_alarm(alarm, points, current) == ALARM:
        assert evaluate_alarm(alarm, changed, current) == ALARM


@given(alarms(), st.lists(maybe_values, max_size=12), st.sampled_from(STATES))
def test_missing_data_outcomes(alarm: dict[str, Any], points: list[float | None], current: str) -> None:
    """Only ``missing`` reaches INSUFFICIENT_DATA, and only when the whole range is missing; ``ignore``
    keeps the state then; ``breaching`` and ``notBreaching`` always decide OK or ALARM."""
    state = evaluate_alarm(alarm, points, current)
    window = points[-evaluation_range_size(alarm):]
    all_missing = all(p is None for p in window)
    treatment = alarm["TreatMissingData"]
    if treatment in ("breaching", "notBreaching"):
        assert state in (OK, ALARM)
    elif treatment == "missing":
        assert (state == INSUFFICIENT_DATA) == all_missing
    elif all_missing:
        assert state == current


@given(alarms(), st.lists(maybe_values, max_size=12))
def test_the_evaluation_never_uses_more_than_n_points(
        alarm: dict[str, Any], points: list[float | None]) -> None:
    result = evaluate(alarm, points)
    n = alarm["EvaluationPeriods"]
    assert len(result.points) + result.filled == n or result.retained or result.insufficient
    assert all(p.age < evaluation_range_size(alarm) for p in result.points)


@given(alarms())
def test_breaching_fills_alarm_and_not_breaching_fills_clear_an_empty_range(alarm: dict[str, Any]) -> None:
    assert evaluate_alarm({**alarm, "TreatMissingData": "breaching"}, []) == ALARM
    assert evaluate_alarm({**alarm, "TreatMissingData": "notBreaching"}, []) == OK


@given(st.lists(maybe_values, min_size=1, max_size=8))
def test_adding_zero_keeps_a_series_and_its_gaps(series: list[float | None]) -> None:
    assert evaluate_expression("m1 + 0", {"m1": series}) == series
    assert evaluate_expression("FILL(m1, REPEAT)", {"m1": series})[-1] == next(
        (v for v in reversed(series) if v is not None), None)


@given(st.lists(maybe_values, min_size=1, max_size=8))
def test_a_series_divided_by_itself_is_one_or_missing(series: list[float | None]) -> None:
    result = evaluate_expression("m1 / m1", {"m1": series})
    assert isinstance(result, list)
    for value, ratio in zip(series, result, strict=True):
        assert ratio == (None if not value else 1.0)


def breaching_value(alarm: dict[str, Any]) -> float:
    threshold = float(alarm["Threshold"])
    return threshold + 1 if alarm["ComparisonOperator"].startswith("Greater") else threshold - 1
