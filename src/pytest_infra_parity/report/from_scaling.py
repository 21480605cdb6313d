"""Report evidence of a scaling scenario: the timeline of the slowest seeded run and its stage breakdown.

``scaling_section(kind, runs, scenario, text)`` turns what the scaling controller measured (a
:class:`~pytest_infra_parity.sim.scaling_analysis.RunSet` over the design's seeds and the
:class:`~pytest_infra_parity.sim.scaling_analysis.Scenario` of the slowest run, the one the criterion is
decided on) into the ``scaling`` section:

- a timeline whose time 0 is the last request (scale to zero) or the first request after the idle
  window (scale-up), from two minutes before it to the end of the run (a scale-up: one minute after its
  first success): the requests per second the load balancer received (per minute, as its one-minute
  ``RequestCount`` metric counts them), the service's desired and running task counts
  (``desiredCount``/``runningCount`` of DescribeServices), the scaling alarms' ALARM states (overlapping
  ones hatched apart), markers for the last request and the service reaching 0 tasks (or the first
  request and its first success), the criterion as a marker, and the overshoot past it shaded ``bad``;
- the stages (medians over the runs) as a stacked bar with the criterion, as the breakdown step prints them;
- figures: the slowest run's time to 0 tasks (``scaling.zero_after_s``) or to the first success
  (``scaling.first_success_s``), the criterion, and the most tasks the slowest run had.

On the ``aws`` target the wall clock measured only the total: the section then has the text alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytest_infra_parity.report.from_canary import alarm_bands
from pytest_infra_parity.report.model import Band, Bar, Chart, Figure, Marker, Section, Series, Tone

if TYPE_CHECKING:
    from pytest_infra_parity.sim.scaling_analysis import RunSet, Scenario
    from pytest_infra_parity.sim.scaling_model import ScalingModel

__all__ = ["AFTER_SUCCESS", "BEFORE_LAST_REQUEST", "Window", "request_points", "scaling_section", "task_points",
           "timeline_chart", "window"]

BEFORE_LAST_REQUEST = 120.0
"""Seconds the timeline shows before its time 0 (the last request, or the first request after idle)."""
AFTER_SUCCESS = 60.0
"""Seconds a scale-up timeline shows after the first success."""
_TITLES = {"scale-to-zero": "Scale to zero after the last request", "scale-up": "Scale-up from zero"}
_FIGURES = {"scale-to-zero": ("scaling.zero_after_s", "to 0 tasks"),
            "scale-up": ("scaling.first_success_s", "to the first success")}
_ALARM_TONES: tuple[Tone, ...] = ("warn", "neutral")
"""The scaling alarms' ALARM bands (overlapping ones are also hatched); ``bad`` is the criterion's overshoot."""


@dataclass(frozen=True)
class Window:
    """The virtual seconds a timeline shows (``start`` to ``end``) and its time 0 (``origin``)."""

    start: float
    end: float
    origin: float


def reached(scenario: Scenario) -> float | None:
    """When the scenario got where it measures: 0 tasks after the last request, or the first success."""
    model = scenario.model
    if scenario.first_request is not None:
        return model.first_success(scenario.first_request)
    return model.first_time(lambda s: s.desired == 0 and s.running == 0, scenario.last_request)


def window(scenario: Scenario) -> Window:
    """What the timeline shows: time 0 at the last request (scale to zero) or at the first request after
    idle (scale-up), from two minutes before it to the end of the run (a scale-up: a minute after its
    first success)."""
    end = scenario.model.clock.now
    origin = scenario.last_request if scenario.first_request is None else scenario.first_request
    if scenario.first_request is not None and (success := reached(scenario)) is not None:
        end = min(end, success + AFTER_SUCCESS)
    start = max(0.0, origin - BEFORE_LAST_REQUEST)
    return Window(start, max(start, end), origin)


def request_points(model: ScalingModel, shown: Window) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Requests/s and 5xx/s per minute (step points from each minute's start, at most the window's start),
    in seconds from the window's origin."""
    ok: dict[int, int] = defaultdict(int)
    errors: dict[int, int] = defaultdict(int)
    for piece in model.slices:
        minute = math.floor(piece.start / 60.0 + 1e-9)
        ok[minute] += piece.ok
        errors[minute] += piece.errors
    first = math.floor(shown.start / 60.0)
    last = max(first + 1, math.ceil(shown.end / 60.0))
    rates, failures = [], []
    for minute in range(first, last):
        at = max(shown.start, minute * 60.0) - shown.origin
        rates.append((at, (ok[minute] + errors[minute]) / 60.0))
        failures.append((at, errors[minute] / 60.0))
    rates.append((shown.end - shown.origin, rates[-1][1]))
    failures.append((shown.end - shown.origin, failures[-1][1]))
    return rates, failures


def task_points(model: ScalingModel, shown: Window) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Desired and running tasks as step points from the window's origin (the count in force at its start first)."""
    before = [s for s in model.samples if s.at <= shown.start]
    inside = [s for s in model.samples if shown.start < s.at <= shown.end]
    desired, running = [], []
    for sample in before[-1:] + inside:
        at = max(shown.start, sample.at) - shown.origin
        desired.append((at, float(sample.desired)))
        running.append((at, float(sample.running)))
    if desired:
        desired.append((shown.end - shown.origin, desired[-1][1]))
        running.append((shown.end - shown.origin, running[-1][1]))
    return desired, running


def _markers(scenario: Scenario, shown: Window, criterion: float | None) -> tuple[Marker, ...]:
    origin, done = shown.origin, reached(scenario)
    late = done is not None and criterion is not None and done - origin > criterion
    if scenario.first_request is None:
        moments: list[tuple[float | None, str, Tone]] = [(scenario.last_request, "last request", "neutral"),
                                                         (done, "0 tasks", "bad" if late else "good")]
    else:
        moments = [(scenario.first_request, "first request after idle", "neutral"),
                   (done, "first success", "bad" if late else "good")]
    markers = [Marker(at - origin, label, tone) for at, label, tone in moments
               if at is not None and shown.start <= at <= shown.end]
    if criterion is not None:
        markers.append(Marker(criterion, f"criterion {criterion:g} s", "warn"))
    return tuple(markers)


def _overshoot(scenario: Scenario, shown: Window, criterion: float | None) -> list[Band]:
    """The band from the criterion to the moment it was reached, when that is later (the overshoot)."""
    done = reached(scenario)
    if criterion is None or done is None or done - shown.origin <= criterion:
        return []
    over = done - shown.origin - criterion
    return [Band(criterion, done - shown.origin, f"over the criterion (+{over:.0f} s)", "bad")]


def timeline_chart(scenario: Scenario, criterion: float | None = None) -> Chart:
    """Requests/s (left), desired/running tasks (right), scaling alarms in ALARM, the moments that matter,
    and the criterion (with the overshoot shaded when the run took longer)."""
    from pytest_infra_parity.sim.scaling_timeline import short_alarm_names

    model = scenario.model
    shown = window(scenario)
    rates, failures = request_points(model, shown)
    desired, running = task_points(model, shown)
    acting = [w.name for w in model.alarms.watched if w.actions("ALARM")]
    series = [Series("requests/s", tuple(rates), style="step"),
              Series("desired tasks", tuple(desired), style="step", axis="right", tone="warn"),
              Series("running tasks", tuple(running), style="step", axis="right", tone="good")]
    if any(value for _, value in failures):
        series.insert(1, Series("5xx/s (no healthy target)", tuple(failures), style="step", tone="bad"))
    alarms = alarm_bands(model.clock.timeline.events, shown.origin, shown.end - shown.origin,
                         short_alarm_names(acting), tones=_ALARM_TONES, begin=shown.start - shown.origin)
    zero = "the last request" if scenario.first_request is None else "the first request after idle"
    return Chart("xy", f"Timeline of the slowest run (seed {scenario.seed})", x_label=f"time from {zero}",
                 y_label="requests per second", y2_label="tasks", x_is_time=True, series=tuple(series),
                 markers=_markers(scenario, shown, criterion),
                 bands=(*alarms, *_overshoot(scenario, shown, criterion)))


def _stages_chart(runs: RunSet) -> Chart | None:
    from pytest_infra_parity.sim.scaling_analysis import UP_STAGES, ZERO_STAGES

    names = [*(UP_STAGES if runs.kind == "scale-up" else ZERO_STAGES), "served by a running task"]
    bars = tuple(Bar(name, round(value, 1)) for name in names if (value := runs.stage_median(name)) is not None)
    if sum(bar.value for bar in bars) <= 0:
        return None  # served at once by a running task: no stage to show
    return Chart("stacked", f"Stages, median over {len(runs.runs)} seeded runs", x_label="seconds", bars=bars,
                 markers=(Marker(runs.criterion, f"criterion {runs.criterion:g} s", "warn"),))


def _figures(kind: str, runs: RunSet, scenario: Scenario | None) -> tuple[Figure, ...]:
    name, label = _FIGURES[kind]
    figures = []
    if runs.worst is not None:
        tone: Tone = "good" if runs.worst <= runs.criterion else "bad"
        figures.append(Figure(name, round(runs.worst, 1), "s", f"{label}, slowest of {len(runs.runs)} runs", tone))
    elif runs.unfinished:
        figures.append(Figure("scaling.unfinished_runs", runs.unfinished, label="runs that never got there",
                              tone="bad"))
    figures.append(Figure("scaling.criterion_s", round(runs.criterion, 1), "s", "criterion"))
    if scenario is not None and scenario.model.samples:
        most = max(max(s.desired, s.running) for s in scenario.model.samples)
        figures.append(Figure("scaling.tasks_max", most, label="most tasks, slowest run"))
    return tuple(figures)


def scaling_section(kind: str, runs: RunSet | None, scenario: Scenario | None, text: str = "",
                    design: str = "") -> Section:
    """The ``scaling`` section of a ``scale-to-zero`` or ``scale-up`` measurement (see the module docstring)."""
    title = _TITLES.get(kind, kind) + (f" ({design})" if design else "")
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    summary = first_line[:1].upper() + first_line[1:]
    if runs is None:
        return Section(kind="scaling", title=title, summary=summary, text=text)
    charts = [] if scenario is None else [timeline_chart(scenario, runs.criterion)]
    stages = _stages_chart(runs)
    if stages is not None:
        charts.append(stages)
    return Section(kind="scaling", title=title, verdict="good" if runs.meets else "bad", summary=summary,
                   figures=_figures(kind, runs, scenario), charts=tuple(charts), text=text)
