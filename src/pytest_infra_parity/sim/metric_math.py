"""CloudWatch metric math on per-period series, as an alarm's ``Metrics`` expressions use it.

Semantics follow the CloudWatch user guide, "Metric math syntax and functions" and "Using IF
expressions":

- Arithmetic ``+ - * / ^`` and unary minus work on scalars (S), time series (TS) and arrays of time
  series (TS[]). "Missing values in a time series are treated as 0" when two series are combined (a
  period missing from *both* stays missing); a series combined with a scalar keeps its missing periods.
  "If the value of a data point causes a function to attempt to divide by zero, the data point is
  dropped": the period becomes missing (so does any other non-finite result).
- Comparison (``== != <= >= < >``) and logical (``AND``/``&&``, ``OR``/``||``) operators return 1 or 0
  per period; "when comparison operators are used between two time series, and only one of the time
  series has a value for a particular time stamp, the function treats the missing value in the other
  time series as 0". ``NOT``/``!`` is accepted as well (the guide's operator table lists only AND and OR).
- ``IF(condition, trueValue[, falseValue])``: a missing condition drops the period; a true condition
  with a missing trueValue series gives 0; a false one with a missing (or omitted) falseValue drops it.
- ``FILL(x, S | TS | REPEAT | LINEAR)``: REPEAT repeats the last value before a gap, LINEAR interpolates
  between the values at both ends of a gap (gaps without such a value stay missing).
- ``METRICS()`` / ``METRICS("text")``: every MetricStat query (whose Id contains ``text``).
- ``SUM AVG MIN MAX`` of a TS are scalars over its present points; of a TS[] they are a TS computed per
  period over the present values (for AVG "missing values are treated as 0": the sum of the present
  values is divided by the number of series). ``ABS CEIL FLOOR`` apply per point.
- ``PERIOD(m1)`` and ``TIME_SERIES(S)`` are supported too; any other function raises
  :class:`MetricMathError` naming it and the alarm.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from pytest_infra_parity.sim.alarm_spec import MetricQuery
from pytest_infra_parity.sim.metric_math_syntax import (
    KEYWORDS,
    ArrayLit,
    Binary,
    Call,
    MetricMathError,
    Name,
    Node,
    Num,
    Text,
    Unary,
    parse_expression,
)

__all__ = ["MetricMathError", "Scalar", "Series", "SeriesArray", "Value", "evaluate_expression",
           "evaluate_queries", "parse_expression"]

Number: TypeAlias = float | None
BinaryFn: TypeAlias = Callable[[float, float], Number]

# --- values --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    value: Number


@dataclass(frozen=True)
class Series:
    points: tuple[Number, ...]


@dataclass(frozen=True)
class SeriesArray:
    items: tuple[Series, ...]


Value: TypeAlias = Scalar | Series | SeriesArray


def _finite(value: Number) -> Number:
    return value if value is not None and math.isfinite(value) else None


def _divide(a: float, b: float) -> Number:
    return None if b == 0 else a / b


def _power(a: float, b: float) -> Number:
    try:
        result = a**b
    except (ZeroDivisionError, OverflowError):
        return None
    return None if isinstance(result, complex) else float(result)


def _flag(test: Callable[[float, float], bool]) -> BinaryFn:
    return lambda a, b: 1.0 if test(a, b) else 0.0


_BINARY: dict[str, BinaryFn] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": _divide, "^": _power,
    "==": _flag(operator.eq), "!=": _flag(operator.ne), "<=": _flag(operator.le),
    ">=": _flag(operator.ge), "<": _flag(operator.lt), ">": _flag(operator.gt),
    "AND": _flag(lambda a, b: a != 0 and b != 0), "OR": _flag(lambda a, b: a != 0 or b != 0),
}

# --- evaluation ----------------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, alarm_name: str, inputs: Mapping[str, Series], expressions: Mapping[str, str],
                 periods: Mapping[str, int], length: int) -> None:
        self.alarm_name, self.inputs, self.expressions = alarm_name, inputs, expressions
        self.periods, self.length = periods, length
        self.done: dict[str, Value] = {}
        self.active: list[str] = []

    def error(self, problem: str) -> MetricMathError:
        where = f" (in {self.active[-1]})" if self.active else ""
        return MetricMathError(self.alarm_name, f"metric math{where}: {problem}")

    def query(self, query_id: str) -> Value:
        if query_id in self.inputs:
            return self.inputs[query_id]
        if query_id in self.done:
            return self.done[query_id]
        if query_id not in self.expressions:
            raise self.error(f"no metric or expression has the Id {query_id!r} "
                             "(or no series was given for it)")
        if query_id in self.active:
            raise self.error(f"expression {query_id!r} refers to itself")
        self.active.append(query_id)
        value = self.eval(parse_expression(self.expressions[query_id], alarm_name=self.alarm_name))
        self.active.pop()
        self.done[query_id] = value
        return value

    def eval(self, node: Node) -> Value:
        if isinstance(node, Num):
            return Scalar(node.value)
        if isinstance(node, Name):
            if node.name in KEYWORDS:
                raise self.error(f"{node.name} is only valid as the second argument of FILL")
            return self.query(node.name)
        if isinstance(node, Unary):
            return _map(self.eval(node.operand),
                        (lambda v: 1.0 if v == 0 else 0.0) if node.op == "NOT" else operator.neg)
        if isinstance(node, Binary):
            return self.combine(_BINARY[node.op], self.eval(node.left), self.eval(node.right))
        if isinstance(node, ArrayLit):
            return SeriesArray(tuple(s for item in node.items for s in self.series_of(self.eval(item))))
        if isinstance(node, Call):
            return self.call(node)
        raise self.error(f"a string ({node.value!r}) is only valid as the argument of METRICS")

    def series_of(self, value: Value) -> tuple[Series, ...]:
        if isinstance(value, Scalar):
            raise self.error("an array [...] holds time series, not scalars")
        return value.items if isinstance(value, SeriesArray) else (value,)

    def combine(self, fn: BinaryFn, left: Value, right: Value) -> Value:
        if isinstance(left, SeriesArray) and isinstance(right, SeriesArray):
            raise self.error("an operator cannot combine two arrays of time series")
        if isinstance(left, SeriesArray):
            assert not isinstance(right, SeriesArray)
            return SeriesArray(tuple(_pair(fn, item, right) for item in left.items))
        if isinstance(right, SeriesArray):
            return SeriesArray(tuple(_pair(fn, left, item) for item in right.items))
        if isinstance(left, Scalar) and isinstance(right, Scalar):
            return Scalar(_apply(fn, left.value, right.value))
        return _pair(fn, left, right)

    def call(self, node: Call) -> Value:
        handler = _FUNCTIONS.get(node.name)
        if handler is None:
            raise self.error(f"function {node.name} is not supported by the alarm simulator "
                             f"(supported: {', '.join(sorted(_FUNCTIONS))})")
        return handler(self, node.args)

    def args(self, name: str, args: tuple[Node, ...], counts: tuple[int, ...]) -> list[Value]:
        if len(args) not in counts:
            raise self.error(f"{name} takes {' or '.join(map(str, counts))} argument(s), got {len(args)}")
        return [self.eval(arg) for arg in args]


def _apply(fn: BinaryFn, a: Number, b: Number) -> Number:
    return None if a is None or b is None else _finite(fn(a, b))


def _pair(fn: BinaryFn, left: Scalar | Series, right: Scalar | Series) -> Series:
    if isinstance(left, Series) and isinstance(right, Series):
        return Series(tuple(
            None if a is None and b is None else _apply(fn, 0.0 if a is None else a, 0.0 if b is None else b)
            for a, b in zip(left.points, right.points, strict=True)))
    if isinstance(left, Series):
        assert isinstance(right, Scalar)
        return Series(tuple(_apply(fn, a, right.value) for a in left.points))
    assert isinstance(right, Series)
    return Series(tuple(_apply(fn, left.value, b) for b in right.points))


def _map(value: Value, fn: Callable[[float], float]) -> Value:
    def one(v: Number) -> Number:
        return None if v is None else _finite(float(fn(v)))

    if isinstance(value, Scalar):
        return Scalar(one(value.value))
    if isinstance(value, Series):
        return Series(tuple(one(v) for v in value.points))
    return SeriesArray(tuple(Series(tuple(one(v) for v in s.points)) for s in value.items))


Handler: TypeAlias = Callable[["_Evaluator", tuple[Node, ...]], Value]


def _elementwise(fn: Callable[[float], float]) -> Handler:
    def handler(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
        (value,) = ev.args("function", args, (1,))
        return _map(value, fn)

    return handler


def _reduce(name: str, fn: Callable[[list[float], int], float]) -> Handler:
    """SUM/AVG/MIN/MAX: a scalar over one series, or a series per period over an array."""

    def over(values: Sequence[Number], width: int) -> Number:
        present = [v for v in values if v is not None]
        return _finite(fn(present, width)) if present else None

    def handler(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
        (value,) = ev.args(name, args, (1,))
        if isinstance(value, Scalar):
            raise ev.error(f"{name} takes a time series or an array of time series, not a scalar")
        if isinstance(value, Series):
            return Scalar(over(value.points, sum(v is not None for v in value.points)))
        columns = zip(*(s.points for s in value.items), strict=True) if value.items else ()
        points = tuple(over(column, len(value.items)) for column in columns)
        return Series(points if value.items else (None,) * ev.length)

    return handler


def _if(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
    values = ev.args("IF", args, (2, 3))
    if any(isinstance(v, SeriesArray) for v in values):
        raise ev.error("IF works on single time series and scalars, not arrays")
    condition, when_true = values[0], values[1]
    when_false = values[2] if len(values) == 3 else None
    if isinstance(condition, Scalar):
        chosen = when_true if condition.value not in (None, 0.0) else when_false
        return chosen if chosen is not None else Series((None,) * ev.length)

    def pick(index: int, test: Number) -> Number:
        if test is None:
            return None
        branch = when_true if test != 0 else when_false
        if isinstance(branch, Scalar):
            return branch.value
        if isinstance(branch, Series):
            point = branch.points[index]
            return 0.0 if point is None and test != 0 else point
        return None

    assert isinstance(condition, Series)
    return Series(tuple(pick(i, test) for i, test in enumerate(condition.points)))


def _fill_points(points: tuple[Number, ...], filler: Value | str) -> tuple[Number, ...]:
    out = list(points)
    known = [i for i, v in enumerate(points) if v is not None]
    for i, v in enumerate(points):
        if v is not None:
            continue
        before = [k for k in known if k < i]
        after = [k for k in known if k > i]
        if filler == "REPEAT":
            out[i] = points[before[-1]] if before else None
        elif filler == "LINEAR":
            if before and after:
                lo, hi = before[-1], after[0]
                start, end = points[lo], points[hi]
                assert start is not None and end is not None
                out[i] = start + (end - start) * (i - lo) / (hi - lo)
        elif isinstance(filler, Scalar):
            out[i] = filler.value
        elif isinstance(filler, Series):
            out[i] = filler.points[i]
    return tuple(out)


def _fill(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
    if len(args) != 2:
        raise ev.error(f"FILL takes 2 arguments, got {len(args)}")
    target = ev.eval(args[0])
    keyword = args[1].name if isinstance(args[1], Name) and args[1].name in KEYWORDS else None
    filler: Value | str = keyword if keyword is not None else ev.eval(args[1])
    if isinstance(filler, SeriesArray):
        raise ev.error("FILL's filler must be a scalar, a time series, REPEAT or LINEAR")
    if isinstance(target, Scalar):
        raise ev.error("FILL fills a time series or an array of time series, not a scalar")
    if isinstance(target, Series):
        return Series(_fill_points(target.points, filler))
    return SeriesArray(tuple(Series(_fill_points(s.points, filler)) for s in target.items))


def _metrics(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
    if len(args) > 1 or (args and not isinstance(args[0], Text)):
        raise ev.error('METRICS takes no argument or one string, as in METRICS("errors")')
    text = args[0].value if args and isinstance(args[0], Text) else ""
    return SeriesArray(tuple(s for key, s in ev.inputs.items() if text in key))


def _period(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
    if len(args) != 1 or not isinstance(args[0], Name) or args[0].name not in ev.periods:
        raise ev.error("PERIOD takes the Id of a metric (not of an expression)")
    return Scalar(float(ev.periods[args[0].name]))


def _time_series(ev: _Evaluator, args: tuple[Node, ...]) -> Value:
    (value,) = ev.args("TIME_SERIES", args, (1,))
    if not isinstance(value, Scalar):
        raise ev.error("TIME_SERIES takes a scalar")
    return Series((value.value,) * ev.length)


_FUNCTIONS: dict[str, Handler] = {
    "ABS": _elementwise(lambda v: abs(v)),
    "CEIL": _elementwise(lambda v: float(math.ceil(v))),
    "FLOOR": _elementwise(lambda v: float(math.floor(v))),
    "SUM": _reduce("SUM", lambda values, _width: math.fsum(values)),
    "AVG": _reduce("AVG", lambda values, width: math.fsum(values) / width),
    "MIN": _reduce("MIN", lambda values, _width: min(values)),
    "MAX": _reduce("MAX", lambda values, _width: max(values)),
    "IF": _if,
    "FILL": _fill,
    "METRICS": _metrics,
    "PERIOD": _period,
    "TIME_SERIES": _time_series,
}


def _inputs(alarm_name: str, series: Mapping[str, Sequence[float | None]],
            ids: Sequence[str]) -> dict[str, Series]:
    lengths = {len(series[i]) for i in ids}
    if len(lengths) > 1:
        raise MetricMathError(alarm_name, f"the series of {', '.join(ids)} must all have the same length")
    out: dict[str, Series] = {}
    for query_id in ids:
        points: list[Number] = []
        for value in series[query_id]:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise MetricMathError(alarm_name,
                                      f"series {query_id!r} holds {value!r}: expected a number or None")
            points.append(None if value is None else float(value))
        out[query_id] = Series(tuple(points))
    return out


def evaluate_queries(queries: Sequence[MetricQuery], series: Mapping[str, Sequence[float | None]],
                     target: str, *, alarm_name: str = "") -> Value:
    """The value of query ``target`` given the series of the MetricStat queries (oldest first)."""
    metric_ids = [q.id for q in queries if q.is_metric]
    missing = [i for i in metric_ids if i not in series]
    if missing:
        raise MetricMathError(alarm_name, f"no series given for metric(s) {', '.join(missing)}")
    inputs = _inputs(alarm_name, series, metric_ids)
    length = len(next(iter(inputs.values())).points) if inputs else 0
    expressions = {q.id: q.expression for q in queries if q.expression is not None}
    periods = {q.id: q.period for q in queries if q.is_metric and q.period is not None}
    return _Evaluator(alarm_name, inputs, expressions, periods, length).query(target)


def evaluate_expression(expression: str, series: Mapping[str, Sequence[float | None]], *,
                        periods: Mapping[str, int] | None = None, alarm_name: str = ""
                        ) -> float | list[float | None] | list[list[float | None]] | None:
    """Evaluate one expression over named series: a scalar, a series or a list of series."""
    inputs = _inputs(alarm_name, series, list(series))
    length = len(next(iter(inputs.values())).points) if inputs else 0
    evaluator = _Evaluator(alarm_name, inputs, {"expression": expression}, dict(periods or {}), length)
    value = evaluator.query("expression")
    if isinstance(value, Scalar):
        return value.value
    if isinstance(value, Series):
        return list(value.points)
    return [list(s.points) for s in value.items]
