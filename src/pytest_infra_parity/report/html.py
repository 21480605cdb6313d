"""The run's report as one self-contained HTML file: inline CSS, inline SVG charts, a few lines of script.

The page reads only the report model (:mod:`pytest_infra_parity.report.model`): a header with the run's
target and counts, a summary table (failures first) and one card per scenario with its steps and
evidence sections (figures, charts drawn by ``report.svg.render_chart``, tables, folded text). A section
identical to one shown earlier on the page (a session-wide deployment every scenario records) is shown
once; later copies are one line linking to it. Nothing is fetched when the file is viewed: a
Content-Security-Policy of ``default-src 'none'`` makes sure of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.report.json_out import write_text_atomic
from pytest_infra_parity.report.model import Cell, Chart, Figure, RunRecord, ScenarioRecord, Section, Table
from pytest_infra_parity.report.terminal import key_figures

if TYPE_CHECKING:
    import jinja2

__all__ = ["OUTCOMES", "Draw", "fingerprint", "order_scenarios", "render_html", "split_message", "verdict_label",
           "write_html"]

Draw = Callable[[Chart, str], str]
"""Draws a chart as an inline ``<svg>`` string whose ids all start with the given prefix."""

OUTCOMES = ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
"""Outcomes in the order the report lists them: what needs a look first."""
_RANK = {"failed": 0, "error": 0, "xpassed": 2, "xfailed": 3, "skipped": 4, "passed": 5}
_UNKNOWN_RANK = 1
_TEMPLATES = Path(__file__).with_name("templates")
_VERDICT_WORDS = {"good": "as expected", "warn": "check", "neutral": ""}
SUMMARY_FIGURES = 3
"""Key figures a summary row shows (those of what the scenario checked first); the card has them all."""
_LOCATION = re.compile(r"^at \S.*\.\w+:\d+$")
"""The last line of a failure's headline as ``report.collect`` writes it (``at tests/test_x.py:12``)."""


@dataclass(frozen=True)
class StepView:
    """One pytest-bdd step as the card lists it."""

    keyword: str
    name: str
    line: int | None
    status: str
    """``passed``, ``failed`` or ``not run`` (after a failing step)."""
    duration: str

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(frozen=True)
class GroupView:
    """Consecutive rows sharing the grouping column's value (``heading`` None: the table is not grouped)."""

    heading: Cell | None
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class TableView:
    """A table with its grouping column taken out of the rows and turned into heading rows."""

    table: Table
    columns: tuple[str, ...]
    group_column: str
    groups: tuple[GroupView, ...]


@dataclass(frozen=True)
class ChartView:
    """A drawn chart and the words that describe it to a screen reader."""

    chart: Chart
    anchor: str
    svg: str
    description: str


@dataclass(frozen=True)
class SameAs:
    """Where a section identical to this one is shown in full: its anchor and its scenario's title."""

    anchor: str
    scenario: str


@dataclass(frozen=True)
class SectionView:
    section: Section
    anchor: str
    verdict_word: str
    treatment: str
    """The CSS tone of the verdict in this scenario (:func:`verdict_label`)."""
    tables: tuple[TableView, ...]
    charts: tuple[ChartView, ...]
    same_as: SameAs | None = None
    """Set when an identical section is shown earlier on the page: this one is a line linking to it."""


@dataclass(frozen=True)
class ScenarioView:
    record: ScenarioRecord
    anchor: str
    designs: tuple[str, ...]
    steps: tuple[StepView, ...]
    sections: tuple[SectionView, ...]
    figures: tuple[Figure, ...]
    """The summary row's key figures: at most :data:`SUMMARY_FIGURES`, what was checked before the set-up."""
    more_figures: int
    headline: str
    """A failure's headline (its message, where it was raised), shown above the folded traceback."""
    traceback: str


def verdict_label(outcome: str, verdict: str) -> tuple[str, str]:
    """The words for a section's verdict in a scenario of ``outcome``, and how it is coloured.

    A verdict describes the evidence (``bad``: a problem found, a rolled-back canary, a budget overrun);
    the outcome says whether the scenario expected it. A passing scenario met every criterion, so its
    ``bad`` section is a finding it asserts (``expected``: neutral and amber); in an xfailed scenario it
    is the known failure (``known``); in a failed, errored or skipped one it stays a red problem.
    """
    if verdict == "bad":
        if outcome in ("passed", "xpassed"):
            return "found, as the scenario expects", "expected"
        if outcome == "xfailed":
            return "known failure", "known"
        return "problem found", "bad"
    if verdict in ("good", "warn"):
        return _VERDICT_WORDS[verdict], verdict
    return "", "neutral"


def split_message(outcome: str, message: str) -> tuple[str, str]:
    """A failure's headline and its folded traceback; ``(message, "")`` when nothing is to be folded.

    ``report.collect`` writes a traceback failure as its headline (the exception's message, then ``at
    path:line``), a blank line and the traceback; a ``pytest.fail(..., pytrace=False)`` message (the
    steps' readable failures) has no location line and is shown whole.
    """
    if outcome not in ("failed", "error"):
        return message, ""
    head, blank, rest = message.partition("\n\n")
    if not blank or not _LOCATION.match(head.rsplit("\n", 1)[-1]):
        return message, ""
    return head, rest.strip("\n")


def order_scenarios(scenarios: Sequence[ScenarioRecord]) -> list[ScenarioRecord]:
    """Failed and error first, then xpassed, xfailed, skipped, passed; run order within an outcome."""
    return sorted(scenarios, key=lambda scenario: _RANK.get(scenario.outcome, _UNKNOWN_RANK))


def render_html(run: RunRecord, *, draw: Draw | None = None) -> str:
    """The whole report page for ``run``; ``draw`` draws charts (default ``report.svg.render_chart``)."""
    if draw is None:
        from pytest_infra_parity.report.svg import render_chart

        draw = render_chart
    shown: dict[str, SameAs] = {}
    views = [_scenario_view(number, scenario, draw, shown)
             for number, scenario in enumerate(order_scenarios(run.scenarios))]
    counts = dict(Counter(scenario.outcome for scenario in run.scenarios))  # listed: badges match the rows
    outcomes = [*OUTCOMES, *sorted(set(counts) - set(OUTCOMES))]
    return _environment().get_template("report.html.j2").render(
        run=run, scenarios=views, counts=counts, outcomes=outcomes, started=_started(run.started),
        problems=sum(counts.get(outcome, 0) for outcome in ("failed", "error", "xpassed")),
        unlisted=unlisted_words(run.unlisted),
        chart_count=sum(len(section.charts) for view in views for section in view.sections),
        css=(_TEMPLATES / "report.css").read_text(encoding="utf-8"),
    )


def write_html(run: RunRecord, path: Path, *, draw: Draw | None = None) -> None:
    """Write the report page of ``run`` at ``path`` (atomically: a temporary file, then a rename)."""
    write_text_atomic(Path(path), render_html(run, draw=draw))


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["seconds"] = seconds
    return env


def _scenario_view(number: int, scenario: ScenarioRecord, draw: Draw, shown: dict[str, SameAs]) -> ScenarioView:
    """``shown``: the sections already on the page by fingerprint, where they are (updated here)."""
    anchor = f"scenario-{number + 1}"
    sections = []
    for index, section in enumerate(scenario.sections):
        section_anchor = f"s{number + 1}-{index + 1}"
        key = fingerprint(section)
        earlier = shown.get(key)
        sections.append(_section_view(section_anchor, section, scenario.outcome, draw, earlier))
        if earlier is None:
            shown[key] = SameAs(section_anchor, scenario.title)
    designs = tuple(name.strip() for name in scenario.design.split(",") if name.strip())
    figures = key_figures(scenario)
    headline, traceback = split_message(scenario.outcome, scenario.message)
    return ScenarioView(record=scenario, anchor=anchor, designs=designs, steps=_steps(scenario.steps),
                        sections=tuple(sections), figures=tuple(figures[:SUMMARY_FIGURES]),
                        more_figures=max(0, len(figures) - SUMMARY_FIGURES), headline=headline, traceback=traceback)


def unlisted_words(unlisted: dict[str, int]) -> str:
    """``+ 1668 other tests passed, not listed`` (by outcome when they differ); empty when none."""
    shown = {outcome: count for outcome, count in unlisted.items() if count}
    total = sum(shown.values())
    if not total:
        return ""
    tests = "test" if total == 1 else "tests"
    if len(shown) == 1:
        return f"+ {total} other {tests} {next(iter(shown))}, not listed"
    return f"+ {total} other {tests} ({', '.join(f'{n} {o}' for o, n in shown.items())}), not listed"


def fingerprint(section: Section) -> str:
    """A digest of everything a section shows: equal for identical sections."""
    data = json.dumps(section.as_json(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _section_view(anchor: str, section: Section, outcome: str, draw: Draw, same_as: SameAs | None) -> SectionView:
    words, treatment = verdict_label(outcome, section.verdict)
    if same_as is not None:  # no chart drawn, no table: a line linking to the section shown in full
        return SectionView(section=section, anchor=anchor, verdict_word=words, treatment=treatment, tables=(),
                           charts=(), same_as=same_as)
    charts = []
    for index, chart in enumerate(section.charts):
        prefix = f"{anchor}-c{index + 1}-"
        charts.append(ChartView(chart=chart, anchor=prefix.rstrip("-"), svg=draw(chart, prefix),
                                description=describe_chart(chart)))
    return SectionView(section=section, anchor=anchor, verdict_word=words, treatment=treatment,
                       tables=tuple(_table_view(table) for table in section.tables), charts=tuple(charts))


def _table_view(table: Table) -> TableView:
    column = table.group_by
    if column is None or not 0 <= column < len(table.columns):
        return TableView(table=table, columns=table.columns, group_column="",
                         groups=(GroupView(heading=None, rows=table.rows),))
    groups: list[GroupView] = []
    for row in table.rows:
        key = row[column] if column < len(row) else Cell("")
        rest = row[:column] + row[column + 1:]
        if groups and groups[-1].heading is not None and groups[-1].heading.text == key.text:
            groups[-1] = GroupView(heading=groups[-1].heading, rows=(*groups[-1].rows, rest))
        else:
            groups.append(GroupView(heading=key, rows=(rest,)))
    columns = table.columns[:column] + table.columns[column + 1:]
    return TableView(table=table, columns=columns, group_column=table.columns[column], groups=tuple(groups))


def _status(step: dict[str, Any]) -> str:
    status = step.get("status")
    if status in ("passed", "failed", "not run"):
        return str(status)
    return "failed" if step.get("failed") else "passed"


def _steps(steps: Sequence[dict[str, Any]]) -> tuple[StepView, ...]:
    views = []
    for step in steps:
        line = step.get("line")
        duration = step.get("duration")
        views.append(StepView(
            keyword=str(step.get("keyword", "")).strip(), name=str(step.get("name", "")),
            line=line if isinstance(line, int) else None, status=_status(step),
            duration=seconds(duration) if isinstance(duration, int | float) and _status(step) != "not run" else "",
        ))
    return tuple(views)


def describe_chart(chart: Chart) -> str:
    """A sentence telling what a chart shows, for readers who cannot see it (``aria-label``)."""
    kinds = {"xy": "Chart", "bars": "Bar chart", "stacked": "Stacked bar", "gantt": "Timeline"}
    parts = [f"{kinds.get(chart.kind, 'Chart')}: {chart.title}"]
    if chart.x_label or chart.y_label:
        parts.append(" against ".join(label for label in (chart.y_label, chart.x_label) if label))
    named = [series.name for series in chart.series] + [f"{bar.label} {bar.value:g}" for bar in chart.bars]
    if chart.spans:
        named.extend(dict.fromkeys(span.lane for span in chart.spans))
    if named:
        parts.append(", ".join(named[:12]) + (f" and {len(named) - 12} more" if len(named) > 12 else ""))
    parts.extend(f"threshold {threshold.label} at {threshold.value:g}" for threshold in chart.thresholds)
    parts.extend(f"{marker.label} at {marker.at:g}" for marker in chart.markers)
    parts.extend(f"{band.label} from {band.start:g} to {band.end:g}" for band in chart.bands)
    return "; ".join(parts)


def seconds(value: float | int) -> str:
    """``850 ms``, ``12.3 s``, ``4 min 05 s``, ``1 h 02 min``: a duration a reader takes in at a glance."""
    value = float(value)
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 60:
        return f"{value:.3g} s" if value < 10 else f"{value:.0f} s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _started(started: str) -> str:
    """``2025-06-01 02:00:03 UTC`` from an ISO 8601 stamp (shown as given when it is not one)."""
    try:
        moment = datetime.fromisoformat(started)
    except ValueError:
        return started
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
