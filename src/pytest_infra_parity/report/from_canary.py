"""Report evidence of a canary deployment: the error rates the alarms compare, the alias weights, the events.

``canary_section(outcome)`` turns an emulated rollout (:class:`~pytest_infra_parity.sim.canary_run.CanaryOutcome`,
also what the rollout under real load returns) or a real one polled on the wall clock
(:class:`~pytest_infra_parity.sim.canary_wallclock.WallClockOutcome`) into the ``canary`` section. Times are
seconds from the deployment's start.

What the charts show follows CloudWatch and CodeDeploy: the error rate is computed per *alarm period*
(CloudWatch aggregates a metric into one datapoint per period, stamped with the period's start, and the
alarm compares each datapoint with its threshold: "Using Amazon CloudWatch alarms", CloudWatch user
guide), so each rate is a step over its period. The threshold line says what the alarm compares, read
from its metrics' dimensions (Lambda publishes Errors/Invocations per function, per ``function:alias``
Resource, and per Resource + ExecutedVersion: "Using invocation metrics", Lambda developer guide): the
new version's rate, or the rate of all versions; that series is drawn ``bad`` (bold). The ALARM bands
are the alarm's state transitions, and the alias weight of the new version is the
``AdditionalVersionWeights`` entry CodeDeploy moves at each traffic shift ("Deployment configurations on
an AWS Lambda compute platform", CodeDeploy user guide), back to 0 at a rollback.

The function is named by its logical id (``MockReadFn:live``): CloudFormation names a resource without
an explicit name ``<stack name>-<logical id>-<random string>`` ("Name type", CloudFormation user guide),
which :func:`logical_name` reads back when the caller does not give the logical id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.report.model import Band, Cell, Chart, Figure, Marker, Section, Series, Threshold, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.sim.alarm_spec import Alarm
    from pytest_infra_parity.sim.canary_run import CanaryOutcome
    from pytest_infra_parity.sim.canary_wallclock import WallClockOutcome
    from pytest_infra_parity.sim.canary_watch import WatchedAlarm
    from pytest_infra_parity.sim.clock import Event

__all__ = ["ALL_VERSIONS", "alarm_bands", "canary_section", "compared", "error_rates", "logical_name", "mmss",
           "percent_factor", "readable_reason", "shorten", "weight_points"]

ALL_VERSIONS = "all versions"
_STATUS_TONE: dict[str, Tone] = {"Succeeded": "good", "Stopped": "bad", "Failed": "bad"}
_OPERATORS = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
              "LessThanOrEqualToThreshold": "<="}
_GENERATED_NAME = re.compile(r"^.+-(?P<logical>[A-Za-z0-9]+)-[A-Z0-9]{12,13}$")
_MIN_BAND = 0.03
"""An ALARM band still open when the deployment ends is drawn at least this share of the time axis wide."""
_HIDDEN = ("alarm-eval", "traffic", "metric")
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_DATAPOINT = re.compile(rf"({_NUMBER}) \((\d\d/\d\d/\d\d \d\d:\d\d:\d\d)\)")
_THRESHOLD = re.compile(rf"the threshold \(({_NUMBER})\)")
MAX_DETAIL = 320
"""Characters of an event's detail in the table (cut at a word, with an ellipsis; the section's text has it all)."""


def mmss(seconds: float) -> str:
    """``03:05``, ``-07:00``: minutes and seconds (a sign only when negative)."""
    whole = round(abs(seconds))
    return f"{'-' if seconds < 0 and whole else ''}{whole // 60:02d}:{whole % 60:02d}"


def logical_name(physical: str) -> str:
    """The logical id in a CloudFormation-generated name (``stack-MockReadFn-YXR245SFI9GC`` -> ``MockReadFn``),
    else the name itself."""
    found = _GENERATED_NAME.match(physical)
    return found.group("logical") if found else physical


def percent_factor(spec: Alarm) -> float | None:
    """How to turn the alarm's threshold into a percentage: 100 for a ratio, 1 for a percentage, None for a count.

    A ratio is a metric math expression dividing two metrics (``errors / invocations``; ``100 * errors /
    invocations`` is already a percentage), or the Average of Lambda's Errors (Errors is 1 per failed
    invocation, 0 otherwise: "Using invocation metrics", Lambda developer guide).
    """
    if spec.uses_metric_math:
        returned = next((q for q in spec.metrics if q.id == spec.return_id), None)
        expression = (returned.expression or "") if returned is not None else ""
        if "/" in expression:
            return 1.0 if "100" in expression else 100.0
        return None
    if spec.metric_name == "Errors" and spec.statistic == "Average":
        return 100.0
    return None


def compared(alarm: WatchedAlarm) -> tuple[str, str]:
    """What the alarm compares and whose: ``("errors", "version 3")`` or ``("errors", "all versions")``.

    The metric is the alarm's first metric other than Invocations (the numerator of ``errors /
    invocations``); ``ExecutedVersion`` among its dimensions names one version, any other dimension set
    (the function, the alias's Resource) counts every version's invocations.
    """
    refs = alarm.refs
    chosen = next((r for r in refs if r.metric_name != "Invocations"), refs[0] if refs else None)
    if chosen is None:
        return "the metric", ALL_VERSIONS
    what = "errors" if chosen.metric_name == "Errors" else (chosen.metric_name or "the metric")
    version = dict(chosen.dims).get("ExecutedVersion")
    return what, (f"version {version}" if version else ALL_VERSIONS)


def error_rates(outcome: CanaryOutcome, period: float) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The new version's and all versions' error rate (%) per ``period``, as step points at each period's
    start (CloudWatch stamps a datapoint with its period's start), the last one repeated at its period's end."""
    windows: dict[int, list[float]] = {}
    new = outcome.rollout.new_version
    for traffic in outcome.periods:
        if traffic.end <= outcome.started_at:
            continue
        counts = windows.setdefault(math.floor(traffic.start / period + 1e-9), [0.0, 0.0, 0.0, 0.0])
        counts[0] += traffic.invocations.get(new, 0.0)
        counts[1] += traffic.errors.get(new, 0.0)
        counts[2] += sum(traffic.invocations.values())
        counts[3] += sum(traffic.errors.values())
    canary: list[tuple[float, float]] = []
    overall: list[tuple[float, float]] = []
    for index, (n_new, e_new, n_all, e_all) in sorted(windows.items()):
        at = index * period - outcome.started_at
        if n_new > 0:
            canary.append((at, 100.0 * e_new / n_new))
        if n_all > 0:
            overall.append((at, 100.0 * e_all / n_all))
    for points in (canary, overall):
        if points:
            points.append((points[-1][0] + period, points[-1][1]))
    return canary, overall


def weight_points(outcome: CanaryOutcome, end: float) -> list[tuple[float, float]]:
    """The new version's alias weight (%) over time: 0 at the start, each shift, 0 at a rollback, held to ``end``."""
    new = outcome.rollout.new_version
    points = [(0.0, 0.0)]
    for event in outcome.events:
        if event.kind in ("traffic-shift", "rollback"):
            weight = float(event.detail.get("weights", {}).get(new, 0.0))
            points.append((event.at - outcome.started_at, 100.0 * weight))
    points.append((max(end, points[-1][0]), points[-1][1]))
    return points


def alarm_bands(events: Sequence[Event], origin: float, end: float, names: Mapping[str, str] | None = None,
                hold: float = 0.0, tones: Sequence[Tone] = ("bad",), begin: float = 0.0) -> list[Band]:
    """One band per interval an alarm spent in ALARM (from its transitions), clipped to ``[begin, end]``.

    ``names`` limits the bands to these alarms and gives each its label (default: every alarm, by name).
    An alarm still in ALARM at ``end`` keeps its band to ``end``, and at least ``hold`` seconds wide (a
    rollout stops at the very evaluation that put the alarm in ALARM: without it the band would be empty).
    The alarms take the ``tones`` in turn (in the order they first reach ALARM), so that overlapping bands
    of several alarms stay apart.
    """
    bands: list[Band] = []
    since: dict[str, float] = {}
    shown = names if names is not None else {e.subject: e.subject for e in events if e.kind == "alarm"}
    tone: dict[str, Tone] = {}
    for event in events:
        if event.kind != "alarm" or event.subject not in shown:
            continue
        at = event.at - origin
        if event.detail.get("new") == "ALARM":
            since.setdefault(event.subject, at)
            tone.setdefault(event.subject, tones[len(tone) % len(tones)])
        elif event.subject in since:
            bands.append(Band(max(begin, since.pop(event.subject)), min(at, end), f"{shown[event.subject]} in ALARM",
                              tone[event.subject]))
    bands += [Band(max(begin, start), max(end, start + hold), f"{shown[name]} in ALARM", tone[name])
              for name, start in since.items()]
    return [band for band in bands if band.end >= band.start]


def shorten(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` when it fits ``limit`` characters, else cut at the last word that fits, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}\u2026"


def readable_reason(reason: str, factor: float | None, start: datetime | None) -> str:
    """CloudWatch's StateReason with its datapoints as percentages (``factor``: see :func:`percent_factor`)
    to 2 decimals, stamped ``mm:ss`` from ``start`` (the datetime of the deployment start), and the
    threshold in the same unit: ``[8.40 % (02:00), 5.77 % (01:00)] were greater than the threshold (2 %)``."""
    def value(text: str, digits: str = ".2f") -> str:
        number = float(text)
        return f"{number * factor:{digits}} %" if factor is not None else f"{number:.4g}"

    def point(found: re.Match[str]) -> str:
        stamp = found.group(2)
        if start is not None:
            moment = datetime.strptime(stamp, "%d/%m/%y %H:%M:%S").replace(tzinfo=start.tzinfo)
            stamp = mmss((moment - start).total_seconds())
        return f"{value(found.group(1))} ({stamp})"

    text = _DATAPOINT.sub(point, reason)
    return shorten(_THRESHOLD.sub(lambda found: f"the threshold ({value(found.group(1), 'g')})", text))


def _start_datetime(outcome: CanaryOutcome) -> datetime | None:
    """The deployment start on the emulated clock's calendar: an alarm's last transition is stamped with
    the clock's datetime, its event with the clock's seconds."""
    for alarm in outcome.alarms:
        events = [e for e in outcome.events if e.kind == "alarm" and e.subject == alarm.name]
        if events and alarm.transitions and alarm.transitions[-1].timestamp is not None \
                and alarm.transitions[-1].new_state == events[-1].detail.get("new"):
            return alarm.transitions[-1].timestamp - timedelta(seconds=events[-1].at - outcome.started_at)
    return None


def _event_row(event: Event, origin: float, versions: tuple[str, str], factors: Mapping[str, float | None],
               start: datetime | None) -> tuple[Cell, ...] | None:
    detail: dict[str, Any] = event.detail
    when = Cell(mmss(event.at - origin))
    if event.kind in ("traffic-shift", "rollback"):
        weights = detail.get("weights", {})
        shown = " / ".join(f"v{v} {100 * float(weights.get(v, 0.0)):g}%" for v in versions)
        if event.kind == "rollback":
            return when, Cell("rollback", "bad"), Cell(f"{shown} ({detail.get('deployment', '')})")
        return when, Cell("traffic shift"), Cell(shown)
    if event.kind == "alarm":
        tone: Tone = "bad" if detail.get("new") == "ALARM" else "neutral"
        reason = readable_reason(str(detail.get("reason", "")), factors.get(event.subject), start)
        return when, Cell(f"alarm {event.subject}", tone), Cell(f"{detail.get('old')} -> {detail.get('new')}: {reason}")
    if event.kind == "deployment":
        status = str(detail.get("status", ""))
        extra = str(detail.get("message") or detail.get("config") or "")
        return when, Cell(f"deployment {status}", _STATUS_TONE.get(status, "neutral")), Cell(shorten(extra))
    if event.kind in ("hook", "note"):
        text = detail.get("text") or f"{detail.get('lifecycle_event')} hook {detail.get('function')} " \
                                     f"{detail.get('status')}"
        return when, Cell(event.kind), Cell(shorten(str(text)))
    return None


def event_rows(outcome: CanaryOutcome) -> list[tuple[Cell, ...]]:
    """The Events table: shifts, alarm transitions (readable datapoints), deployment states, hooks, notes."""
    versions = (outcome.rollout.old_version, outcome.rollout.new_version)
    factors = {alarm.name: percent_factor(alarm.spec) for alarm in outcome.alarms}
    start = _start_datetime(outcome)
    return [row for e in outcome.events if e.kind not in _HIDDEN
            if (row := _event_row(e, outcome.started_at, versions, factors, start)) is not None]


def _alarm_period(alarms: Sequence[WatchedAlarm], outcome: CanaryOutcome) -> float:
    tick = (outcome.periods[0].end - outcome.periods[0].start) if outcome.periods else 60.0
    return float(max(tick, alarms[0].spec.period)) if alarms else float(tick)


def _thresholds(alarms: Sequence[WatchedAlarm]) -> tuple[tuple[Threshold, ...], set[str], list[str]]:
    """The rate thresholds (labelled with what each alarm compares), whose rates they compare, the others."""
    shown, whose, skipped = [], set(), []
    for alarm in alarms:
        factor, value = percent_factor(alarm.spec), alarm.spec.threshold
        if factor is None or value is None:
            skipped.append(alarm.name)
            continue
        what, who = compared(alarm)
        whose.add(who)
        operator = _OPERATORS.get(alarm.spec.comparison_operator, alarm.spec.comparison_operator)
        name = "alarm" if len(alarms) == 1 else alarm.name
        shown.append(Threshold(value * factor, f"{name}: {what} of {who} {operator} {value * factor:g} %"))
    return tuple(shown), whose, skipped


def _markers(outcome: CanaryOutcome) -> tuple[Marker, ...]:
    markers = [Marker(0.0, "deployment start")]
    back = outcome.rollback_after
    if back is not None:
        markers.append(Marker(back, "rollback", "bad"))
    elif outcome.ended_at is not None:
        markers.append(Marker(outcome.ended_at - outcome.started_at, f"deployment {outcome.status}",
                              _STATUS_TONE.get(outcome.status, "neutral")))
    return tuple(markers)


def _charts(outcome: CanaryOutcome) -> tuple[tuple[Chart, ...], list[tuple[float, float]], list[str]]:
    period = _alarm_period(outcome.alarms, outcome)
    canary, overall = error_rates(outcome, period)
    ends = [p.end for p in outcome.periods] + ([outcome.ended_at] if outcome.ended_at is not None else [])
    end = max([0.0, *(at - outcome.started_at for at in ends)])
    thresholds, whose, skipped = _thresholds(outcome.alarms)
    markers = _markers(outcome)
    new, x_label = outcome.rollout.new_version, "emulated time from the deployment start"
    bands = tuple(alarm_bands(outcome.events, outcome.started_at, end, hold=_MIN_BAND * end))
    rate = Chart("xy", f"Error rate per {period:g} s period", x_label=x_label, y_label="errors (% of requests)",
                 x_is_time=True, thresholds=thresholds, markers=markers, bands=bands,
                 series=(Series(f"version {new} (canary)", tuple(canary), "step",
                                tone="bad" if f"version {new}" in whose else "neutral"),
                         Series("all versions (a function-wide view)", tuple(overall), "step",
                                tone="bad" if ALL_VERSIONS in whose else "neutral")))
    weight = Chart("xy", f"Alias weight of version {new}", x_label=x_label,
                   y_label=f"% of {outcome.rollout.alias}'s traffic", x_is_time=True, y_max=100.0, markers=markers,
                   series=(Series(f"version {new}", tuple(weight_points(outcome, end)), style="step"),),
                   bands=bands)
    notes = [f"alarm {name} does not compare a rate: its threshold is not drawn in %" for name in skipped]
    return (rate, weight), canary, notes


def _who(outcome: CanaryOutcome, function: str) -> str:
    return f"{function or logical_name(outcome.rollout.function)}:{outcome.rollout.alias}"


def _summary(outcome: CanaryOutcome, function: str) -> str:
    r = outcome.rollout
    who = f"Version {r.new_version} of {_who(outcome, function)} failing {100 * r.failure_rate:g}% of its requests"
    back = outcome.rollback_after
    if back is not None:
        return f"{who} was rolled back {mmss(back)} after the deployment started (alarm {outcome.stopped_by})."
    if outcome.status in ("Stopped", "Failed"):
        return f"{who} was {outcome.status.lower()} by alarm {outcome.stopped_by} without a rollback."
    if outcome.succeeded:
        took = "" if outcome.ended_at is None else f" in {mmss(outcome.ended_at - outcome.started_at)}"
        return f"{who} received all the traffic{took}; no alarm stopped it."
    return f"{who}: the deployment is still {outcome.status} at the end of the emulated time."


def _figures(status: str, back: float | None, failure_pct: float | None,
             peak: float | None) -> tuple[Figure, ...]:
    figures = [] if back is None else [Figure("canary.rollback_s", round(back, 1), "s", "rolled back after", "bad")]
    figures.append(Figure("canary.status", status, label="deployment", tone=_STATUS_TONE.get(status, "warn")))
    if failure_pct is not None:
        figures.append(Figure("canary.failure_pct", round(failure_pct, 3), "%", "canary fails"))
    if peak is not None:
        figures.append(Figure("canary.peak_error_pct", round(peak, 2), "%", "peak canary error rate"))
    return tuple(figures)


def _emulated(outcome: CanaryOutcome, function: str) -> Section:
    charts, canary, notes = _charts(outcome)
    peak = max((rate for _, rate in canary), default=None)
    r = outcome.rollout
    notes.insert(0, "times from the deployment start; an alarm's datapoints are stamped with their period's start")
    return Section(
        kind="canary", title=f"Canary deployment of {_who(outcome, function)}, version {r.old_version} -> "
                             f"{r.new_version} ({r.config.name})",
        verdict=_STATUS_TONE.get(outcome.status, "warn"), summary=_summary(outcome, function),
        figures=_figures(outcome.status, outcome.rollback_after, 100 * r.failure_rate, peak),
        tables=(table("Events", ("time", "event", "detail"), event_rows(outcome),
                      note="; ".join(notes)),),
        charts=charts, text=outcome.describe())


def _wallclock(outcome: WallClockOutcome, failure_pct: float | None) -> Section:
    rows = [(Cell(mmss(at)), Cell(f"status {status}", _STATUS_TONE.get(status, "neutral")), Cell(""))
            for at, status in outcome.polls]
    error: dict[str, Any] = outcome.info.get("errorInformation") or {}
    if error:
        rows.append((Cell(mmss(outcome.ended - outcome.started)), Cell(str(error.get("code")), "bad"),
                     Cell(str(error.get("message")))))
    back = outcome.rollback_after
    took = mmss(outcome.ended - outcome.started)
    summary = (f"CodeDeploy deployment {outcome.deployment_id} ended {outcome.status} after {took}"
               + (", rolled back." if back is not None else "."))
    return Section(kind="canary", title=f"CodeDeploy deployment {outcome.deployment_id} (wall clock)",
                   verdict=_STATUS_TONE.get(outcome.status, "warn"), summary=summary,
                   figures=_figures(outcome.status, back, failure_pct, None),
                   tables=(table("Deployment status as polled", ("time from the deployment start", "event", "detail"),
                                 rows),),
                   text=outcome.describe())


def canary_section(outcome: CanaryOutcome | WallClockOutcome, failure_pct: float | None = None,
                   function: str = "") -> Section:
    """The ``canary`` section of an emulated rollout, or of a real deployment polled on the wall clock.

    ``failure_pct`` is the share of requests the new version was told to fail, for a wall-clock outcome
    (an emulated one knows it); ``function`` the function's logical id (default: read from its name).
    """
    from pytest_infra_parity.sim.canary_run import CanaryOutcome

    if isinstance(outcome, CanaryOutcome):
        return _emulated(outcome, function)
    return _wallclock(outcome, failure_pct)
