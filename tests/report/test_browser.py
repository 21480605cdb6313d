"""The HTML report in a real browser (headless Chromium through Playwright): it renders cleanly, offline.

Skipped when Playwright or Chromium is missing, unless ``INFRA_PARITY_REQUIRE_BROWSER=1`` (set in CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from pytest_infra_parity.report.html import write_html
from pytest_infra_parity.report.model import RunRecord

from .conftest import build_run, stack_deploy_section

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOP_LEVEL_SVG_BOXES = """() => [...document.querySelectorAll('svg')]
    .filter(el => el.parentElement.closest('svg') === null)
    .map(el => { const r = el.getBoundingClientRect();
                 return [r.left + scrollX, r.top + scrollY, r.width, r.height, el.closest('.chart-img') !== null]; })"""
Box = tuple[float, float, float, float, bool]


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("INFRA_PARITY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"INFRA_PARITY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        _unavailable("chromium is not installed (no `chromium` on PATH nor /usr/bin/chromium)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    executable = _chromium()
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"chromium at {executable} does not start: {exc.message.splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunRecord, Path]:
    """The sample run (every outcome, every chart kind) written with the real chart renderer."""
    run = build_run(8)
    path = tmp_path_factory.mktemp("report") / "run.html"
    write_html(run, path)
    return run, path


LONG_FEATURES = ("CityGuided scale-to-zero and scale-up from zero (seed 002)",
                 "Huntaze walking skeleton, canary rollback and flag rollout (seed 004)")


@pytest.fixture(scope="module")
def shared_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run like the main job's: long feature names, long figure labels, one deployment in most scenarios."""
    from pytest_infra_parity.report.model import Figure, Section

    run = build_run(16)
    for index, scenario in enumerate(run.scenarios):
        scenario.feature = LONG_FEATURES[index % 2]
        if index % 4 != 3:
            scenario.sections.insert(0, stack_deploy_section())
    label = "smallest error rate rolled back in 95% of runs, over 100 seeded runs of the corrected design"
    run.scenarios[0].sections.insert(0, Section("canary", "Detection", "warn", figures=(
        Figure("canary.min_rate_pct", 23.8, "%", label, "warn"),)))
    path = tmp_path_factory.mktemp("shared") / "run.html"
    write_html(run, path)
    return path


@dataclass
class Watched:
    """A page with everything it said and fetched."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _open(browser: Browser, path: Path, **context: str) -> Watched:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, **context).new_page()  # type: ignore[arg-type]
    watched = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watched.console.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        watched.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("request", on_request)
    page.goto(path.as_uri(), wait_until="load")
    return watched


def _colours(png: bytes, boxes: list[Box]) -> tuple[int, list[int]]:
    """How many colours the whole PNG has, and each box of it (a blank area has one)."""
    from PIL import Image

    def count(image: Image.Image) -> int:
        colours = image.getcolors(maxcolors=1 << 16)
        return len(colours) if colours is not None else 1 << 16

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        rgb = image.convert("RGB")
        crops = [rgb.crop((round(x), round(y), round(x + w), round(y + h))) for x, y, w, h, _ in boxes]
        return count(rgb), [count(crop) for crop in crops]


def test_report_renders_cleanly_offline(browser: Browser, report: tuple[RunRecord, Path]) -> None:
    run, path = report
    watched = _open(browser, path)
    page = watched.page
    assert watched.console == [] and watched.errors == []
    assert watched.requests == [path.as_uri()]
    boxes: list[Box] = page.evaluate(TOP_LEVEL_SVG_BOXES)
    charts = sum(len(section.charts) for scenario in run.scenarios for section in scenario.sections)
    assert charts == 6 and len(boxes) == charts and all(box[4] for box in boxes)  # every svg is a chart
    assert all(width > 100 and height > 40 for _, _, width, height, _ in boxes), boxes
    kinds = page.eval_on_selector_all(".chart-img > svg", "els => els.map(el => el.dataset.kind)")
    assert set(kinds) == {"xy", "bars", "stacked", "gantt"}
    whole, per_chart = _colours(page.screenshot(full_page=True), boxes)
    assert whole > 50 and all(colours > 8 for colours in per_chart), per_chart  # ink, not blank boxes
    assert page.locator("#filters").is_visible()
    ids = page.eval_on_selector_all("[id]", "els => els.map(el => el.id)")
    assert len(ids) == len(set(ids))  # charts' ids do not collide in the page's one id space


def test_filter_buttons_hide_and_show_outcomes(browser: Browser, report: tuple[RunRecord, Path]) -> None:
    watched = _open(browser, report[1])
    page = watched.page
    passed = page.locator('[data-outcome="passed"]')
    assert passed.count() == 6 and all(element.is_visible() for element in passed.all())  # 3 rows, 3 cards
    page.click('button[data-filter="passed"]')
    assert not any(element.is_visible() for element in passed.all())
    assert page.get_attribute('button[data-filter="passed"]', "aria-pressed") == "false"
    assert page.locator('article[data-outcome="failed"]').is_visible()
    page.click('button[data-filter="problems"]')
    assert [el.get_attribute("data-outcome") for el in page.locator("article.scenario").all() if el.is_visible()] == [
        "failed", "error", "xpassed"]
    page.click('button[data-filter="all"]')
    assert all(element.is_visible() for element in page.locator("[data-outcome]").all())
    assert watched.console == [] and watched.errors == []


def test_dark_mode_and_print_styles(browser: Browser, report: tuple[RunRecord, Path]) -> None:
    background = "getComputedStyle(document.documentElement).backgroundColor"
    light = _open(browser, report[1]).page
    dark = _open(browser, report[1], color_scheme="dark").page
    assert light.evaluate(background) == "rgb(246, 247, 249)"
    assert dark.evaluate(background) == "rgb(13, 17, 23)"
    chart_background = "getComputedStyle(document.querySelector('figure.chart')).backgroundColor"
    assert dark.evaluate(chart_background) == "rgb(255, 255, 255)"  # charts keep a light paper
    light.emulate_media(media="print")
    assert not light.locator("#filters").is_visible()
    assert light.locator("figure.chart").first.is_visible()


SUMMARY_BOXES = """() => {
    const table = document.querySelector('table.scenarios');
    const columns = [...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().width);
    const spill = [...table.querySelectorAll('.key-figures li')].map(li => {
        const cell = li.closest('td').getBoundingClientRect(), box = li.getBoundingClientRect();
        return box.right - cell.right; });
    return [table.scrollWidth, table.parentElement.clientWidth, columns, Math.max(...spill)];
}"""


def test_summary_fits_the_page_and_wraps_long_text(browser: Browser, shared_report: Path) -> None:
    page = _open(browser, shared_report).page
    table_width, box_width, columns, spill = page.evaluate(SUMMARY_BOXES)
    assert table_width <= box_width <= 1232, (table_width, box_width)  # nothing clipped, no scrollbar
    assert spill <= 0, spill  # every key figure inside its cell
    feature, design, figures = columns[2], columns[3], columns[5]
    assert feature >= 160 and feature >= design and figures >= 300, columns
    rows = page.locator("table.scenarios tbody tr")
    assert all(len(row.locator("ul.key-figures > li").all()) <= 4 for row in rows.all())  # 3 and "+ N more"


def test_a_link_to_a_section_of_a_filtered_out_scenario_shows_it(browser: Browser, shared_report: Path) -> None:
    watched = _open(browser, shared_report)
    page = watched.page
    link = page.locator('article[data-outcome="passed"] a.same-as-link').first
    target = page.locator(str(link.get_attribute("href")))
    assert target.is_visible() and target.locator("figure.chart").count() == 1
    page.click('button[data-filter="failed"]')  # the full section is in the first (failed) scenario
    assert not target.is_visible()
    link.click()
    assert target.is_visible() and page.get_attribute('button[data-filter="failed"]', "aria-pressed") == "true"
    assert page.evaluate("location.hash") == str(link.get_attribute("href"))
    assert watched.console == [] and watched.errors == []


def test_missing_browser_skips_unless_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRA_PARITY_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _unavailable("no chromium")
    monkeypatch.setenv("INFRA_PARITY_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="INFRA_PARITY_REQUIRE_BROWSER=1 but no chromium"):
        _unavailable("no chromium")
