"""Report evidence of a scaling scenario: the timeline of the slowest seeded run and its stage breakdown.

``scaling_section(kind, runs, scenario, text)`` turns what the scaling controller measured (a
:class:`~pytest_infra_parity.sim.scaling_analysis.RunSet` over the design's seeds and the
:class:`~pytest_infra_parity.sim.scaling_analysis.Scenario` of the slowest run, the one the criterion is
decided on) into the ``scaling`` section:

- a timeline from two minutes before the last request to the end of the run: the requests per second
  the load balancer received (per minute, as its one-minute ``RequestCount`` metric counts them), the
  service's desired and running task counts (``desiredCount``/``runningCount`` of DescribeServices), the
  scaling alarms' ALARM states, and markers for the last request, the service reaching 0 tasks, and the
  first request after the idle window and its first success;
- the stages (medians over the runs) as a stacked bar, as the breakdown step prints them;
- figures: the slowest run's time to 0 tasks (``scaling.zero_after_s``) or to the first success
  (``scaling.first_success_s``), the criterion, and the most tasks the slowest run had.

On the ``aws`` target the wall clock measured only the total: the section then has the text alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from pytest_infra_parity.report.from_canary import alarm_bands
from pytest_infra_parity.report.model import Bar, Chart, Figure, Marker, Section, Series, Tone

if TYPE_CHECKING:
    from pytest_infra_parity.sim.scaling_analysis import RunSet, Scenario
    from pytest_infra_parity.sim.scaling_model import ScalingModel

__all__ = ["BEFORE_LAST_REQUEST", "request_points", "scaling_section", "task_points", "window"]

BEFORE_LAST_REQUEST = 120.0
"""Seconds of traffic the timeline shows before the last request."""
_TITLES = {"scale-to-zero": "Scale to zero after the last request", "scale-up": "Scale-up from zero"}
_FIGURES = {"scale-to-zero": ("scaling.zero_after_s", "to 0 tasks"),
            "scale-up": ("scaling.first_success_s", "to the first success")}


def window(scenario: Scenario) -> tuple[float, float]:
    """The virtual seconds the timeline shows: from shortly before the last request to the end of the run."""
    start = max(0.0, scenario.last_request - BEFORE_LAST_REQUEST)
    return start, max(start, scenario.model.clock.now)


def request_points(model: ScalingModel, start: float, end: float) -> tuple[list[tuple[float, float]],
                                                                            list[tuple[float, float]]]:
    """Requests/s and 5xx/s per minute (step points from each minute's start), relative to ``start``."""
    ok: dict[int, int] = defaultdict(int)
    errors: dict[int, int] = defaultdict(int)
    for piece in model.slices:
        minute = math.floor(piece.start / 60.0 + 1e-9)
        ok[minute] += piece.ok
        errors[minute] += piece.errors
    first, last = math.floor(start / 60.0), max(math.floor(start / 60.0) + 1, math.ceil(end / 60.0))
    rates, failures = [], []
    for minute in range(first, last):
        at = max(0.0, minute * 60.0 - start)
        rates.append((at, (ok[minute] + errors[minute]) / 60.0))
        failures.append((at, errors[minute] / 60.0))
    rates.append((end - start, rates[-1][1]))
    failures.append((end - start, failures[-1][1]))
    return rates, failures


def task_points(model: ScalingModel, start: float, end: float) -> tuple[list[tuple[float, float]],
                                                                         list[tuple[float, float]]]:
    """Desired and running tasks as step points relative to ``start`` (the count in force at ``start`` first)."""
    before = [s for s in model.samples if s.at <= start]
    inside = [s for s in model.samples if start < s.at <= end]
    desired, running = [], []
    for sample in before[-1:] + inside:
        at = max(0.0, sample.at - start)
        desired.append((at, float(sample.desired)))
        running.append((at, float(sample.running)))
    if desired:
        desired.append((end - start, desired[-1][1]))
        running.append((end - start, running[-1][1]))
    return desired, running


def _markers(scenario: Scenario, start: float) -> tuple[Marker, ...]:
    model = scenario.model
    markers = [Marker(scenario.last_request - start, "last request")]
    zero = model.first_time(lambda s: s.desired == 0 and s.running == 0, scenario.last_request)
    if zero is not None:
        markers.append(Marker(zero - start, "0 tasks", "good"))
    if scenario.first_request is not None:
        markers.append(Marker(scenario.first_request - start, "first request after idle"))
        success = model.first_success(scenario.first_request)
        if success is not None:
            markers.append(Marker(success - start, "first success", "good"))
    return tuple(markers)


def timeline_chart(scenario: Scenario) -> Chart:
    """Requests/s (left), desired/running tasks (right), scaling alarms in ALARM, and the moments that matter."""
    from pytest_infra_parity.sim.scaling_timeline import short_alarm_names

    model = scenario.model
    start, end = window(scenario)
    rates, failures = request_points(model, start, end)
    desired, running = task_points(model, start, end)
    acting = [w.name for w in model.alarms.watched if w.actions("ALARM")]
    series = [Series("requests/s", tuple(rates), style="step"),
              Series("desired tasks", tuple(desired), style="step", axis="right", tone="warn"),
              Series("running tasks", tuple(running), style="step", axis="right", tone="good")]
    if any(value for _, value in failures):
        series.insert(1, Series("5xx/s (no healthy target)", tuple(failures), style="step", tone="bad"))
    return Chart("xy", f"Timeline of the slowest run (seed {scenario.seed})",
                 x_label="time from 2 minutes before the last request", y_label="requests per second",
                 y2_label="tasks", x_is_time=True, series=tuple(series), markers=_markers(scenario, start),
                 bands=tuple(alarm_bands(model.clock.timeline.events, start, end - start, short_alarm_names(acting),
                                         tones=("bad", "warn", "neutral"))))


def _stages_chart(runs: RunSet) -> Chart | None:
    from pytest_infra_parity.sim.scaling_analysis import UP_STAGES, ZERO_STAGES

    names = [*(UP_STAGES if runs.kind == "scale-up" else ZERO_STAGES), "served by a running task"]
    bars = tuple(Bar(name, round(value, 1)) for name in names if (value := runs.stage_median(name)) is not None)
    if sum(bar.value for bar in bars) <= 0:
        return None  # served at once by a running task: no stage to show
    return Chart("stacked", f"Stages, median over {len(runs.runs)} seeded runs", x_label="seconds", bars=bars)


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
    charts = [] if scenario is None else [timeline_chart(scenario)]
    stages = _stages_chart(runs)
    if stages is not None:
        charts.append(stages)
    return Section(kind="scaling", title=title, verdict="good" if runs.meets else "bad", summary=summary,
                   figures=_figures(kind, runs, scenario), charts=tuple(charts), text=text)
