"""The ``xy`` chart: series over a numeric (or time) x axis, with thresholds, markers and shaded bands."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.report.svg_style import (
    INK,
    MUTED,
    axes_height_points,
    axes_width_points,
    draw_markers,
    finite_points,
    label_width,
    min_max_decimate,
    neutral_colour,
    overlaps,
    set_time_axis,
    tone_colour,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pytest_infra_parity.report.model import Band, Chart, Series, Threshold
    from pytest_infra_parity.report.svg_style import Box

__all__ = ["MARKED_LINE_POINTS", "CleanSeries", "clean_series", "draw_xy"]

_BAND_ALPHA = 0.18
_HATCHES = ("", "//", "\\\\", "xx", "..")
"""Overlapping bands of different labels (two alarms in ALARM at once) differ by hatch, not only by colour."""
_LABEL_SIZE = 7.5
_NORMAL, _BOLD = 1.5, 2.3
"""Line widths: a ``bad`` series (what an alarm compares, failures) is drawn bolder."""
_HEAD_ROOM = 0.1
MARKED_LINE_POINTS = 20
"""A ``line`` series of at most this many points marks each point (measurements, not a dense signal)."""


@dataclass(frozen=True)
class CleanSeries:
    """A series ready to draw: finite points only, decimated when long, with its colour."""

    series: Series
    xs: npt.NDArray[np.float64]
    ys: npt.NDArray[np.float64]
    colour: str
    dashes: str


def clean_series(chart: Chart) -> list[CleanSeries]:
    """The chart's series with at least one finite point, NaN/inf dropped, min/max-decimated, coloured."""
    out: list[CleanSeries] = []
    neutral = 0
    for series in chart.series:
        xs, ys = finite_points(series.points)
        if not len(xs):
            continue
        xs, ys = min_max_decimate(xs, ys)
        if series.tone == "neutral":
            colour, dashes = neutral_colour(neutral), ("-", "--", ":")[neutral // 6 % 3]
            neutral += 1
        else:
            colour, dashes = tone_colour(series.tone), "-"
        out.append(CleanSeries(series, xs, ys, colour, dashes))
    return out


def _draw_series(ax: Axes, item: CleanSeries, index: int) -> Artist:
    style, gid, name = item.series.style, f"ipp-series-{index}", item.series.name
    width = _BOLD if item.series.tone == "bad" else _NORMAL
    if style == "step":
        return ax.step(item.xs, item.ys, where="post", color=item.colour, linestyle=item.dashes, linewidth=width,
                       label=name, gid=gid, zorder=3)[0]
    if style == "scatter":
        return ax.scatter(item.xs, item.ys, s=26, color=item.colour, label=name, gid=gid, zorder=3, linewidths=0,
                          clip_on=False)
    if style == "bar":
        gaps = [b - a for a, b in zip(item.xs[:-1], item.xs[1:], strict=True) if b > a]
        bar_width = 0.8 * min(gaps) if gaps else 0.8
        bars = ax.bar(item.xs, item.ys, width=bar_width, color=item.colour, label=name, zorder=2, alpha=0.85)
        return bars.patches[0]  # no gid: matplotlib would give every bar the same id
    marker = "o" if len(item.xs) <= MARKED_LINE_POINTS else None  # few points: measurements, show each one
    return ax.plot(item.xs, item.ys, color=item.colour, linestyle=item.dashes, linewidth=width, label=name,
                   gid=gid, zorder=3, marker=marker, markersize=4.5, clip_on=marker is None)[0]


def _hatches(bands: list[Band]) -> dict[str, str]:
    """A hatch per band label: the labels whose bands overlap another label's get one each (the first none)."""
    crossing = [a.label for a in bands for b in bands
                if a.label != b.label and a.start < b.end and b.start < a.end]
    ordered = [label for label in dict.fromkeys(band.label for band in bands) if label in crossing]
    return {label: _HATCHES[index % len(_HATCHES)] for index, label in enumerate(ordered)}


def _draw_bands(ax: Axes, bands: tuple[Band, ...]) -> list[tuple[Artist | tuple[Artist, ...], str]]:
    """Shaded bands; a band overlapping one of another label is hatched too (lines drawn by a second patch
    without fill: the SVG backend would give the hatch the fill's transparency). One legend entry a label."""
    from matplotlib.colors import to_rgba

    legend: list[tuple[Artist | tuple[Artist, ...], str]] = []
    seen: set[str] = set()
    finite = [band for band in bands if math.isfinite(band.start) and math.isfinite(band.end)]
    hatches = _hatches(finite)
    for index, band in enumerate(finite):
        colour = tone_colour(band.tone)
        hatch = hatches.get(band.label, "")
        patch: Artist = ax.axvspan(band.start, band.end, facecolor=to_rgba(colour, _BAND_ALPHA / (2 if hatch else 1)),
                                   linewidth=0, zorder=1, gid=f"ipp-band-{index}")
        entry: Artist | tuple[Artist, ...] = patch
        if hatch:
            lines = ax.axvspan(band.start, band.end, facecolor="none", edgecolor=to_rgba(colour, 0.5), hatch=hatch,
                               linewidth=0, zorder=1)
            entry = (patch, lines)
        if band.label and band.label not in seen:
            seen.add(band.label)
            legend.append((entry, band.label))
    return legend


def _draw_threshold_lines(axes: dict[str, Axes], thresholds: list[Threshold]) -> None:
    for index, threshold in enumerate(thresholds):
        axes[threshold.axis].axhline(threshold.value, color=MUTED, linestyle=(0, (5, 3)), linewidth=1.1, zorder=2,
                                     gid=f"ipp-threshold-{index}")


def _crosses(ax: Axes, item: CleanSeries, box: Box) -> bool:
    """Whether the drawn series ``item`` (on ``ax``) passes through ``box`` (axes fractions)."""
    import numpy as np

    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    x0, x1 = (x_low + f * (x_high - x_low) for f in box[:2])
    y0, y1 = (y_low + f * (y_high - y_low) for f in box[2:])
    xs, ys = item.xs, item.ys
    values = list(ys[(xs >= x0) & (xs <= x1)])
    if item.series.style == "step":
        values += [float(ys[i]) for x in (x0, x1) if (i := int(np.searchsorted(xs, x, side="right")) - 1) >= 0]
    elif item.series.style != "scatter":
        values += [float(np.interp(x, xs, ys)) for x in (x0, x1) if xs[0] <= x <= xs[-1]]
    if not values:
        return False
    joined = item.series.style != "scatter" and min(values) < y0 and max(values) > y1
    return joined or any(y0 <= value <= y1 for value in values)


def _label_thresholds(axes: dict[str, Axes], thresholds: list[Threshold], cleaned: list[CleanSeries]) -> list[Box]:
    """Label each threshold line at the right end above it, else below it, else at the left end (above, then
    below): the first place inside the plot that meets no other threshold's label and, if possible, no
    series. Returns the labels' boxes (axes fractions), for the markers' labels to avoid."""
    ax = axes["left"]
    width, height = axes_width_points(ax), axes_height_points(ax)
    tall, gap = (_LABEL_SIZE + 2) / height, 2 / height
    candidates = [(right, above) for right in (True, False) for above in (True, False)]
    placed: list[Box] = []
    for threshold in thresholds:
        axis = axes[threshold.axis]
        low, high = axis.get_ylim()
        level = (threshold.value - low) / ((high - low) or 1.0)
        wide = label_width(threshold.label, _LABEL_SIZE, width) * 1.1
        boxes: list[Box] = [((1 - wide if right else 0.0), (1.0 if right else wide),
                             level + gap if above else level - gap - tall, level + gap + tall if above else level - gap)
                            for right, above in candidates]
        scores = [1000 * (box[2] < -0.01 or box[3] > 1.01) + 100 * any(overlaps(box, other) for other in placed)
                  + sum(_crosses(axes[item.series.axis], item, box) for item in cleaned) for box in boxes]
        chosen = scores.index(min(scores))
        right, above = candidates[chosen]
        placed.append(boxes[chosen])
        axis.annotate(threshold.label, xy=(1.0 if right else 0.0, threshold.value), xycoords=axis.get_yaxis_transform(),
                      xytext=(-3 if right else 3, 2 if above else -2), textcoords="offset points",
                      ha="right" if right else "left", va="bottom" if above else "top", fontsize=_LABEL_SIZE,
                      color=MUTED, zorder=6,
                      bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    return placed


def _x_range(chart: Chart, cleaned: list[CleanSeries]) -> tuple[float, float]:
    values = [float(v) for item in cleaned for v in (item.xs.min(), item.xs.max())]
    values += [v for b in chart.bands for v in (b.start, b.end) if math.isfinite(v)]
    values += [m.at for m in chart.markers if math.isfinite(m.at)]
    return min(values), max(values)


def _y_limits(ax: Axes, cleaned: list[CleanSeries], thresholds: list[Threshold], axis: str,
              y_max: float | None) -> None:
    """From 0 when nothing is negative, with head room above the highest value (a step at its top stays
    off the border), up to ``y_max`` when given; integer ticks when every value of the axis is an integer."""
    from matplotlib.ticker import MaxNLocator

    ys = [item.ys for item in cleaned if item.series.axis == axis]
    values = [float(v) for array in ys for v in (array.min(), array.max())]
    values += [t.value for t in thresholds if t.axis == axis]
    if not values:
        return
    bottom = 0.0 if min(values) >= 0 else ax.get_ylim()[0]
    if y_max is not None and math.isfinite(y_max) and y_max > bottom:
        ax.set_ylim(bottom, y_max)
    else:
        top = max(values)
        ax.set_ylim(bottom, top + _HEAD_ROOM * (top - bottom) if top > bottom else bottom + 1.0)
    if ys and all(float(v).is_integer() for array in ys for v in array):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))


def draw_xy(fig: Figure, chart: Chart, cleaned: list[CleanSeries]) -> None:
    """Draw an ``xy`` chart of ``cleaned`` series (at least one) on ``fig``."""
    ax = fig.add_subplot()
    thresholds = [t for t in chart.thresholds if math.isfinite(t.value)]
    needs_right = any(i.series.axis == "right" for i in cleaned) or any(t.axis == "right" for t in thresholds)
    axes = {"left": ax, "right": ax.twinx() if needs_right else ax}
    handles: list[tuple[Any, str]] = [  # an artist, or a tuple of artists drawn over each other (HandlerTuple)
        (_draw_series(axes[item.series.axis], item, index), item.series.name) for index, item in enumerate(cleaned)
    ]
    handles += _draw_bands(ax, chart.bands)
    _draw_threshold_lines(axes, thresholds)
    low, high = _x_range(chart, cleaned)
    if chart.x_is_time:
        set_time_axis(ax, low, high)
    _y_limits(ax, cleaned, thresholds, "left", chart.y_max)
    if needs_right:
        _y_limits(axes["right"], cleaned, thresholds, "right", None)
        axes["right"].set_ylabel(chart.y2_label)
        axes["right"].spines["right"].set_visible(True)
    draw_markers(ax, chart.markers, taken=_label_thresholds(axes, thresholds, cleaned),
                 avoid=lambda box: sum(_crosses(axes[item.series.axis], item, box) for item in cleaned))
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    ax.grid(True, axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(handles) > 1 or chart.bands:
        fig.legend([h for h, _ in handles], [label for _, label in handles], loc="outside lower center",
                   ncols=_legend_columns([label for _, label in handles]), frameon=False, fontsize=8,
                   labelcolor=INK)


def _legend_columns(labels: list[str]) -> int:
    """Columns that fit the chart's width (about 110 characters at the legend's size): long labels get fewer."""
    longest = max((len(label) for label in labels), default=1)
    return max(1, min(len(labels), 5, 110 // (longest + 6)))
