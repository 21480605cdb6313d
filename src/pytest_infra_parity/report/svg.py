"""Draw a declarative :class:`~pytest_infra_parity.report.model.Chart` as an inline SVG element, with matplotlib.

``render_chart(chart, prefix="")`` returns one ``<svg>`` element (no XML declaration, DOCTYPE or comment)
ready to be inlined, with other charts, in the self-contained HTML report:

* deterministic: the same chart gives byte-identical SVG (fixed ``svg.hashsalt``, no date metadata);
* ids unique across charts: every id kept is prefixed by the caller's ``prefix`` and a hash of the chart
  (ids nothing refers to are dropped), references rewritten to match. Two *equal* charts on one page need
  different ``prefix`` values (say the section and chart index);
* text stays ``<text>`` (``svg.fonttype: none``) in a sans-serif stack; ``viewBox`` with ``width="100%"``
  (and ``max-width`` of about 720 px) so it scales with the page; ``role="img"`` and a ``<title>``;
* colours are Okabe-Ito's colour-blind-safe palette (``bad`` vermillion, ``good`` bluish green, ``warn``
  orange, neutral series cycling through blue, sky blue, purple, grey...);
* robust: a chart without data draws a small "no data" SVG; NaN/inf points are dropped (and non-finite
  thresholds, markers, bands, bars and spans; a ``stacked`` chart also drops segments <= 0); series
  longer than 4,000 points are min/max-decimated (each bucket keeps its lowest and highest point, so
  peaks and the global extremes stay visible) so 100k points draw in a fraction of a second;
* readable: time axes tick ``0.5 s`` under 10 s, ``mm:ss`` (signed before 0: ``-02:00``) under an hour,
  ``h:mm`` beyond; marker labels go down a row rather than overlap each other or a threshold's label
  (and left of their line near the right edge); threshold labels take the first free place among the
  line's right and left ends, above and below it, avoiding the series when they can; overlapping bands
  of different labels are hatched apart; an axis whose series are all whole numbers gets integer
  ticks, and head room above its highest value; sparse ``line`` series mark their points, ``bad``
  series are bolder; ``bars`` draw their thresholds as dashed vertical lines (a budget) and print money
  (an x label or title naming a currency) to the cent; ``stacked`` charts draw their markers;
* the drawn parts keep stable ids (after the prefix): ``ipp-series-N``, ``ipp-band-N``,
  ``ipp-threshold-N``, ``ipp-marker-N``, ``ipp-bar-N``, ``ipp-segment-N``, ``ipp-span-N`` (N numbers
  the items of that kind in drawing order, after dropping what cannot be drawn; ``bar`` style series
  have none); the root has ``class="infra-chart"`` and ``data-kind``.

Matplotlib is imported lazily and used through ``Figure`` + the SVG canvas, never pyplot: no figure is
left open. rcParams are set with ``rc_context`` (restored afterwards) under a module lock, because
rcParams are process-global and the report may be written from several threads.
"""

from __future__ import annotations

import io
import math
import threading
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from pytest_infra_parity.report.svg_bars import draw_bars, draw_stacked, finite_bars
from pytest_infra_parity.report.svg_gantt import draw_gantt, finite_spans, lanes
from pytest_infra_parity.report.svg_post import chart_prefix, inline_svg
from pytest_infra_parity.report.svg_style import INK, MUTED
from pytest_infra_parity.report.svg_xy import clean_series, draw_xy

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from pytest_infra_parity.report.model import Bar, Chart, Span
    from pytest_infra_parity.report.svg_xy import CleanSeries

__all__ = ["WIDTH_INCHES", "render_chart"]

WIDTH_INCHES = 7.5
"""540 pt of viewBox: 720 CSS pixels at the reference 96 px per inch."""
MAX_HEIGHT_INCHES = 9.5
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "pytest-infra-parity",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": True,
}
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Plan:
    """What will be drawn: the cleaned data of the chart's kind (empty: "no data") and the figure height."""

    series: list[CleanSeries]
    bars: list[Bar]
    spans: list[Span]
    height: float

    @property
    def empty(self) -> bool:
        return not (self.series or self.bars or self.spans)


def _legend_rows(entries: int, columns: int) -> int:
    return max(1, math.ceil(entries / columns))


def _plan(chart: Chart) -> _Plan:
    series: list[CleanSeries] = []
    bars: list[Bar] = []
    spans: list[Span] = []
    height = 1.1
    if chart.kind == "xy":
        series = clean_series(chart)
        entries = len(series) + len({b.label for b in chart.bands if b.label})
        height = 3.2 + 0.2 * (_legend_rows(entries, 5) - 1)
    elif chart.kind == "bars":
        bars = finite_bars(chart)
        rows = len(bars) + len({b.group for b in bars if b.group})
        height = 0.9 + 0.26 * rows + 0.13 * len(chart.thresholds)
    elif chart.kind == "stacked":
        bars = [bar for bar in finite_bars(chart) if bar.value > 0]
        height = 1.7 + 0.2 * (_legend_rows(len(bars), 4) - 1) + (0.35 if chart.markers else 0.0)
    elif chart.kind == "gantt":
        spans = finite_spans(chart)
        height = 1.0 + 0.27 * len(lanes(spans)) + (0.3 if chart.markers else 0.0)
    plan = _Plan(series, bars, spans, min(height, MAX_HEIGHT_INCHES))
    return _Plan([], [], [], 1.1) if plan.empty else plan


def _content(chart: Chart) -> Iterator[bytes]:
    """The chart's content for the id hash (series points as packed doubles: fast for long series)."""
    yield repr(replace(chart, series=tuple(replace(s, points=()) for s in chart.series))).encode("utf-8")
    for series in chart.series:
        yield array("d", [value for point in series.points for value in point]).tobytes()


def _draw(fig: Figure, chart: Chart, plan: _Plan) -> dict[str, str]:
    """Draw ``chart`` on ``fig``; returns hover tooltips by element id (gantt spans have one)."""
    fig.suptitle(chart.title, x=0.01, ha="left", fontsize=10, fontweight="bold", color=INK)
    if plan.empty:
        fig.text(0.5, 0.4, "no data", ha="center", va="center", fontsize=9, color=MUTED, style="italic")
    elif chart.kind == "xy":
        draw_xy(fig, chart, plan.series)
    elif chart.kind == "bars":
        draw_bars(fig, chart, plan.bars)
    elif chart.kind == "stacked":
        draw_stacked(fig, chart, plan.bars)
    else:
        return draw_gantt(fig, chart, plan.spans)
    return {}


def render_chart(chart: Chart, prefix: str = "") -> str:
    """Draw ``chart`` as one inline ``<svg>`` element (see the module docstring for what it guarantees).

    ``prefix`` is prepended to every id of the element (with a hash of the chart's content), so charts
    inlined in one HTML document never share an id; give equal charts on one page different prefixes.
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    plan = _plan(chart)
    layout: Literal["constrained"] | None = None if plan.empty else "constrained"
    buffer = io.StringIO()
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(WIDTH_INCHES, plan.height), layout=layout)
        FigureCanvasSVG(fig)
        tooltips = _draw(fig, chart, plan)
        fig.savefig(buffer, format="svg", metadata=_METADATA)
    return inline_svg(buffer.getvalue(), title=chart.title, ids=chart_prefix(_content(chart), prefix), kind=chart.kind,
                      tooltips=tooltips)
