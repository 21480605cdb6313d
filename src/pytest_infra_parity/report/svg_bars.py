"""The bar charts: ``bars`` (one horizontal bar per value, grouped) and ``stacked`` (one bar of segments)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from pytest_infra_parity.report.model import MONEY_UNITS
from pytest_infra_parity.report.svg_style import (
    INK,
    MUTED,
    axes_width_points,
    draw_markers,
    label_width,
    neutral_colour,
    text_colour_on,
    tone_colour,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pytest_infra_parity.report.model import Bar, Chart

__all__ = ["CHAR_POINTS", "LABEL_SIZE", "draw_bars", "draw_stacked", "finite_bars", "is_money", "tick_size",
           "value_text"]

LABEL_SIZE = 7.5
CHAR_POINTS = 0.6 * LABEL_SIZE
"""The rough width of one label character, in points (DejaVu Sans averages 0.6 em)."""


def value_text(value: float, money: bool = False) -> str:
    """A bar's value as printed next to it: four significant digits, no trailing noise.

    Money (``money``) reads like a price: to the cent from 1 up (``25.57``, ``4.90``), three significant
    digits below (``0.582``, ``0.00283``: a few cents a month must not all print ``0.00``).
    """
    if money and value != 0:
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3g}"
    return f"{value:.4g}"


def is_money(chart: Chart) -> bool:
    """Whether the chart's values are amounts of money: its x label or title names a currency (``EUR``)."""
    words = set(re.findall(r"[A-Za-z]+", f"{chart.x_label} {chart.title}"))
    return bool(words & MONEY_UNITS)


def _integer_ticks(ax: Axes, values: list[float]) -> None:
    """Integer ticks on the value axis when every value is a whole number (counts: no ``0.5`` resources)."""
    from matplotlib.ticker import MaxNLocator

    if values and all(float(value).is_integer() for value in values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))


def _draw_thresholds(ax: Axes, chart: Chart, money: bool) -> None:
    """Each threshold as a dashed vertical line at its value (a budget), labelled at the top of the plot."""
    shown = [t for t in chart.thresholds if math.isfinite(t.value)]
    for index, threshold in enumerate(shown):
        ax.axvline(threshold.value, color=MUTED, linestyle=(0, (5, 3)), linewidth=1.1, zorder=3,
                   gid=f"ipp-threshold-{index}")
    if not shown:
        return
    low, high = ax.get_xlim()
    width = axes_width_points(ax)
    for row, threshold in enumerate(shown):
        at = (threshold.value - low) / ((high - low) or 1.0)
        label = threshold.label or value_text(threshold.value, money)
        left = at + label_width(label, LABEL_SIZE, width) > 1.0
        ax.annotate(label, xy=(threshold.value, 1.0), xycoords=ax.get_xaxis_transform(),
                    xytext=(-3 if left else 3, -3 - row * (LABEL_SIZE + 3)), textcoords="offset points",
                    ha="right" if left else "left", va="top", fontsize=LABEL_SIZE, color=INK, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


STACKED_MARKED_TOP = 1.7
"""The top of a stacked chart with markers: a lane above the bar and its outside labels for the markers'."""


def finite_bars(chart: Chart) -> list[Bar]:
    """The chart's bars whose value is a finite number."""
    return [bar for bar in chart.bars if math.isfinite(bar.value)]


def _rows(bars: list[Bar]) -> list[tuple[str, Bar | None]]:
    """Rows top to bottom: bars grouped by ``group`` (first-seen order), each group under its heading row."""
    groups = list(dict.fromkeys(bar.group for bar in bars))
    rows: list[tuple[str, Bar | None]] = []
    for group in groups:
        if group:
            rows.append((group, None))
        rows.extend((bar.label, bar) for bar in bars if bar.group == group)
    return rows


def draw_bars(fig: Figure, chart: Chart, bars: list[Bar]) -> None:
    """One horizontal bar per :class:`Bar`, its value printed at its end, grouped under group headings;
    thresholds (a budget) as dashed vertical lines."""
    ax = fig.add_subplot()
    money = is_money(chart)
    rows = _rows(bars)
    positions = list(range(len(rows)))
    shown = [(y, bar) for (_, bar), y in zip(rows, positions, strict=True) if bar is not None]
    drawn = ax.barh([y for y, _ in shown], [bar.value for _, bar in shown], height=0.7,
                    color=[tone_colour(bar.tone) for _, bar in shown], zorder=2)
    for index, (patch, (y, bar)) in enumerate(zip(drawn.patches, shown, strict=True)):
        patch.set_gid(f"ipp-bar-{index}")
        ax.annotate(value_text(bar.value, money), xy=(bar.value, y), xytext=(3 if bar.value >= 0 else -3, 0),
                    textcoords="offset points", ha="left" if bar.value >= 0 else "right", va="center",
                    fontsize=LABEL_SIZE, color=INK)
    ax.set_yticks(positions, [label for label, _ in rows], fontsize=tick_size(len(rows)))
    for tick, (_, heading) in zip(ax.get_yticklabels(), rows, strict=True):
        if heading is None:
            tick.set_fontweight("bold")
    top = -0.6 - (0.5 * len(chart.thresholds) if chart.thresholds else 0.0)
    ax.set_ylim(len(rows) - 0.4, top)
    limits = [t.value for t in chart.thresholds if math.isfinite(t.value)]
    if limits:
        ax.update_datalim([(value, 0.0) for value in limits])  # the x axis reaches the budget
    ax.margins(x=0.12)
    if all(b.value >= 0 for b in bars) and all(t.value >= 0 for t in chart.thresholds if math.isfinite(t.value)):
        ax.set_xlim(left=0)
    ax.axvline(0, color=MUTED, linewidth=0.8)
    _integer_ticks(ax, [bar.value for bar in bars])
    _draw_thresholds(ax, chart, money)
    ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)


def tick_size(rows: int) -> float:
    """The font size of row labels: 8 pt while the rows are tall enough (up to the height cap), then less."""
    return 8.0 if rows <= 40 else max(4.5, 8.0 * 40 / rows)


def draw_stacked(fig: Figure, chart: Chart, bars: list[Bar]) -> None:
    """One horizontal bar stacked from ``bars`` left to right, each segment labelled with its value; the
    chart's markers (a criterion) as vertical lines labelled above the bar."""
    ax = fig.add_subplot()
    money = is_money(chart)
    total = sum(bar.value for bar in bars)
    marks = [m.at for m in chart.markers if math.isfinite(m.at)]
    high = max([0.0, total, *marks]) * 1.02 or 1.0
    low = min([0.0, total, *marks])
    left, neutral, outside = 0.0, 0, 0
    for index, bar in enumerate(bars):
        if bar.tone == "neutral":
            colour, neutral = neutral_colour(neutral), neutral + 1
        else:
            colour = tone_colour(bar.tone)
        ax.barh(0, bar.value, left=left, height=0.6, color=colour, edgecolor="white", linewidth=0.8,
                label=bar.label, gid=f"ipp-segment-{index}")
        middle, text = left + bar.value / 2, value_text(bar.value, money)
        if abs(bar.value) / (high - low) * axes_width_points(ax) >= len(text) * CHAR_POINTS + 6:
            ax.text(middle, 0, text, ha="center", va="center", fontsize=LABEL_SIZE, color=text_colour_on(colour))
        else:
            ax.annotate(text, xy=(middle, 0.3), xytext=(0, 2 + 9 * (outside % 2)), textcoords="offset points",
                        ha="center", va="bottom", fontsize=LABEL_SIZE, color=INK)
            outside += 1
        left += bar.value
    ax.set_yticks([])
    ax.set_ylim(-0.5, STACKED_MARKED_TOP if marks else 0.95)
    ax.set_xlim(low, high)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    draw_markers(ax, chart.markers)
    ax.set_xlabel(chart.x_label or f"total {value_text(left, money)}")
    fig.legend(loc="outside lower center", ncols=min(len(bars), 4), frameon=False, fontsize=8, labelcolor=INK)
