"""The HTML and JSON report writers: structure, escaping, ordering, tables, charts, round trip, size."""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.report.html import render_html, write_html
from pytest_infra_parity.report.json_out import ReportFileError, read_json, write_json
from pytest_infra_parity.report.model import Cell, Chart, RunRecord, ScenarioRecord, Section, Table

from .conftest import RunBuilder

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def words(self) -> str:
        return " ".join(self.text().split())

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str = "", cls: str = "", **attrs: str) -> list[Node]:
        return [node for node in self.iter() if (not tag or node.tag == tag) and (not cls or cls in node.classes())
                and all(node.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())]

    def find(self, tag: str = "", cls: str = "", **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls!r} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    """A small DOM from the stdlib parser; fails on a closing tag that does not match (broken nesting)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root


class FakeDraw:
    """Stands in for ``report.svg.render_chart``: a tiny SVG naming the chart, calls recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[Chart, str]] = []

    def __call__(self, chart: Chart, prefix: str) -> str:
        self.calls.append((chart, prefix))
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" class="fake" id="{prefix}svg">'
                f'<rect width="40" height="20"/></svg>')


def page_of(run: RunRecord) -> tuple[Node, FakeDraw]:
    draw = FakeDraw()
    return parse(render_html(run, draw=draw)), draw


def card(page: Node, title: str) -> Node:
    cards = [node for node in page.find_all("article", "scenario") if title in node.find("h3").text()]
    assert len(cards) == 1, f"{len(cards)} cards titled {title!r}"
    return cards[0]


def test_page_is_one_self_contained_file(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    external = [(node.tag, name, value) for node in page.iter() for name, value in node.attrs.items()
                if name in {"src", "href", "xlink:href", "action", "data", "poster", "srcset", "background"}
                and re.match(r"\s*(https?:)?//", value)]
    assert external == []
    assert not page.find_all("link", rel="stylesheet") and not [s for s in page.find_all("script") if "src" in s.attrs]
    styles = " ".join(node.text() for node in page.find_all("style"))
    assert "@import" not in styles and not re.search(r"url\(\s*['\"]?(https?:)?//", styles)
    assert "prefers-color-scheme: dark" in styles and "@media print" in styles
    policy = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy


def test_header_shows_the_run_and_counts_by_outcome(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    header = page.find("header", "run")
    assert "2025-06-01 02:00:03 UTC" in header.words() and "eu-west-3" in header.words()
    assert "0.1.0" in header.words() and "Nightly staging run" in header.words()
    badges = header.find("ul", "counts").find_all("li", "badge")
    counts = {next(c for c in b.classes() if c.startswith("outcome-")).removeprefix("outcome-"): int(b.find("b").text())
              for b in badges}
    assert counts == {"failed": 1, "error": 1, "xpassed": 1, "xfailed": 1, "skipped": 1, "passed": 3}
    assert "3 of 8 scenarios need a look" in header.words()


def test_title_message_and_text_are_escaped(sample_run: RunRecord) -> None:
    evil = "<script>alert(1)</script>"
    first = sample_run.scenarios[0]
    sample_run.scenarios[0] = replace(first, title=evil, message=evil, feature='"><img src=x onerror=alert(1)>',
                                      sections=[replace(first.sections[0], summary=evil, text=evil)])
    html = render_html(sample_run, draw=FakeDraw())
    page = parse(html)
    assert len(page.find_all("script")) == 1  # only the page's own filter script
    assert "alert" not in page.find("script").text()
    assert not page.find_all("img")
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    assert evil in card(page, "alert(1)").find("h3").text()


def test_failures_come_first_in_summary_and_cards(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    rows = page.find("table", "scenarios").find("tbody").find_all("tr")
    outcomes = [row.attrs["data-outcome"] for row in rows]
    assert outcomes == ["failed", "error", "xpassed", "xfailed", "skipped", "passed", "passed", "passed"]
    passed = [row.find("th").text() for row in rows if row.attrs["data-outcome"] == "passed"]
    assert passed == [s.title for s in sample_run.scenarios if s.outcome == "passed"]  # run order kept
    cards = page.find_all("article", "scenario")
    assert [c.attrs["data-outcome"] for c in cards] == outcomes
    for row in rows:  # every summary link lands on the card of the same scenario
        anchor = row.find("a").attrs["href"].removeprefix("#")
        assert page.find("article", id=anchor).find("h3").text().endswith(row.find("a").text())


def test_summary_row_shows_design_duration_and_key_figures(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    row = next(r for r in page.find("table", "scenarios").find_all("tr") if "budget" in r.words())
    cells = [cell.words() for cell in row.find_all("td")]
    assert cells[0] == "passed" and cells[2] == "orders-api, orders-db" and cells[3] == "800 ms"
    assert cells[4] == "monthly cost: 127.2 EUR"


def test_filters_are_hidden_until_the_script_runs(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    filters = page.find("div", "filters")
    assert "hidden" in filters.attrs
    assert {b.attrs["data-filter"] for b in filters.find_all("button")} == {
        "all", "problems", "failed", "error", "xpassed", "xfailed", "skipped", "passed"}
    assert not [node for node in page.iter() if "filtered-out" in node.classes()]


def test_card_shows_failure_steps_and_failed_step(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    failed = card(page, "Staging matches the design")
    assert "PAY_PER_REQUEST != PROVISIONED" in failed.find("div", "message").find("pre").text()
    assert "features/orders.feature" in failed.find("dl", "meta").words()
    steps = failed.find("details", "steps")
    assert "open" in steps.attrs
    assert [li.words() for li in steps.find_all("li", "failed")] == ["✗ Then they match the design failed 1.45 s"]
    assert [li.words() for li in steps.find_all("li", "not-run")] == ["\u2013 And no policy is violated not run"]
    assert len(steps.find_all("li")) == 4


def test_scenario_without_evidence_still_shows_outcome_and_steps(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    smoke = card(page, "The API answers")
    assert smoke.find("span", "badge").text() == "passed"
    assert "No evidence recorded" in smoke.find("p", "no-evidence").text()
    assert "GET /orders answers 200" in smoke.find("details", "steps").words()
    skipped = card(page, "Killing a task")
    assert "Skip reason" in skipped.words() and "ECS tasks" in skipped.find("pre").text()
    assert skipped.find_all("p", "no-evidence")


def test_section_verdict_figures_and_folded_text(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    canary = card(page, "Canary deployment").find("section", "verdict-good", id="s6-2")
    assert canary.find("h4").words() == "Canary rolls back on errors canary as expected"
    figures = [(f.find("span", "value").text(), f.find("span", "label").text(), f.classes())
               for f in canary.find("ul", "figures").find_all("li")]
    assert figures[0] == ("50 s", "rollback after alarm", {"figure", "tone-good"})
    text = canary.find("details", "text")
    assert "open" not in text.attrs and "03:10 alarm ALARM" in text.find("pre").text()


def test_grouped_table_has_heading_rows_and_no_group_column(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    parity = card(page, "Staging matches the design").find("table", "grouped")
    assert [th.text() for th in parity.find("thead").find_all("th")] == ["Property", "Design", "Target"]
    headings = [tr.find("th") for tr in parity.find_all("tr", "group")]
    assert [h.find("span", "group-column").text() for h in headings] == ["Resource"] * 3
    assert [h.words() for h in headings] == ["Resource OrdersTable 3 rows", "Resource OrdersFunction 2 rows",
                                             "Resource OrdersQueue 1 row"]
    assert all(h.attrs["scope"] == "rowgroup" and h.attrs["colspan"] == "3" for h in headings)
    bodies = parity.find_all("tbody")
    assert [len([r for r in b.find_all("tr") if "group" not in r.classes()]) for b in bodies] == [3, 2, 1]


def test_group_value_repeated_later_starts_a_new_group() -> None:
    rows = tuple((Cell(g), Cell(str(i))) for i, g in enumerate("AABA"))
    section = Section("parity", "t", tables=(Table("T", ("Group", "N"), rows, group_by=0),))
    run = RunRecord("2025-01-01T00:00:00Z", "moto", "eu-west-1", "0", scenarios=[
        ScenarioRecord("x::y", "grouped", "passed", sections=[section])])
    page, _ = page_of(run)
    assert [tr.words() for tr in page.find_all("tr", "group")] == ["Group A 2 rows", "Group B 1 row", "Group A 1 row"]


def test_highlighted_cells_carry_their_tone(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    parity = card(page, "Staging matches the design").find("table", "grouped")
    assert [td.text() for td in parity.find_all("td", "tone-bad")] == ["PROVISIONED", "256"]
    assert [td.text() for td in parity.find_all("td", "tone-warn")] == ["unknown"]
    assert len(parity.find_all("td", "tone-neutral")) == 6 * 3 - 3


def test_truncated_table_says_how_many_rows_are_left_out(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    policies = next(s for s in card(page, "Staging matches").find_all("section", "evidence") if "policies" in s.words())
    body_rows = [tr for tr in policies.find("table").find_all("tr") if tr.parent and tr.parent.tag == "tbody"
                 and "group" not in tr.classes()]
    assert len(body_rows) == 200
    assert policies.find("p", "truncated").text() == "30 more rows in the JSON report."
    assert "(200 of 230 rows)" in policies.find("caption").words()


def test_every_chart_is_drawn_once_with_a_unique_prefix(sample_run: RunRecord) -> None:
    page, draw = page_of(sample_run)
    charts = [chart for s in sample_run.scenarios for section in s.sections for chart in section.charts]
    assert sorted(c.title for c, _ in draw.calls) == sorted(c.title for c in charts)
    prefixes = [prefix for _, prefix in draw.calls]
    assert len(set(prefixes)) == len(prefixes) and all(re.fullmatch(r"[a-z][\w-]*-", p) for p in prefixes)
    ids = [node.attrs["id"] for node in page.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))
    figures = page.find_all("figure", "chart")
    assert len(figures) == len(charts)
    for figure in figures:
        image = figure.find("div", "chart-img")
        assert image.attrs["role"] == "img" and figure.find("figcaption").text() in image.attrs["aria-label"]
        assert len(image.find_all("svg", "fake")) == 1
    gantt = page.find("figure", "chart-gantt").find("div", "chart-img").attrs["aria-label"]
    assert gantt.startswith("Timeline: Build race schedule") and "build 1, build 2, build 3, kill" in gantt


def test_default_drawer_is_the_svg_module(sample_run: RunRecord, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("pytest_infra_parity.report.svg")
    draw = FakeDraw()
    fake.render_chart = draw  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pytest_infra_parity.report.svg", fake)
    render_html(sample_run)
    assert len(draw.calls) == 6


def test_empty_run_renders() -> None:
    page, draw = page_of(RunRecord("not a date", "aws", "", "0.1.0"))
    assert "No scenario ran" in page.find("header", "run").words() and "not a date" in page.words()
    assert draw.calls == [] and not page.find_all("article")


def test_write_html_replaces_the_file_atomically(sample_run: RunRecord, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.html"
    write_html(sample_run, target, draw=FakeDraw())
    first = target.read_text(encoding="utf-8")
    sample_run.scenarios = sample_run.scenarios[:1]
    write_html(sample_run, target, draw=FakeDraw())
    assert target.read_text(encoding="utf-8") != first
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_json_round_trip(sample_run: RunRecord, tmp_path: Path) -> None:
    sample_run.scenarios[0].title = "Déploiement « canari » ✓"
    path = tmp_path / "out" / "run.json"
    write_json(sample_run, path)
    raw = path.read_text(encoding="utf-8")
    assert "« canari » ✓" in raw and raw.startswith('{\n  "format": "pytest-infra-parity-report/1"')
    assert json.loads(raw)["counts"] == sample_run.counts()
    assert read_json(path) == sample_run
    assert len(read_json(path).scenarios[1].sections[1].tables[0].rows) == 200


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", r":1: not JSON"),
    ('{"format": "junit"}', "not a pytest-infra-parity run report"),
    ("[1, 2]", "not a pytest-infra-parity run report"),
    ('{"format": "pytest-infra-parity-report/1", "started": "x"}', "malformed run report: KeyError"),
    ('{"format": "pytest-infra-parity-report/1", "started": "x", "target": "moto", "region": "r",'
     ' "plugin_version": "0", "scenarios": [{"nodeid": "a", "title": "b", "outcome": "passed", "steps": 3}]}',
     "steps must be a list"),
])
def test_read_json_names_the_file_it_cannot_read(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportFileError, match=re.escape(str(path)) + ".*" + expected.replace("(", r"\(")) as caught:
        read_json(path)
    assert isinstance(caught.value, InfraParityError) and caught.value.path == path


def test_read_json_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="cannot read the run report"):
        read_json(tmp_path / "nope.json")


def test_chart_heavy_run_stays_well_under_ten_megabytes(run_builder: RunBuilder, tmp_path: Path) -> None:
    """60 scenarios and 120 charts drawn by the real renderer.

    Charts of one kind and title differ only by their random data (same number of points), so each is
    drawn once and re-prefixed: the size is the real one, the test stays fast.
    """
    from pytest_infra_parity.report.svg import render_chart

    run = run_builder(60, charts_per_scenario=2)
    drawn: dict[tuple[str, str], str] = {}

    def draw(chart: Chart, prefix: str) -> str:
        key = (chart.kind, chart.title)
        if key not in drawn:
            drawn[key] = render_chart(chart, "PFX")
        return drawn[key].replace("PFX-", prefix)

    path = tmp_path / "big.html"
    write_html(run, path, draw=draw)
    size = path.stat().st_size
    page = parse(path.read_text(encoding="utf-8"))
    assert len(page.find_all("figure", "chart")) == 120
    print(f"60 scenarios, 120 charts ({len(drawn)} distinct): {size / 1e6:.2f} MB")
    assert size < 5_000_000
