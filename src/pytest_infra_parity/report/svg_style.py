"""Shared pieces of the chart renderer: the colour-blind-safe palette, time ticks, clean and decimated data.

The palette is Okabe & Ito's ("Color Universal Design", 2008), distinguishable with the common colour
vision deficiencies: a tone always has the same colour (``bad`` vermillion, ``good`` bluish green,
``warn`` orange), and neutral series cycle through the colours no tone uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.axes import Axes

    from pytest_infra_parity.report.model import Marker, Tone

__all__ = [
    "DECIMATE_ABOVE",
    "INK",
    "MUTED",
    "NEUTRAL_CYCLE",
    "TONE_COLOURS",
    "axes_width_points",
    "draw_markers",
    "finite_points",
    "format_time",
    "min_max_decimate",
    "neutral_colour",
    "set_time_axis",
    "text_colour_on",
    "tone_colour",
]

TONE_COLOURS: dict[str, str] = {
    "bad": "#D55E00",  # vermillion
    "good": "#009E73",  # bluish green
    "warn": "#E69F00",  # orange
    "neutral": "#0072B2",  # blue
}
NEUTRAL_CYCLE: tuple[str, ...] = ("#0072B2", "#56B4E9", "#CC79A7", "#555555", "#000000", "#F0E442")
"""Blue, sky blue, reddish purple, grey, black, yellow: the Okabe-Ito colours no tone claims."""
INK = "#222222"
MUTED = "#555555"
DECIMATE_ABOVE = 4000
"""A series with more points than this is drawn min/max-decimated (see :func:`min_max_decimate`)."""
_TIME_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
               43200, 86400)
_MAX_TIME_TICKS = 8
_HOUR = 3600.0


def tone_colour(tone: Tone) -> str:
    """The colour of a tone (unknown tones are neutral)."""
    return TONE_COLOURS.get(tone, TONE_COLOURS["neutral"])


def neutral_colour(index: int) -> str:
    """The ``index``-th colour of the neutral cycle."""
    return NEUTRAL_CYCLE[index % len(NEUTRAL_CYCLE)]


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#RRGGBB``), by relative luminance."""
    red, green, blue = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000000" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "#FFFFFF"


def finite_points(points: Iterable[tuple[float, float]]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The ``x`` and ``y`` arrays of ``points`` without any point whose x or y is NaN or infinite."""
    import numpy as np

    data = np.asarray(list(points), dtype=np.float64).reshape(-1, 2)
    keep = np.isfinite(data).all(axis=1)
    return data[keep, 0], data[keep, 1]


def min_max_decimate(xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], limit: int = DECIMATE_ABOVE,
                     ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """At most about ``limit`` points of a long series, keeping each bucket's minimum and maximum.

    The points are cut, in their order, into ``limit // 2`` consecutive buckets; of each bucket the
    points holding its smallest and largest ``y`` are kept (plus the first and last point), in their
    original order. Peaks and dips therefore survive, so the global minimum and maximum are always
    drawn, while the SVG stays a few hundred kilobytes at most.
    """
    import numpy as np

    count = len(ys)
    if count <= limit:
        return xs, ys
    size = -(-count // max(1, limit // 2))
    whole = (count // size) * size
    starts = np.arange(0, whole, size)
    body = ys[:whole].reshape(-1, size)
    parts = [starts + body.argmin(axis=1), starts + body.argmax(axis=1), np.array([0, count - 1])]
    if whole < count:
        tail = ys[whole:]
        parts.append(np.array([whole + int(tail.argmin()), whole + int(tail.argmax())]))
    keep = np.unique(np.concatenate(parts))
    return xs[keep], ys[keep]


def format_time(seconds: float, *, hours: bool, fraction: bool = False) -> str:
    """A time axis label: ``mm:ss`` (``mm:ss.f`` with ``fraction``), or ``h:mm`` with ``hours``."""
    sign = "-" if seconds < 0 else ""
    value = abs(seconds)
    if hours:
        whole_minutes = round(value / 60)
        return f"{sign}{whole_minutes // 60}:{whole_minutes % 60:02d}"
    if fraction:
        tenths = round(value * 10)
        minutes, rest = divmod(tenths, 600)
        return f"{sign}{minutes:02d}:{rest // 10:02d}.{rest % 10}"
    minutes, secs = divmod(round(value), 60)
    return f"{sign}{minutes:02d}:{secs:02d}"


def _time_step(span: float, hours: bool) -> float:
    steps = [step for step in _TIME_STEPS if not hours or step >= 60]
    for step in steps:
        if span / step <= _MAX_TIME_TICKS:
            return float(step)
    return float(steps[-1]) * math.ceil(span / (steps[-1] * _MAX_TIME_TICKS))


def set_time_axis(ax: Axes, low: float, high: float) -> None:
    """Tick the x axis of ``ax`` in round times: ``mm:ss`` when the data stays under an hour, else ``h:mm``."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    hours = max(abs(low), abs(high)) >= _HOUR
    step = _time_step(max(high - low, 1e-9), hours)
    fraction = step < 1
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_time(value, hours=hours,
                                                                              fraction=fraction)))


def axes_width_points(ax: Axes) -> float:
    """The width of the plot area of ``ax`` in points, as laid out before the layout engine runs."""
    figure = ax.get_figure(root=True)
    inches = figure.get_figwidth() if figure is not None else 7.5
    return max(ax.get_position().width * inches * 72, 1.0)


def _label_rows(positions: Sequence[float], widths: Sequence[float], rows: int) -> list[int]:
    """Greedy rows for labels starting at ``positions`` (axes fraction), so that none overlaps its row."""
    ends = [-math.inf] * rows
    chosen: list[int] = []
    for start, width in zip(positions, widths, strict=True):
        row = next((r for r in range(rows) if ends[r] <= start), min(range(rows), key=lambda r: ends[r]))
        ends[row] = start + width
        chosen.append(row)
    return chosen


def draw_markers(ax: Axes, markers: Sequence[Marker], low: float, high: float, *, font_size: float = 7.5) -> None:
    """Vertical lines at the markers, each labelled at the top of the plot (labels staggered when close)."""
    shown = sorted((m for m in markers if math.isfinite(m.at)), key=lambda m: m.at)
    if not shown:
        return
    span = max(high - low, 1e-9)
    axes_points = axes_width_points(ax)
    starts = [(m.at - low) / span for m in shown]
    widths = [(len(m.label) * font_size * 0.6 + 8) / axes_points for m in shown]
    rows = _label_rows(starts, widths, 3)
    transform = ax.get_xaxis_transform()
    for index, (marker, row) in enumerate(zip(shown, rows, strict=True)):
        colour = MUTED if marker.tone == "neutral" else tone_colour(marker.tone)
        ax.axvline(marker.at, color=colour, linewidth=1.1, zorder=4, gid=f"ipp-marker-{index}")
        ax.annotate(marker.label, xy=(marker.at, 1.0), xycoords=transform, xytext=(3, -3 - row * (font_size + 3)),
                    textcoords="offset points", ha="left", va="top", fontsize=font_size, color=colour, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
