"""CloudWatch's StateReason text for the outcome of an alarm evaluation.

Modelled on reasons CloudWatch writes (the first is the user guide's partial-data example, the others
are quoted from alarm histories):

- ``Threshold Crossed: 3 out of the last 3 datapoints [20000.0 (08/11/22 11:25:00), ...] were greater
  than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).``
- ``Threshold Crossed: 1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was greater than or
  equal to the threshold (1.0) and 19 missing datapoints were treated as [NonBreaching] (minimum 1
  datapoint for OK -> ALARM transition).``
- ``Threshold Crossed: 3 datapoints [2.0 (...), 3.0 (...), 1.0 (...)] were greater than the threshold
  (0.0).`` (no DatapointsToAlarm set)
- ``Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated
  as [Breaching].`` and ``1 datapoint was received for 3 periods and 2 missing datapoints ...``
- ``Thresholds Crossed: 1 out of the last 1 datapoints [0.46 (...)] was not less than the lower
  thresholds [0.41] or not greater than the upper thresholds [0.47] (minimum 1 datapoint for ALARM ->
  OK transition).``
- ``Insufficient Data: 1 datapoint was unknown.`` and ``Unchecked: Initial alarm creation``.

Datapoints are listed newest first, stamped with the start of their period when the evaluation time is
known and ``t-<age>`` (age in periods, 0 = the newest period of the range) otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pytest_infra_parity.sim.alarm_spec import ALARM, INSUFFICIENT_DATA, Alarm

if TYPE_CHECKING:
    from pytest_infra_parity.sim.alarms import Evaluation, Point

INITIAL_REASON = "Unchecked: Initial alarm creation"

_PHRASES = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
_FILL_LABELS = {"breaching": "Breaching", "notBreaching": "NonBreaching"}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _verb(count: int) -> str:
    return "was" if count == 1 else "were"


def _number(value: float | None) -> str:
    return repr(float(value or 0.0))


def _stamp(alarm: Alarm, age: int, at: datetime | None) -> str:
    if at is None:
        return f"t-{age}"
    epoch = (at.replace(tzinfo=UTC) if at.tzinfo is None else at).timestamp()
    end = at - timedelta(seconds=epoch % alarm.period)
    start = end - timedelta(seconds=alarm.period * (age + 1))
    return start.strftime("%d/%m/%y %H:%M:%S")


def _comparison(alarm: Alarm, listed: Sequence[Point], alarming: bool) -> str:
    negation = "" if alarming else "not "
    if not alarm.is_band:
        phrase = _PHRASES[alarm.comparison_operator]
        return f"{negation}{phrase} the threshold ({_number(alarm.threshold)})"
    bands = [p.band or (0.0, 0.0) for p in listed]
    lower = f"{negation}less than the lower thresholds [{', '.join(_number(b[0]) for b in bands)}]"
    upper = f"{negation}greater than the upper thresholds [{', '.join(_number(b[1]) for b in bands)}]"
    if alarm.comparison_operator == "LessThanLowerThreshold":
        return lower
    if alarm.comparison_operator == "GreaterThanUpperThreshold":
        return upper
    return f"{lower} or {upper}"


def _fill_clause(evaluation: Evaluation) -> str:
    label = _FILL_LABELS.get(evaluation.treatment)
    if not evaluation.filled or label is None:
        return ""
    count = evaluation.filled
    return f" and {_plural(count, 'missing datapoint')} {_verb(count)} treated as [{label}]"


def state_reason(alarm: Alarm, evaluation: Evaluation, old_state: str, *, at: datetime | None = None) -> str:
    """The StateReason CloudWatch would record for moving from ``old_state`` to ``evaluation.state``."""
    n = alarm.evaluation_periods
    if evaluation.state == INSUFFICIENT_DATA:
        return f"Insufficient Data: {_plural(n, 'datapoint')} {_verb(n)} unknown."
    alarming = evaluation.state == ALARM
    listed = [p for p in evaluation.points if p.breaching == alarming]
    fill = _fill_clause(evaluation)
    if not listed:
        received = len(evaluation.points)
        head = f"{_plural(received, 'datapoint')} {_verb(received)}" if received else "no datapoints were"
        return f"Threshold Crossed: {head} received for {n} periods{fill}."
    if alarm.explicit_datapoints_to_alarm:
        counted = f"{len(listed)} out of the last {n} datapoints"
    else:
        counted = _plural(len(listed), "datapoint")
    values = ", ".join(f"{_number(p.value)} ({_stamp(alarm, p.age, at)})" for p in listed)
    title = "Thresholds Crossed" if alarm.is_band else "Threshold Crossed"
    text = f"{title}: {counted} [{values}] {_verb(len(listed))} {_comparison(alarm, listed, alarming)}{fill}"
    if alarm.explicit_datapoints_to_alarm:
        m = alarm.datapoints_to_alarm
        minimum = m if alarming else n - m + 1
        text += f" (minimum {_plural(minimum, 'datapoint')} for {old_state} -> {evaluation.state} transition)"
    return text + "."
