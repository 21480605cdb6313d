"""Shared pieces of the chart renderer: the colour-blind-safe palette, time ticks, clean and decimated data.

The palette is Okabe & Ito's ("Color Universal Design", 2008), distinguishable with the common colour
vision deficiencies: a tone always has the same colour (``bad`` vermillion, ``good`` bluish green,
``warn`` orange), and neutral series cycle through the colours no tone uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.axes import Axes

    from pytest_infra_parity.report.model import Marker, Tone

Box = tuple[float, float, float, float]
"""A label's extent in axes fractions: ``x0, x1, y0, y1``."""

__all__ = [
    "DECIMATE_ABOVE",
    "INK",
    "MUTED",
    "NEUTRAL_CYCLE",
    "SECONDS_BELOW",
    "TONE_COLOURS",
    "axes_height_points",
    "axes_width_points",
    "draw_markers",
    "finite_points",
    "format_seconds",
    "format_time",
    "label_width",
    "min_max_decimate",
    "neutral_colour",
    "overlaps",
    "set_time_axis",
    "short_times",
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
_LAID_OUT_HEIGHT = 0.85
_WIDTH_SAFETY = 1.1
"""Label widths are estimates (DejaVu Sans averages 0.6 em): a margin keeps estimated gaps real."""
_MARKER_ROWS = 5
SECONDS_BELOW = 10.0
"""A time axis spanning less than this many seconds (near 0) is ticked in seconds, not ``mm:ss``."""


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
    """A time axis label: ``mm:ss`` (``mm:ss.f`` with ``fraction``), or ``h:mm`` with ``hours``; ``-02:00`` before 0."""
    value = abs(seconds)
    if hours:
        whole_minutes = round(value / 60)
        shown = f"{whole_minutes // 60}:{whole_minutes % 60:02d}"
        zero = whole_minutes == 0
    elif fraction:
        tenths = round(value * 10)
        minutes, rest = divmod(tenths, 600)
        shown, zero = f"{minutes:02d}:{rest // 10:02d}.{rest % 10}", tenths == 0
    else:
        minutes, secs = divmod(round(value), 60)
        shown, zero = f"{minutes:02d}:{secs:02d}", minutes == secs == 0
    return f"{'-' if seconds < 0 and not zero else ''}{shown}"


def format_seconds(seconds: float, decimals: int = 1) -> str:
    """A short time in seconds, for axes spanning under :data:`SECONDS_BELOW`: ``0.1 s``, ``2.5 s``, ``-1 s``."""
    rounded = round(seconds, decimals)
    return f"{rounded + 0.0:g} s"  # + 0.0 turns -0.0 into 0.0


def _time_step(span: float, hours: bool) -> float:
    steps = [step for step in _TIME_STEPS if not hours or step >= 60]
    for step in steps:
        if span / step <= _MAX_TIME_TICKS:
            return float(step)
    return float(steps[-1]) * math.ceil(span / (steps[-1] * _MAX_TIME_TICKS))


def short_times(low: float, high: float) -> bool:
    """Whether a time axis from ``low`` to ``high`` reads better in seconds (``0.5 s``) than in ``mm:ss``."""
    return high - low < SECONDS_BELOW and max(abs(low), abs(high)) < 60


def set_time_axis(ax: Axes, low: float, high: float) -> None:
    """Tick the x axis of ``ax`` in round times: seconds under 10 s, ``mm:ss`` under an hour, else ``h:mm``.

    Times before 0 (before the moment the chart counts from) are signed: ``-02:00``.
    """
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    hours = max(abs(low), abs(high)) >= _HOUR
    step = _time_step(max(high - low, 1e-9), hours)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    if short_times(low, high):
        decimals = 0 if step >= 1 else 1
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_seconds(value, decimals)))
        return
    fraction = step < 1
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_time(value, hours=hours,
                                                                              fraction=fraction)))


def axes_width_points(ax: Axes) -> float:
    """The width of the plot area of ``ax`` in points, as laid out before the layout engine runs."""
    figure = ax.get_figure(root=True)
    inches = figure.get_figwidth() if figure is not None else 7.5
    return max(ax.get_position().width * inches * 72, 1.0)


def axes_height_points(ax: Axes) -> float:
    """The height of the plot area of ``ax`` in points, as the layout engine will leave it (about).

    Before the constrained layout runs, the axes fill the default subplot box; the title, the x axis
    labels and the legend then take some more height (about 15 %), which this estimate removes.
    """
    figure = ax.get_figure(root=True)
    inches = figure.get_figheight() if figure is not None else 3.2
    return max(ax.get_position().height * inches * 72 * _LAID_OUT_HEIGHT, 1.0)


def label_width(text: str, font_size: float, axes_points: float) -> float:
    """The rough width of a boxed label, as a fraction of an axes ``axes_points`` wide (0.6 em a character)."""
    return (len(text) * font_size * 0.6 + 8) / axes_points


def overlaps(first: Box, second: Box) -> bool:
    """Whether two label boxes (axes fractions ``x0, x1, y0, y1``) intersect."""
    return first[0] < second[1] and second[0] < first[1] and first[2] < second[3] and second[2] < first[3]


def _row_box(x0: float, x1: float, row: int, row_height: float, top_gap: float) -> Box:
    top = 1.0 - top_gap - row * row_height
    return x0, x1, top - row_height, top


def _free_row(x0: float, x1: float, taken: Sequence[Box], row_height: float, top_gap: float,
              avoid: Callable[[Box], int] | None) -> int:
    """The highest row where a label from ``x0`` to ``x1`` meets no taken box and, if it can, crosses no
    data (``avoid`` counts what a box would hide); else the least crowded row."""
    boxes = [_row_box(x0, x1, row, row_height, top_gap) for row in range(_MARKER_ROWS)]
    crowding = [10 * sum(overlaps(box, other) for other in taken) + (avoid(box) if avoid else 0) for box in boxes]
    return crowding.index(min(crowding))


def draw_markers(ax: Axes, markers: Sequence[Marker], *, font_size: float = 7.5, taken: Sequence[Box] = (),
                 avoid: Callable[[Box], int] | None = None) -> list[Box]:
    """Vertical lines at the markers, each labelled at the top of the plot; returns the labels' boxes.

    A label is written right of its line, or left of it when it would run past the right edge. Labels
    that would overlap each other or a ``taken`` box (a threshold's label) go down one row at a time, so
    two markers a few per cent of the axis apart never print their labels over each other; ``avoid``
    (how many series a box would hide) moves a label off the data when a lower row is clear.
    """
    shown = sorted((m for m in markers if math.isfinite(m.at)), key=lambda m: m.at)
    colours = [MUTED if m.tone == "neutral" else tone_colour(m.tone) for m in shown]
    for index, (marker, colour) in enumerate(zip(shown, colours, strict=True)):
        ax.axvline(marker.at, color=colour, linewidth=1.1, zorder=4, gid=f"ipp-marker-{index}")
    low, high = ax.get_xlim()
    span = (high - low) or 1.0
    width, height = axes_width_points(ax), axes_height_points(ax)
    row_height, top_gap = (font_size + 3) / height, 3 / height
    boxes, placed = list(taken), []
    transform = ax.get_xaxis_transform()
    for marker, colour in zip(shown, colours, strict=True):
        at, wide = (marker.at - low) / span, label_width(marker.label, font_size, width) * _WIDTH_SAFETY
        left = at + wide > 1.0 and at - wide >= 0.0
        x0, x1 = (at - wide, at) if left else (at, at + wide)
        row = _free_row(x0, x1, boxes, row_height, top_gap, avoid)
        box = _row_box(x0, x1, row, row_height, top_gap)
        boxes.append(box)
        placed.append(box)
        ax.annotate(marker.label, xy=(marker.at, 1.0), xycoords=transform,
                    xytext=(-3 if left else 3, -3 - row * (font_size + 3)), textcoords="offset points",
                    ha="right" if left else "left", va="top", fontsize=font_size, color=colour, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    return placed
