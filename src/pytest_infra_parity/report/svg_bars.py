"""The bar charts: ``bars`` (one horizontal bar per value, grouped) and ``stacked`` (one bar of segments)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pytest_infra_parity.report.svg_style import (
    INK,
    MUTED,
    axes_width_points,
    neutral_colour,
    text_colour_on,
    tone_colour,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytest_infra_parity.report.model import Bar, Chart

__all__ = ["CHAR_POINTS", "LABEL_SIZE", "draw_bars", "draw_stacked", "finite_bars", "tick_size", "value_text"]

LABEL_SIZE = 7.5
CHAR_POINTS = 0.6 * LABEL_SIZE
"""The rough width of one label character, in points (DejaVu Sans averages 0.6 em)."""


def value_text(value: float) -> str:
    """A bar's value as printed next to it: four significant digits, no trailing noise."""
    return f"{value:.4g}"


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
    """One horizontal bar per :class:`Bar`, its value printed at its end, grouped under group headings."""
    ax = fig.add_subplot()
    rows = _rows(bars)
    positions = list(range(len(rows)))
    shown = [(y, bar) for (_, bar), y in zip(rows, positions, strict=True) if bar is not None]
    drawn = ax.barh([y for y, _ in shown], [bar.value for _, bar in shown], height=0.7,
                    color=[tone_colour(bar.tone) for _, bar in shown], zorder=2)
    for index, (patch, (y, bar)) in enumerate(zip(drawn.patches, shown, strict=True)):
        patch.set_gid(f"ipp-bar-{index}")
        ax.annotate(value_text(bar.value), xy=(bar.value, y), xytext=(3 if bar.value >= 0 else -3, 0),
                    textcoords="offset points", ha="left" if bar.value >= 0 else "right", va="center",
                    fontsize=LABEL_SIZE, color=INK)
    ax.set_yticks(positions, [label for label, _ in rows], fontsize=tick_size(len(rows)))
    for tick, (_, heading) in zip(ax.get_yticklabels(), rows, strict=True):
        if heading is None:
            tick.set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.margins(x=0.12)
    if all(b.value >= 0 for b in bars):
        ax.set_xlim(left=0)
    ax.axvline(0, color=MUTED, linewidth=0.8)
    ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)


def tick_size(rows: int) -> float:
    """The font size of row labels: 8 pt while the rows are tall enough (up to the height cap), then less."""
    return 8.0 if rows <= 40 else max(4.5, 8.0 * 40 / rows)


def draw_stacked(fig: Figure, chart: Chart, bars: list[Bar]) -> None:
    """One horizontal bar stacked from ``bars`` left to right, each segment labelled with its value."""
    ax = fig.add_subplot()
    total = sum(bar.value for bar in bars) or 1.0
    left, neutral, outside = 0.0, 0, 0
    for index, bar in enumerate(bars):
        if bar.tone == "neutral":
            colour, neutral = neutral_colour(neutral), neutral + 1
        else:
            colour = tone_colour(bar.tone)
        ax.barh(0, bar.value, left=left, height=0.6, color=colour, edgecolor="white", linewidth=0.8,
                label=bar.label, gid=f"ipp-segment-{index}")
        middle = left + bar.value / 2
        if abs(bar.value) / abs(total) * axes_width_points(ax) >= len(value_text(bar.value)) * CHAR_POINTS + 6:
            ax.text(middle, 0, value_text(bar.value), ha="center", va="center", fontsize=LABEL_SIZE,
                    color=text_colour_on(colour))
        else:
            ax.annotate(value_text(bar.value), xy=(middle, 0.3), xytext=(0, 2 + 9 * (outside % 2)),
                        textcoords="offset points", ha="center", va="bottom", fontsize=LABEL_SIZE, color=INK)
            outside += 1
        left += bar.value
    ax.set_yticks([])
    ax.set_ylim(-0.5, 0.95)
    ax.set_xlim(min(0.0, left), max(0.0, left) * 1.02 or 1.0)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(chart.x_label or f"total {value_text(left)}")
    fig.legend(loc="outside lower center", ncols=min(len(bars), 4), frameon=False, fontsize=8, labelcolor=INK)
