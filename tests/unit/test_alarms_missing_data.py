"""The worked tables of the CloudWatch user guide, as cases of the alarm simulator.

Source: CloudWatch user guide, "Using Amazon CloudWatch alarms" > "Configuring how CloudWatch alarms
treat missing data" > "How alarm state is evaluated when data is missing"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html).
Both tables use Evaluation Periods 3 and an evaluation range of 5; the first has Datapoints to Alarm 3,
the second 2 ("a 2 out of 3, M out of N alarm"). In the data points column the most recent point is on
the right: 0 is non-breaching, X breaching, - missing. "Retain current state" is written RETAIN.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.sim.alarms import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    evaluate,
    evaluate_alarm,
    evaluation_range_size,
)

RETAIN = "RETAIN"
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
THRESHOLD = 10.0
VALUES = {"0": 1.0, "X": 99.0, "-": None}

# Columns: data points, "# of data points that must be filled", MISSING, IGNORE, BREACHING, NOT BREACHING.
THREE_OF_THREE = [
    ("0 - X - X", 0, OK, OK, OK, OK),
    ("0 - - - -", 2, OK, OK, OK, OK),
    ("- - - - -", 3, INSUFFICIENT_DATA, RETAIN, ALARM, OK),
    ("0 X X - X", 0, ALARM, ALARM, ALARM, ALARM),
    ("- - X - -", 2, ALARM, RETAIN, ALARM, OK),
]
TWO_OF_THREE = [
    ("0 - X - X", 0, ALARM, ALARM, ALARM, ALARM),
    ("0 0 X 0 X", 0, ALARM, ALARM, ALARM, ALARM),
    ("0 - X - -", 1, OK, OK, ALARM, OK),
    ("- - - - 0", 2, OK, OK, ALARM, OK),
    ("- - - X -", 2, ALARM, RETAIN, ALARM, OK),
]


def alarm(datapoints_to_alarm: int, treatment: str) -> dict[str, Any]:
    return {
        "AlarmName": f"guide-{datapoints_to_alarm}-of-3-{treatment}",
        "Namespace": "Guide",
        "MetricName": "Example",
        "Statistic": "Average",
        "Period": 300,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": datapoints_to_alarm,
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": THRESHOLD,
        "TreatMissingData": treatment,
    }


def series(row: str) -> list[float | None]:
    return [VALUES[symbol] for symbol in row.split()]


def cases(table: list[tuple[str, int, str, str, str, str]], m: int) -> list[Any]:
    return [
        pytest.param(m, row, filled, treatment, expected, id=f"{m}of3[{row}]-{treatment}")
        for row, filled, *states in table
        for treatment, expected in zip(TREATMENTS, states, strict=True)
    ]


@pytest.mark.parametrize(
    ("m", "row", "filled", "treatment", "expected"),
    cases(THREE_OF_THREE, 3) + cases(TWO_OF_THREE, 2),
)
@pytest.mark.parametrize("current", [OK, ALARM, INSUFFICIENT_DATA])
def test_guide_table(m: int, row: str, filled: int, treatment: str, expected: str, current: str) -> None:
    state = evaluate_alarm(alarm(m, treatment), series(row), current_state=current)
    assert state == (current if expected == RETAIN else expected)


@pytest.mark.parametrize(("row", "filled"), [(r, f) for r, f, *_ in THREE_OF_THREE + TWO_OF_THREE])
def test_number_of_points_that_must_be_filled(row: str, filled: int) -> None:
    """Column 2: how many of the 3 necessary points are missing (filled with the treatment)."""
    result = evaluate(alarm(3, "breaching"), series(row))
    assert result.filled == filled
    assert len(result.points) == 3 - filled


def test_the_evaluation_range_of_the_examples_is_five() -> None:
    """"CloudWatch retrieves the 5 most recent data points [...] 5 is the evaluation range for the alarm.\""""
    assert evaluation_range_size(alarm(3, "missing")) == 5
    assert evaluation_range_size(alarm(2, "missing")) == 5


def test_the_non_breaching_point_ages_out_of_the_range() -> None:
    """Row 2 of the first table: "The next time this alarm is evaluated, if the data is still missing it
    will go to ALARM, as that non-breaching data point will no longer be in the evaluation range."""
    first = evaluate_alarm(alarm(3, "breaching"), series("0 - - - -"), OK)
    then = evaluate_alarm(alarm(3, "breaching"), series("0 - - - - -"), first)
    assert (first, then) == (OK, ALARM)


@pytest.mark.parametrize("row", ["- - - - X", "- - - X -"])
def test_premature_alarm_is_avoided_while_the_breach_is_recent(row: str) -> None:
    """"Avoiding premature transitions to alarm state": with Datapoints to Alarm 3 the alarm does not
    go immediately into ALARM when the data is - - - - X or - - - X -."""
    assert evaluate_alarm(alarm(3, "missing"), series(row), OK) != ALARM


@pytest.mark.parametrize("row", ["- - - X O", "- - X - O"])
def test_a_later_good_point_cancels_the_recent_breach(row: str) -> None:
    """"False positives are avoided when the next data point is non-breaching"."""
    assert evaluate_alarm(alarm(3, "missing"), series(row.replace("O", "0")), OK) == OK


def test_an_old_enough_breach_with_only_missing_points_after_it_alarms() -> None:
    """"If the last few data points are - - X - -, the alarm goes into ALARM state even if missing data
    points are treated as missing" (the breach is at least Datapoints to Alarm periods old)."""
    assert evaluate_alarm(alarm(3, "missing"), series("- - X - -"), OK) == ALARM
    assert evaluate_alarm(alarm(2, "missing"), series("- - - X -"), OK) == ALARM
    assert evaluate_alarm(alarm(2, "missing"), series("- - - - X"), OK) == OK
