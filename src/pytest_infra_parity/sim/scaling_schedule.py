"""Application Auto Scaling scheduled actions: when ``cron()``, ``rate()`` and ``at()`` schedules fire.

Semantics ("Scheduled scaling for Application Auto Scaling" and the PutScheduledAction reference):
``at(yyyy-mm-ddThh:mm:ss)`` runs once, ``rate(value unit)`` every interval from its start time, and
``cron(minutes hours day-of-month month day-of-week year)`` on the schedule, in the action's ``Timezone``
(UTC by default, daylight saving time followed); "the finest resolution using a cron expression is 1
minute"; ``StartTime``/``EndTime`` (UTC) bound a recurring schedule. Day-of-week is 1-7 (1 = Sunday) or
SUN-SAT; ``?`` and ``*`` are wildcards; ``L``, ``W`` and ``#`` are not emulated (a clear error).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pytest_infra_parity.sim.autoscaling import ScalingPolicyError

__all__ = ["ScheduledAction", "last_run", "next_run"]

_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                       "NOV", "DEC"), start=1)}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
_NONE: dict[str, int] = {}
_RANGES: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, _NONE), (0, 23, _NONE), (1, 31, _NONE), (1, 12, _MONTHS), (1, 7, _DAYS), (1970, 2199, _NONE))
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
SEARCH_DAYS = 800


@dataclass(frozen=True)
class ScheduledAction:
    """One ``describe_scheduled_actions()["ScheduledActions"]`` entry."""

    name: str
    schedule: str
    timezone: str = "UTC"
    min_capacity: int | None = None
    max_capacity: int | None = None
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ScheduledAction:
        action = data.get("ScalableTargetAction") or {}
        low, high = action.get("MinCapacity"), action.get("MaxCapacity")
        scheduled = cls(str(data["ScheduledActionName"]), str(data["Schedule"]), str(data.get("Timezone") or "UTC"),
                        None if low is None else int(low), None if high is None else int(high),
                        _utc(data.get("StartTime")), _utc(data.get("EndTime")))
        next_run(scheduled, datetime(2000, 1, 1, tzinfo=UTC))  # validates the expression now
        return scheduled


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise ScalingPolicyError(f"a scheduled action time must be a date and time, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zone(action: ScheduledAction) -> ZoneInfo:
    try:
        return ZoneInfo(action.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScalingPolicyError(f"scheduled action {action.name!r}: unknown Timezone {action.timezone!r}") from None


def next_run(action: ScheduledAction, after: datetime) -> datetime | None:
    """The first time (UTC) strictly after ``after`` at which ``action`` runs, or None."""
    expression = action.schedule.strip()
    kind, _, rest = expression.partition("(")
    if not rest.endswith(")") or kind not in ("cron", "rate", "at"):
        raise ScalingPolicyError(f"scheduled action {action.name!r}: Schedule {expression!r} is not cron(...), "
                                 "rate(...) or at(...)")
    body = rest[:-1].strip()
    if kind == "at":
        when = datetime.fromisoformat(body).replace(tzinfo=_zone(action))
        found: datetime | None = when.astimezone(UTC) if when.astimezone(UTC) > after else None
    elif kind == "rate":
        found = _next_rate(action, body, after)
    else:
        found = _next_cron(action, body, after)
    if found is not None and action.end is not None and found > action.end:
        return None
    return found


def _next_rate(action: ScheduledAction, body: str, after: datetime) -> datetime:
    match = re.fullmatch(r"(\d+)\s+([a-z]+)", body)
    if match is None or match.group(2) not in _RATE_UNITS or int(match.group(1)) < 1:
        raise ScalingPolicyError(f"scheduled action {action.name!r}: rate({body}) is not "
                                 "'rate(<n> minutes|hours|days)'")
    step = int(match.group(1)) * _RATE_UNITS[match.group(2)]
    origin = action.start or datetime(1970, 1, 1, tzinfo=UTC)
    if after < origin:
        return origin
    passed = int((after - origin).total_seconds() // step) + 1
    return origin + timedelta(seconds=passed * step)


def _field(action: ScheduledAction, text: str, index: int) -> set[int] | None:
    """The values a cron field allows; None for a wildcard."""
    low, high, names = _RANGES[index]
    if text in ("*", "?"):
        return None
    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        tokens = [t for t in base.upper().split("-") if t != "*" and not t.isdigit() and t not in names]
        if any(c in t for t in tokens for c in "LW#"):
            raise ScalingPolicyError(f"scheduled action {action.name!r}: cron field {text!r} uses L, W or #, which the "
                                     "emulation does not support")
        start_text, _, end_text = base.partition("-")
        try:
            start = low if start_text == "*" else int(names.get(start_text.upper(), start_text))
            end = (high if step_text or start_text == "*" else start) if not end_text else \
                int(names.get(end_text.upper(), end_text))
            step = int(step_text) if step_text else 1
        except ValueError:
            raise ScalingPolicyError(f"scheduled action {action.name!r}: cron field {text!r} is not valid") from None
        if not low <= start <= end <= high or step < 1:
            raise ScalingPolicyError(f"scheduled action {action.name!r}: cron field {text!r} is out of {low}-{high}")
        allowed.update(range(start, end + 1, step))
    return allowed


def _next_cron(action: ScheduledAction, body: str, after: datetime) -> datetime | None:
    parts = body.split()
    if len(parts) != 6:
        raise ScalingPolicyError(f"scheduled action {action.name!r}: cron({body}) needs 6 fields "
                                 "(minutes hours day-of-month month day-of-week year)")
    minutes, hours, days, months, weekdays, years = (_field(action, p, i) for i, p in enumerate(parts))
    zone = _zone(action)
    floor = max(after, action.start - timedelta(seconds=1)) if action.start else after
    local = floor.astimezone(zone)
    for offset in range(SEARCH_DAYS):
        day: date = local.date() + timedelta(days=offset)
        weekday = day.isoweekday() % 7 + 1  # AWS: 1 = Sunday
        if not all(allowed is None or value in allowed for allowed, value in (
                (days, day.day), (months, day.month), (weekdays, weekday), (years, day.year))):
            continue
        for hour in sorted(hours) if hours is not None else range(24):
            for minute in sorted(minutes) if minutes is not None else range(60):
                moment = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
                if moment > floor:
                    return moment
    return None


def last_run(action: ScheduledAction, before: datetime, *, lookback: timedelta = timedelta(days=8)) -> datetime | None:
    """The last time at or before ``before`` at which ``action`` ran (within ``lookback``), or None."""
    found, cursor = None, before - lookback
    while True:
        moment = next_run(action, cursor)
        if moment is None or moment > before:
            return found
        found, cursor = moment, moment
