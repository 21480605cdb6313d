"""The ``gantt`` chart: one row per lane, spans as bars, points as diamonds, labels that never overlap.

A span's label goes inside its bar when it fits, else just after the bar when the lane is free there,
else inside shortened with an ellipsis, else nowhere; every span also carries a hover tooltip (an SVG
``<title>``) with its lane, full label and times, so nothing is lost when a label had to be dropped.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pytest_infra_parity.report.svg_bars import CHAR_POINTS, LABEL_SIZE, tick_size
from pytest_infra_parity.report.svg_style import (
    INK,
    axes_width_points,
    draw_markers,
    format_time,
    set_time_axis,
    short_times,
    text_colour_on,
    tone_colour,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pytest_infra_parity.report.model import Chart, Span

__all__ = ["draw_gantt", "finite_spans", "lanes", "place_labels"]

_OUTSIDE_GAP = 5.0
"""Points between a bar's end and a label written after it."""
_MIN_SHORTENED = 4
"""A label shortened to fit its bar keeps at least this many characters (ellipsis included)."""


def finite_spans(chart: Chart) -> list[Span]:
    """The chart's spans whose start and end are finite numbers."""
    return [span for span in chart.spans if math.isfinite(span.start) and math.isfinite(span.end)]


def lanes(spans: list[Span]) -> list[str]:
    """The gantt's lanes, in the order they are first seen."""
    return list(dict.fromkeys(span.lane for span in spans))


def _bounds(span: Span) -> tuple[float, float]:
    return min(span.start, span.end), max(span.start, span.end)


def _room_after(span: Span, others: list[Span]) -> float:
    """How far the lane is free after ``span``'s end (up to the next span reaching beyond it)."""
    high = _bounds(span)[1]
    starts = [max(_bounds(other)[0], high) for other in others if other is not span and _bounds(other)[1] > high]
    return min(starts, default=math.inf) - high


def place_labels(spans: list[Span], data_per_point: float) -> dict[int, tuple[str, bool]]:
    """Where each span's label goes: ``{index: (text, inside)}``; a span missing from it shows no label."""
    def width(text: str) -> float:
        return (len(text) * CHAR_POINTS + 6) * data_per_point

    placed: dict[int, tuple[str, bool]] = {}
    by_lane: dict[str, list[tuple[int, Span]]] = {}
    for index, span in enumerate(spans):
        by_lane.setdefault(span.lane, []).append((index, span))
    for items in by_lane.values():
        items.sort(key=lambda item: _bounds(item[1]))
        lane_spans = [span for _, span in items]
        busy = -math.inf
        for index, span in items:
            low, high = _bounds(span)
            if not span.label:
                continue
            if high - low >= width(span.label):
                placed[index], busy = (span.label, True), max(busy, high)
            elif high >= busy and _room_after(span, lane_spans) >= width(span.label) + _OUTSIDE_GAP * data_per_point:
                placed[index] = (span.label, False)
                busy = high + width(span.label) + _OUTSIDE_GAP * data_per_point
            elif (keep := int(((high - low) / data_per_point - 6) / CHAR_POINTS)) >= _MIN_SHORTENED:
                placed[index], busy = (span.label[:keep - 1] + "\u2026", True), max(busy, high)
    return placed


def _clock(seconds: float) -> str:
    """``mm:ss`` under an hour, ``h:mm:ss`` beyond (a tooltip is exact, unlike an axis tick)."""
    if abs(seconds) < 3600:
        return format_time(seconds, hours=False)
    sign, whole = ("-" if seconds < 0 else ""), round(abs(seconds))
    return f"{sign}{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _short_clock(seconds: float) -> str:
    """``0.35 s``: a time on a chart spanning a few seconds (see :func:`~.svg_style.short_times`)."""
    return f"{round(seconds, 2) + 0.0:.2f} s"


def _tooltip(span: Span, time: bool, short: bool = False) -> str:
    what = f"{span.lane}: {span.label}" if span.label else span.lane
    shown = (_short_clock if short else _clock) if time else (lambda value: f"{value:.4g}")
    if span.start == span.end:
        return f"{what} at {shown(span.start)}"
    duration = f", {abs(span.end - span.start):.3g} s" if time else ""
    return f"{what} ({shown(span.start)} to {shown(span.end)}{duration})"


def _draw_spans(ax: Axes, spans: list[Span], row_of: dict[str, int]) -> None:
    long = [(index, span) for index, span in enumerate(spans) if span.end != span.start]
    drawn = ax.barh([row_of[s.lane] for _, s in long], [s.end - s.start for _, s in long],
                    left=[s.start for _, s in long], height=0.6, color=[tone_colour(s.tone) for _, s in long],
                    zorder=2)
    for patch, (index, _) in zip(drawn.patches, long, strict=True):
        patch.set_gid(f"ipp-span-{index}")
    for index, span in enumerate(spans):
        if span.end == span.start:
            ax.plot([span.start], [row_of[span.lane]], marker="D", markersize=7, color=tone_colour(span.tone),
                    markeredgecolor="white", markeredgewidth=0.6, linestyle="none", gid=f"ipp-span-{index}",
                    zorder=3)


def _draw_labels(ax: Axes, spans: list[Span], row_of: dict[str, int], data_per_point: float) -> None:
    for index, (text, inside) in place_labels(spans, data_per_point).items():
        span = spans[index]
        low, high = _bounds(span)
        row = row_of[span.lane]
        if inside:
            ax.text((low + high) / 2, row, text, ha="center", va="center", fontsize=LABEL_SIZE,
                    color=text_colour_on(tone_colour(span.tone)), zorder=4)
        else:
            ax.annotate(text, xy=(high, row), xytext=(_OUTSIDE_GAP, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=LABEL_SIZE, color=INK, zorder=4)


def draw_gantt(fig: Figure, chart: Chart, spans: list[Span]) -> dict[str, str]:
    """Draw the lanes of ``spans`` (first-seen order, top to bottom); returns the spans' tooltips by id."""
    ax = fig.add_subplot()
    names = lanes(spans)
    row_of = {name: row for row, name in enumerate(names)}
    marks = [m.at for m in chart.markers if math.isfinite(m.at)]
    low = min([_bounds(s)[0] for s in spans] + marks)
    high = max([_bounds(s)[1] for s in spans] + marks)
    _draw_spans(ax, spans, row_of)
    ax.set_yticks(range(len(names)), names, fontsize=tick_size(len(names)))
    ax.set_ylim(len(names) - 0.4, -1.5 if chart.markers else -0.6)
    ax.margins(x=0.08)
    _draw_labels(ax, spans, row_of, max(high - low, 1e-9) * 1.16 / axes_width_points(ax))
    if chart.x_is_time:
        set_time_axis(ax, low, high)
    draw_markers(ax, chart.markers)
    ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    short = short_times(low, high)
    return {f"ipp-span-{index}": _tooltip(span, chart.x_is_time, short) for index, span in enumerate(spans)}
