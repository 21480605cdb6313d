"""The report's data model: what a scenario showed, as plain typed values that survive JSON.

Every room's result (a parity report, policy findings, a cost estimate, a canary outcome, a scaling
timeline, Locust's history, a build race) is converted once, by the ``from_*`` modules of this room, into
:class:`Section` values: key figures, tables and declarative charts. The HTML and JSON writers and the
terminal summary read only this model, so a section recorded in an xdist worker crosses to the
controller as JSON (:meth:`Section.as_json` / :meth:`Section.from_json`) and renders the same.

Charts are *specifications* (:class:`Chart`), not pictures: ``report.svg`` draws them with matplotlib
when the report is written. Times on chart axes are seconds from the start of what the chart shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "Band", "Bar", "Cell", "Chart", "Figure", "Marker", "Section", "Series", "Span", "Table", "Threshold",
]

ChartKind = Literal["xy", "bars", "stacked", "gantt"]
"""``xy``: series over a numeric x axis; ``bars``: one horizontal bar per :class:`Bar` (grouped by
``Bar.group`` when set); ``stacked``: one horizontal bar stacked from its :class:`Bar` segments (a stage
breakdown); ``gantt``: :class:`Span` lanes over time (a build race)."""

SeriesStyle = Literal["line", "step", "scatter", "bar"]
Tone = Literal["neutral", "good", "bad", "warn"]
"""How a band, span, cell or figure is coloured: ``bad`` is a failure or an alarm, ``warn`` a threshold
approached or an unknown value, ``good`` a pass, ``neutral`` everything else."""


MONEY_UNITS = frozenset({"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "BRL", "CNY", "SEK", "NOK", "DKK"})
"""Units shown to the cent (a 24.90 EUR total against a 25 EUR budget must not read 24.9)."""


@dataclass(frozen=True)
class Figure:
    """One key figure of a section (terminal summary, JUnit XML property, the report's figure strip).

    ``name`` is a stable machine name (``canary.rollback_s``), ``label`` the words a reader sees.
    """

    name: str
    value: float | int | str
    unit: str = ""
    label: str = ""
    tone: Tone = "neutral"

    def text(self) -> str:
        """``42.5 s``, ``3 %``, ``Stopped``, ``24.90 EUR``: the value with its unit (money to the cent)."""
        value = self.value
        if isinstance(value, float) and self.unit in MONEY_UNITS:
            shown = f"{value:,.2f}"
        else:
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        return f"{shown} {self.unit}".strip()


@dataclass(frozen=True)
class Cell:
    """One table cell; ``tone`` highlights it (a difference is ``bad``, an unknown value ``warn``)."""

    text: str
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Table:
    """A table of :class:`Cell` rows, one cell per column, optionally grouped by one column."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    group_by: int | None = None
    """The column whose consecutive equal values are shown once, as a group heading (None: no grouping)."""
    note: str = ""
    truncated: int = 0
    """How many rows were left out: a table keeps at most ``MAX_ROWS`` (in the HTML and the JSON alike), so
    its section's figures are the place for totals."""


@dataclass(frozen=True)
class Series:
    """A named series of ``(x, y)`` points; ``axis`` ``"right"`` plots it against the second y axis."""

    name: str
    points: tuple[tuple[float, float], ...]
    style: SeriesStyle = "line"
    axis: Literal["left", "right"] = "left"
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Threshold:
    """A horizontal line at ``value`` (an alarm threshold, a budget, a criterion)."""

    value: float
    label: str
    axis: Literal["left", "right"] = "left"


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``at`` with a label (the rollback, the last request, a kill)."""

    at: float
    label: str
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Band:
    """A shaded interval of the x axis (an alarm in ALARM from ``start`` to ``end``)."""

    start: float
    end: float
    label: str
    tone: Tone = "bad"


@dataclass(frozen=True)
class Bar:
    """One bar (``bars``) or one segment of the stacked bar (``stacked``)."""

    label: str
    value: float
    group: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Span:
    """One interval of a ``gantt`` lane (a build from its start to its end, a kill at a point)."""

    lane: str
    start: float
    end: float
    label: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Chart:
    """A declarative chart; ``report.svg.render_chart`` draws it as an SVG string."""

    kind: ChartKind
    title: str
    x_label: str = ""
    y_label: str = ""
    y2_label: str = ""
    series: tuple[Series, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    markers: tuple[Marker, ...] = ()
    bands: tuple[Band, ...] = ()
    bars: tuple[Bar, ...] = ()
    spans: tuple[Span, ...] = ()
    x_is_time: bool = False
    """x values are seconds: the axis shows ``mm:ss`` (or hours for a day)."""
    y_max: float | None = None
    """Upper limit of the left axis (100 for percentages); ``None`` lets the data decide."""


@dataclass(frozen=True)
class Section:
    """One piece of evidence of a scenario: what it is about, its verdict, figures, tables and charts."""

    kind: str
    """``deploy``, ``parity``, ``policies``, ``cost``, ``canary``, ``detection``, ``flag``, ``scaling``,
    ``load``, ``build-race``, ``locks``, ``kill``, or a plugin's own kind."""
    title: str
    verdict: Tone = "neutral"
    summary: str = ""
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    text: str = ""
    """Preformatted text (a timeline as the step printed it), shown folded."""

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        """The inverse of :meth:`as_json`."""
        return cls(
            kind=str(data["kind"]), title=str(data["title"]), verdict=data.get("verdict", "neutral"),
            summary=str(data.get("summary", "")),
            figures=tuple(Figure(**f) for f in data.get("figures", ())),
            tables=tuple(_table(t) for t in data.get("tables", ())),
            charts=tuple(_chart(c) for c in data.get("charts", ())),
            text=str(data.get("text", "")),
        )


MAX_ROWS = 200
"""Rows a table keeps in the HTML report; the rest are counted in ``Table.truncated``."""


def _table(data: dict[str, Any]) -> Table:
    rows = tuple(tuple(Cell(**cell) for cell in row) for row in data.get("rows", ()))
    return Table(title=str(data["title"]), columns=tuple(data["columns"]), rows=rows,
                 group_by=data.get("group_by"), note=str(data.get("note", "")), truncated=int(data.get("truncated", 0)))


def _chart(data: dict[str, Any]) -> Chart:
    return Chart(
        kind=data["kind"], title=str(data["title"]), x_label=str(data.get("x_label", "")),
        y_label=str(data.get("y_label", "")), y2_label=str(data.get("y2_label", "")),
        series=tuple(Series(name=s["name"], points=tuple((float(x), float(y)) for x, y in s["points"]),
                            style=s.get("style", "line"), axis=s.get("axis", "left"), tone=s.get("tone", "neutral"))
                     for s in data.get("series", ())),
        thresholds=tuple(Threshold(**t) for t in data.get("thresholds", ())),
        markers=tuple(Marker(**m) for m in data.get("markers", ())),
        bands=tuple(Band(**b) for b in data.get("bands", ())),
        bars=tuple(Bar(**b) for b in data.get("bars", ())),
        spans=tuple(Span(**s) for s in data.get("spans", ())),
        x_is_time=bool(data.get("x_is_time", False)), y_max=data.get("y_max"),
    )


def table(title: str, columns: tuple[str, ...], rows: Sequence[tuple[Cell, ...]], *, group_by: int | None = None,
          note: str = "") -> Table:
    """A :class:`Table` keeping at most :data:`MAX_ROWS` rows, counting the rest."""
    return Table(title, columns, tuple(rows[:MAX_ROWS]), group_by=group_by, note=note,
                 truncated=max(0, len(rows) - MAX_ROWS))


@dataclass
class ScenarioRecord:
    """One test of the run as the report shows it (built on the controller from its reports)."""

    nodeid: str
    title: str
    outcome: str
    """``passed``, ``failed``, ``skipped``, ``xfailed``, ``xpassed``, ``error``."""
    duration: float = 0.0
    feature: str = ""
    feature_file: str = ""
    design: str = ""
    target: str = ""
    message: str = ""
    """The failure's message, or the skip/xfail reason."""
    steps: list[dict[str, Any]] = field(default_factory=list)
    """pytest-bdd's steps, all of the scenario's: ``keyword``, ``name``, ``line``, ``status`` (``passed``,
    ``failed``, ``not run``), ``duration`` (seconds)."""
    sections: list[Section] = field(default_factory=list)


    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = [section.as_json() for section in self.sections]
        return data


@dataclass
class RunRecord:
    """The whole run: where it ran and every scenario."""

    started: str
    """ISO 8601 UTC."""
    target: str
    region: str
    plugin_version: str
    duration: float = 0.0
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unlisted: dict[str, int] = field(default_factory=dict)
    """Tests counted but not listed, by outcome: plain passing tests that are not scenarios and recorded
    no evidence (a project's own unit tests)."""

    def counts(self) -> dict[str, int]:
        """Tests by outcome, listed or not."""
        out: dict[str, int] = dict(self.unlisted)
        for scenario in self.scenarios:
            out[scenario.outcome] = out.get(scenario.outcome, 0) + 1
        return out

    def as_json(self) -> dict[str, Any]:
        return {"format": "pytest-infra-parity-report/1", "started": self.started, "target": self.target,
                "region": self.region, "plugin_version": self.plugin_version, "duration": self.duration,
                "counts": self.counts(), "notes": list(self.notes), "unlisted": dict(self.unlisted),
                "scenarios": [scenario.as_json() for scenario in self.scenarios]}
