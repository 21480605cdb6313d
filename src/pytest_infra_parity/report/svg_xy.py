"""The ``xy`` chart: series over a numeric (or time) x axis, with thresholds, markers and shaded bands."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytest_infra_parity.report.svg_style import (
    INK,
    MUTED,
    draw_markers,
    finite_points,
    min_max_decimate,
    neutral_colour,
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

__all__ = ["CleanSeries", "clean_series", "draw_xy"]

_BAND_ALPHA = 0.18


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
    if style == "step":
        return ax.step(item.xs, item.ys, where="post", color=item.colour, linestyle=item.dashes, linewidth=1.5,
                       label=name, gid=gid, zorder=3)[0]
    if style == "scatter":
        return ax.scatter(item.xs, item.ys, s=10, color=item.colour, label=name, gid=gid, zorder=3,
                          linewidths=0)
    if style == "bar":
        gaps = [b - a for a, b in zip(item.xs[:-1], item.xs[1:], strict=True) if b > a]
        width = 0.8 * min(gaps) if gaps else 0.8
        bars = ax.bar(item.xs, item.ys, width=width, color=item.colour, label=name, zorder=2, alpha=0.85)
        return bars.patches[0]  # no gid: matplotlib would give every bar the same id
    return ax.plot(item.xs, item.ys, color=item.colour, linestyle=item.dashes, linewidth=1.5, label=name,
                   gid=gid, zorder=3)[0]


def _draw_bands(ax: Axes, bands: tuple[Band, ...]) -> list[tuple[Artist, str]]:
    legend: list[tuple[Artist, str]] = []
    seen: set[str] = set()
    finite = [band for band in bands if math.isfinite(band.start) and math.isfinite(band.end)]
    for index, band in enumerate(finite):
        patch = ax.axvspan(band.start, band.end, color=tone_colour(band.tone), alpha=_BAND_ALPHA, linewidth=0,
                           zorder=1, gid=f"ipp-band-{index}")
        if band.label and band.label not in seen:
            seen.add(band.label)
            legend.append((patch, band.label))
    return legend


def _draw_thresholds(axes: dict[str, Axes], thresholds: tuple[Threshold, ...]) -> None:
    for index, threshold in enumerate(t for t in thresholds if math.isfinite(t.value)):
        ax = axes[threshold.axis]
        ax.axhline(threshold.value, color=MUTED, linestyle=(0, (5, 3)), linewidth=1.1, zorder=2,
                   gid=f"ipp-threshold-{index}")
        ax.annotate(threshold.label, xy=(1.0, threshold.value), xycoords=ax.get_yaxis_transform(),
                    xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom", fontsize=7.5,
                    color=MUTED, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def _x_range(chart: Chart, cleaned: list[CleanSeries]) -> tuple[float, float]:
    values = [float(v) for item in cleaned for v in (item.xs.min(), item.xs.max())]
    values += [v for b in chart.bands for v in (b.start, b.end) if math.isfinite(v)]
    values += [m.at for m in chart.markers if math.isfinite(m.at)]
    return min(values), max(values)


def _y_limits(ax: Axes, cleaned: list[CleanSeries], axis: str, y_max: float | None) -> None:
    lows = [float(item.ys.min()) for item in cleaned if item.series.axis == axis]
    if lows and min(lows) >= 0:
        ax.set_ylim(bottom=0)
    if y_max is not None and math.isfinite(y_max) and y_max > ax.get_ylim()[0]:
        ax.set_ylim(top=y_max)


def draw_xy(fig: Figure, chart: Chart, cleaned: list[CleanSeries]) -> None:
    """Draw an ``xy`` chart of ``cleaned`` series (at least one) on ``fig``."""
    ax = fig.add_subplot()
    needs_right = any(i.series.axis == "right" for i in cleaned) or any(t.axis == "right" for t in chart.thresholds)
    axes = {"left": ax, "right": ax.twinx() if needs_right else ax}
    handles: list[tuple[Artist, str]] = [
        (_draw_series(axes[item.series.axis], item, index), item.series.name) for index, item in enumerate(cleaned)
    ]
    handles += _draw_bands(ax, chart.bands)
    _draw_thresholds(axes, chart.thresholds)
    low, high = _x_range(chart, cleaned)
    if chart.x_is_time:
        set_time_axis(ax, low, high)
    draw_markers(ax, chart.markers, low, high)
    _y_limits(ax, cleaned, "left", chart.y_max)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    if needs_right:
        _y_limits(axes["right"], cleaned, "right", None)
        axes["right"].set_ylabel(chart.y2_label)
        axes["right"].spines["right"].set_visible(True)
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
