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
from pytest_infra_parity.report.html import (
    OUTCOMES,
    fingerprint,
    render_html,
    split_message,
    unlisted_words,
    verdict_label,
    write_html,
)
from pytest_infra_parity.report.json_out import ReportFileError, read_json, write_json
from pytest_infra_parity.report.model import Cell, Chart, Figure, RunRecord, ScenarioRecord, Section, Table

from .conftest import RACE_ERROR, RunBuilder, build_run, deploy_section, stack_deploy_section

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
    sample_run.unlisted = {"passed": 1668}
    page, _ = page_of(sample_run)
    header = page.find("header", "run")
    assert "2025-06-01 02:00:03 UTC" in header.words() and "eu-west-3" in header.words()
    assert "0.1.0" in header.words()
    assert [p.text() for p in header.find_all("p", "note")] == ["Nightly staging run", "xdist: 2 workers"]
    badges = header.find("ul", "counts").find_all("li", "badge")
    counts = {next(c for c in b.classes() if c.startswith("outcome-")).removeprefix("outcome-"): int(b.find("b").text())
              for b in badges}
    assert counts == {"failed": 1, "error": 1, "xpassed": 1, "xfailed": 1, "skipped": 1, "passed": 3}  # the rows
    assert header.find("li", "unlisted").words() == "+ 1668 other tests passed, not listed"
    assert "3 of 8 scenarios need a look" in header.words()
    buttons = {b.attrs["data-filter"]: b.find("b").text() for b in page.find("div", "filters").find_all("button")
               if b.find_all("b")}
    assert buttons["passed"] == "3"  # a filter button counts the rows it hides


def test_unlisted_words() -> None:
    assert unlisted_words({}) == unlisted_words({"passed": 0}) == ""
    assert unlisted_words({"passed": 1}) == "+ 1 other test passed, not listed"
    assert unlisted_words({"passed": 3, "skipped": 2}) == "+ 5 other tests (3 passed, 2 skipped), not listed"


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
    assert cells[4] == "monthly cost: 127.20 EUR"
    assert [span.text() for span in row.find_all("span", "design-name")] == ["orders-api,", "orders-db"]


def test_summary_row_shows_three_figures_what_was_checked_first(sample_run: RunRecord) -> None:
    canary = next(s for s in sample_run.scenarios if s.title.startswith("Canary"))
    canary.sections = [deploy_section(), canary_section_with(Figure("canary.shifts", 2, "", "shifts")),
                       deploy_section()]
    page, _ = page_of(sample_run)
    row = next(r for r in page.find("table", "scenarios").find_all("tr") if "Canary" in r.words())
    items = row.find("ul", "key-figures").find_all("li")
    assert [li.words() for li in items] == ["rollback after alarm: 50 s", "alarm after errors: 10 s", "shifts: 2",
                                            "+ 4 more in the card"]
    assert "more" in items[-1].classes()
    smoke = next(r for r in page.find("table", "scenarios").find_all("tr") if "The API answers" in r.words())
    assert not smoke.find_all("ul")  # no figure, no list


def canary_section_with(*extra: Figure) -> Section:
    from .conftest import canary_section

    section = canary_section()
    return replace(section, figures=section.figures + extra)


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
    message = failed.find("div", "message")
    shown = message.find("pre", "message-text").text()  # a pytest.fail message: whole, nothing folded
    assert "PAY_PER_REQUEST != PROVISIONED" in shown and shown.endswith("(a pytest.fail message: shown whole)")
    assert not message.find_all("details")
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


def test_error_card_shows_the_headline_and_folds_the_traceback(sample_run: RunRecord) -> None:
    page, _ = page_of(sample_run)
    message = card(page, "Concurrent builds").find("div", "message")
    assert message.find("pre", "headline").text() == (
        "DeployError: BuildTable (AWS::DynamoDB::Table): ResourceInUseException\n"
        "at src/pytest_infra_parity/deploy/applier.py:212")
    traceback = message.find("details", "traceback")
    assert "open" not in traceback.attrs and traceback.find("summary").text() == "Traceback"
    assert traceback.find("pre").text().startswith("[...]\n    def _create")
    assert traceback.find("pre").text().endswith("applier.py:212: DeployError")


@pytest.mark.parametrize(("outcome", "message", "headline", "traceback"), [
    ("error", RACE_ERROR, RACE_ERROR.split("\n\n")[0], RACE_ERROR.split("\n\n", 1)[1]),
    ("failed", "AssertionError: x\nat tests/test_a b.py:3\n\n\ntrace\n", "AssertionError: x\nat tests/test_a b.py:3",
     "trace"),
    ("failed", "no location line\n\nsecond paragraph", "no location line\n\nsecond paragraph", ""),
    ("failed", "the alarm fired\nat 05:52\n\ntimeline", "the alarm fired\nat 05:52\n\ntimeline", ""),
    ("failed", "AssertionError: x\nat tests/test_a.py:3", "AssertionError: x\nat tests/test_a.py:3", ""),
    ("xfailed", RACE_ERROR, RACE_ERROR, ""),  # a reason is shown as written
    ("skipped", RACE_ERROR, RACE_ERROR, ""),
])
def test_split_message(outcome: str, message: str, headline: str, traceback: str) -> None:
    assert split_message(outcome, message) == (headline, traceback)


BAD_WORDS = {"passed": ("found, as the scenario expects", "expected"),
             "xpassed": ("found, as the scenario expects", "expected"),
             "xfailed": ("known failure", "known"), "failed": ("problem found", "bad"),
             "error": ("problem found", "bad"), "skipped": ("problem found", "bad"),
             "no such outcome": ("problem found", "bad")}


@pytest.mark.parametrize("outcome", [*OUTCOMES, "no such outcome"])
@pytest.mark.parametrize("verdict", ["good", "bad", "warn", "neutral", "no such tone"])
def test_verdict_words_for_every_outcome(outcome: str, verdict: str) -> None:
    expected = {"good": ("as expected", "good"), "warn": ("check", "warn"), "neutral": ("", "neutral"),
                "no such tone": ("", "neutral"), "bad": BAD_WORDS[outcome]}[verdict]
    assert verdict_label(outcome, verdict) == expected


def test_section_verdict_figures_and_folded_text(sample_run: RunRecord) -> None:
    cost = next(s for s in sample_run.scenarios if s.title == "The design fits its budget")
    cost.sections = [replace(cost.sections[0], verdict="bad")]  # over budget, as a passing scenario asserts
    scaling = next(s for s in sample_run.scenarios if s.outcome == "xfailed")
    scaling.sections = [replace(scaling.sections[0], verdict="bad")]
    page, _ = page_of(sample_run)
    canary = card(page, "Canary deployment").find("section", "verdict-good", id="s6-2")
    assert canary.find("h4").words() == "Canary rolls back on errors canary as expected"
    figures = [(f.find("span", "value").text(), f.find("span", "label").text(), f.classes())
               for f in canary.find("ul", "figures").find_all("li")]
    assert figures[0] == ("50 s", "rollback after alarm", {"figure", "tone-good"})
    text = canary.find("details", "text")
    assert "open" not in text.attrs and "03:10 alarm ALARM" in text.find("pre").text()

    def verdict(title: str, kind: str) -> tuple[str, set[str], set[str]]:
        section = next(s for s in card(page, title).find_all("section", "evidence") if s.find("span", "kind").text()
                       == kind)
        word = section.find("span", "verdict")
        return word.text(), word.classes(), section.classes()

    assert verdict("Staging matches", "parity") == ("problem found", {"verdict", "tone-bad"},
                                                     {"evidence", "verdict-bad"})
    assert verdict("fits its budget", "cost") == ("found, as the scenario expects", {"verdict", "tone-expected"},
                                                  {"evidence", "verdict-expected"})
    assert verdict("Idle service", "scaling") == ("known failure", {"verdict", "tone-known"},
                                                  {"evidence", "verdict-known"})
    assert verdict("Concurrent builds", "build-race") == ("problem found", {"verdict", "tone-bad"},
                                                          {"evidence", "verdict-bad"})


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
    assert policies.find("p", "truncated").text() == "30 more rows not shown (the section's figures count them all)."
    assert "(200 of 230 rows)" in policies.find("caption").words()


def shared_deploy_run(scenarios: int = 12) -> RunRecord:
    """A run where every scenario but every fourth records the same session-wide deployment first."""
    run = build_run(scenarios)
    for index, scenario in enumerate(run.scenarios):
        if index % 4 != 3:
            scenario.sections.insert(0, stack_deploy_section())
    return run


def test_a_repeated_section_is_shown_once_then_linked(tmp_path: Path) -> None:
    run = shared_deploy_run(12)
    page, draw = page_of(run)
    deploys = [s for s in page.find_all("section", "evidence") if s.find("span", "kind").text() == "deploy"
               and "Deployed cityguided" in s.words()]
    assert len(deploys) == 9
    full, copies = deploys[0], deploys[1:]
    assert "same-as" not in full.classes() and len(full.find_all("table")) == 2 and full.find_all("figure")
    assert [c.title for c, _ in draw.calls].count("Resources by type") == 1
    first_card = next(a for a in page.find_all("article") if full in list(a.iter()))
    for copy in copies:
        assert "same-as" in copy.classes() and not copy.find_all("table") and not copy.find_all("figure")
        link = copy.find("a", "same-as-link")
        assert link.attrs["href"] == f"#{full.attrs['id']}" and link.text() == first_card.find("h3").words().split(
            " ", 1)[1]
        assert copy.find("span", "same-as-text").words() == (
            f"Same as in {link.text()}: 28 resources of 19 types created by the applier on moto us-east-1 "
            "(account 123456789012)")
    shared_once = len(render_html(run, draw=FakeDraw()))
    alone = shared_deploy_run(12)
    for scenario in alone.scenarios:  # each deployment its own: all drawn in full
        scenario.sections = [replace(s, title=f"{s.title} {scenario.nodeid}") if s.kind == "deploy" else s
                             for s in scenario.sections]
    one = RunRecord("x", "moto", "", "0", scenarios=[ScenarioRecord("a::b", "b", "passed", sections=[])])
    without = len(render_html(one, draw=FakeDraw()))
    one.scenarios[0].sections = [stack_deploy_section()]
    full_section = len(render_html(one, draw=FakeDraw())) - without
    assert len(render_html(alone, draw=FakeDraw())) - shared_once > 7 * full_section  # 8 copies, a line each


def test_repeated_section_verdict_follows_its_own_scenario() -> None:
    bad = replace(stack_deploy_section(), verdict="bad")
    run = RunRecord("2025-01-01T00:00:00Z", "moto", "eu-west-1", "0", scenarios=[
        ScenarioRecord("a::failing", "failing", "failed", sections=[bad]),
        ScenarioRecord("a::passing", "passing", "passed", sections=[bad]),
        ScenarioRecord("a::other", "other", "passed",
                       sections=[replace(bad, figures=(Figure("deploy.resources", 27),))]),
    ])
    page, draw = page_of(run)
    first, copy, other = page.find_all("section", "evidence")
    assert "same-as" not in first.classes() and "same-as" in copy.classes()
    assert copy.find("span", "verdict").text() == "found, as the scenario expects"
    assert first.find("span", "verdict").text() == "problem found"
    assert "same-as" not in other.classes()  # one figure differs: a section of its own
    assert len(draw.calls) == 2
    assert fingerprint(bad) == fingerprint(replace(bad)) != fingerprint(replace(bad, summary="other"))


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
    charts = {fingerprint(s): len(s.charts) for scenario in run.scenarios for s in scenario.sections}
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
    assert len(page.find_all("figure", "chart")) == sum(charts.values())  # identical sections drawn once
    print(f"60 scenarios, {sum(charts.values())} charts drawn ({len(drawn)} distinct): {size / 1e6:.2f} MB")
    assert size < 5_000_000
