"""The chart renderer: inline SVG elements that are deterministic, accessible, id-safe and robust to bad data."""

from __future__ import annotations

import contextlib
import itertools
import math
import random
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from pytest_infra_parity.report import svg as svg_module
from pytest_infra_parity.report.model import Band, Bar, Chart, Marker, Series, Span, Threshold
from pytest_infra_parity.report.svg import render_chart
from pytest_infra_parity.report.svg_bars import value_text
from pytest_infra_parity.report.svg_gantt import place_labels
from pytest_infra_parity.report.svg_style import format_seconds, format_time, min_max_decimate

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
REFERENCE = re.compile(r"url\(#([^)]+)\)")


def _wave(count: int = 60, step: float = 10.0, scale: float = 1.0) -> tuple[tuple[float, float], ...]:
    return tuple((i * step, scale * (1.5 + math.sin(i / 6))) for i in range(count))


def canary_chart(title: str = "Canary error rate") -> Chart:
    return Chart(kind="xy", title=title, x_label="time", y_label="errors %", y2_label="canary traffic %",
                 x_is_time=True,
                 series=(Series("v1", _wave()), Series("v2", _wave(scale=3.0), tone="bad"),
                         Series("weight", tuple((t, 10.0) for t, _ in _wave()), style="step", axis="right")),
                 thresholds=(Threshold(4.0, "alarm threshold 4 %"),),
                 markers=(Marker(200, "rollback", "bad"), Marker(60, "step 25 %")),
                 bands=(Band(100, 150, "alarm in ALARM"), Band(300, 320, "alarm in ALARM"),
                        Band(400, 450, "cooldown", "warn")))


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(svg: str) -> list[str]:
    return ["".join(el.itertext()) for el in _root(svg).iter(f"{SVG}text")]


def _by_id_suffix(svg: str, suffix: str) -> ET.Element:
    found = [el for el in _root(svg).iter() if el.get("id", "").endswith(suffix)]
    assert len(found) == 1, f"{suffix}: {len(found)} elements"
    return found[0]


def _ids_and_references(root: ET.Element) -> tuple[list[str], list[str]]:
    ids = [el.get("id", "") for el in root.iter() if el.get("id")]
    references: list[str] = []
    for el in root.iter():
        for name, value in el.attrib.items():
            if name in (XLINK_HREF, "href") and value.startswith("#"):
                references.append(value[1:])
            references.extend(REFERENCE.findall(value))
    return ids, references


def test_the_output_is_one_accessible_inline_svg_element() -> None:
    svg = render_chart(canary_chart("Canary & <rollback>"))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    root = _root(svg)
    assert root.get("role") == "img" and root.get("width") == "100%" and root.get("height") is None
    assert len(root.get("viewBox", "").split()) == 4
    assert root[0].tag == f"{SVG}title" and root[0].text == "Canary & <rollback>"
    assert "Canary & <rollback>" in _texts(svg)
    assert not list(root.iter(f"{SVG}metadata"))


def test_xy_draws_thresholds_markers_bands_and_both_axes() -> None:
    svg = render_chart(canary_chart())
    texts = _texts(svg)
    for label in ("alarm threshold 4 %", "rollback", "step 25 %", "cooldown", "v1", "v2", "weight", "errors %",
                  "canary traffic %"):
        assert label in texts, label
    assert texts.count("alarm in ALARM") == 1  # one legend entry for the two bands of that label
    assert _by_id_suffix(svg, "ipp-band-0") is not None and _by_id_suffix(svg, "ipp-band-1") is not None
    threshold = _by_id_suffix(svg, "ipp-threshold-0").find(f"{SVG}path")
    assert threshold is not None and "stroke-dasharray" in threshold.get("style", "")


def test_tones_use_the_colour_blind_safe_palette() -> None:
    svg = render_chart(canary_chart())
    bad = _by_id_suffix(svg, "ipp-series-1").find(f"{SVG}path")
    neutral = _by_id_suffix(svg, "ipp-series-0").find(f"{SVG}path")
    assert bad is not None and "#d55e00" in bad.get("style", "").lower()
    assert neutral is not None and "#0072b2" in neutral.get("style", "").lower()


def test_text_stays_text_in_a_sans_serif_stack() -> None:
    svg = render_chart(canary_chart())
    assert len(_texts(svg)) > 10
    style = "".join(el.text or "" for el in _root(svg).iter(f"{SVG}style"))
    assert "text{font-family:" in style and "sans-serif" in style


def test_math_markup_is_shown_literally() -> None:
    chart = Chart(kind="bars", title="Costs in $US and $EUR", bars=(Bar("a_b $x$", 1.0),))
    texts = _texts(render_chart(chart))
    assert "Costs in $US and $EUR" in texts and "a_b $x$" in texts


def test_bars_are_labelled_with_their_values_and_grouped() -> None:
    chart = Chart(kind="bars", title="Calls by service", x_label="calls / month",
                  bars=(Bar("Lambda", 12.4, "compute"), Bar("S3", 2.25, "data"), Bar("Fargate", 61.0, "compute")))
    svg = render_chart(chart)
    texts = _texts(svg)
    for label in ("Lambda", "S3", "Fargate", "12.4", "2.25", "61", "calls / month"):
        assert label in texts, label
    headings = [el for el in _root(svg).iter(f"{SVG}text") if "".join(el.itertext()) in ("compute", "data")]
    assert len(headings) == 2 and all("font-weight: 700" in el.get("style", "") for el in headings)
    # grouped: Fargate (compute) is drawn between Lambda (compute) and the data group
    order = [t for t in texts if t in ("Lambda", "Fargate", "data", "S3")]
    assert order == ["Lambda", "Fargate", "data", "S3"]


def test_stacked_segments_carry_their_values_and_a_legend() -> None:
    chart = Chart(kind="stacked", title="Deploy stages", x_label="seconds",
                  bars=(Bar("template", 0.4), Bar("IAM roles", 3.1), Bar("Lambda", 6.7, tone="warn")))
    svg = render_chart(chart)
    texts = _texts(svg)
    for label in ("0.4", "3.1", "6.7", "template", "IAM roles", "Lambda"):
        assert label in texts, label
    segment = _by_id_suffix(svg, "ipp-segment-2").find(f"{SVG}path")
    assert segment is not None and "#e69f00" in segment.get("style", "").lower()


def test_gantt_rows_follow_first_seen_lanes_and_points_are_diamonds() -> None:
    spans = (Span("build 2", 0, 95, "ok", "good"), Span("build 1", 12, 140, "lock wait", "warn"),
             Span("build 2", 140, 180, "apply"), Span("kill", 60, 60, "kill -9", "bad"))
    svg = render_chart(Chart(kind="gantt", title="Build race", x_is_time=True, spans=spans,
                             markers=(Marker(61, "first failure", "bad"),)))
    root = _root(svg)
    lanes = {"".join(el.itertext()): float(el.get("y", "0")) for el in root.iter(f"{SVG}text")
             if "".join(el.itertext()) in ("build 1", "build 2", "kill")}
    assert lanes["build 2"] < lanes["build 1"] < lanes["kill"]  # top to bottom in first-seen order
    for label in ("ok", "lock wait", "apply", "kill -9", "first failure"):
        assert label in _texts(svg), label
    diamond = _by_id_suffix(svg, "ipp-span-3")
    assert diamond.find(f".//{SVG}use") is not None  # a marker, not a zero-width bar
    assert _by_id_suffix(svg, "ipp-span-0").find(f"{SVG}use") is None


def test_gantt_labels_never_overlap_and_dropped_ones_remain_as_tooltips() -> None:
    spans = [Span("a", 0, 10, "a label too long for its bar"), Span("a", 10, 100, "apply"),
             Span("b", 0, 10, "label"), Span("b", 100, 120),
             Span("c", 0, 40, "a rather long label"), Span("c", 40, 60),
             Span("d", 0, 0, "kill"), Span("d", 5, 5, "kill again")]
    placed = place_labels(spans, data_per_point=1.0)  # one x unit per point; a character is 4.5 points
    assert 0 not in placed and placed[1] == ("apply", True)  # no room inside nor after: dropped
    assert placed[2] == ("label", False)  # written after its bar, the lane being free there
    assert placed[4] == ("a rath\u2026", True)  # shortened inside: the next span starts at its end
    assert 6 not in placed and placed[7] == ("kill again", False)  # "kill" would run over the next point
    svg = render_chart(Chart(kind="gantt", title="race", x_is_time=True, spans=tuple(spans[:2])))
    span = _by_id_suffix(svg, "ipp-span-0")
    tooltip = span.find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == "a: a label too long for its bar (00:00 to 00:10, 10 s)"


def test_two_charts_in_one_document_have_unique_ids_and_resolving_references() -> None:
    first = render_chart(canary_chart())
    second = render_chart(Chart(kind="gantt", title="Race", spans=(Span("a", 0, 5), Span("b", 2, 2, "kill"))))
    same = render_chart(canary_chart(), prefix="s2c1")  # an equal chart elsewhere in the page
    document = ET.fromstring(f"<html>{first}{second}{same}</html>")
    ids, references = _ids_and_references(document)
    assert references and len(ids) == len(set(ids))
    assert set(references) <= set(ids)
    for svg in (first, second, same):
        own_ids, own_references = _ids_and_references(_root(svg))
        assert own_references and set(own_references) <= set(own_ids)


def test_prefix_is_turned_into_a_valid_xml_name() -> None:
    ids, _ = _ids_and_references(_root(render_chart(canary_chart(), prefix="3 scenario::test[x]")))
    assert ids and all(re.fullmatch(r"[A-Za-z_][\w.-]*", name) for name in ids)
    assert all(name.startswith("p3-scenario-test-x-") for name in ids)


def test_rendering_is_deterministic_and_leaves_rc_params_alone() -> None:
    before = dict(matplotlib.rcParams)
    first = render_chart(canary_chart())
    render_chart(Chart(kind="bars", title="other", bars=(Bar("x", 1.0),)))
    assert render_chart(canary_chart()) == first
    assert dict(matplotlib.rcParams) == before


def test_concurrent_renders_never_share_rc_params(monkeypatch: pytest.MonkeyPatch) -> None:
    charts = [Chart(kind="bars", title=f"chart {i}", bars=(Bar("a", i + 1.0), Bar("b", 2.0))) for i in range(4)]
    expected = [render_chart(chart) for chart in charts]
    before = dict(matplotlib.rcParams)
    real_rc_context = matplotlib.rc_context
    active, most = 0, 0
    counting = threading.Lock()

    @contextlib.contextmanager
    def watched_rc_context(rc: dict[str, Any] | None = None) -> Iterator[None]:
        nonlocal active, most
        with counting:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.05)  # widen the window two unlocked renders would overlap in
            with real_rc_context(rc):  # type: ignore[arg-type]
                yield
        finally:
            with counting:
                active -= 1

    monkeypatch.setattr(matplotlib, "rc_context", watched_rc_context)
    results: dict[int, str] = {}

    def work(index: int) -> None:
        results[index] = render_chart(charts[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(charts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1  # rcParams are process-global: one render at a time holds them
    assert [results[i] for i in range(len(charts))] == expected
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("chart", [
    Chart(kind="xy", title="Nothing yet"),
    Chart(kind="xy", title="Nothing yet", series=(Series("s", ((0.0, math.nan), (math.inf, 1.0))),)),
    Chart(kind="bars", title="Nothing yet"),
    Chart(kind="stacked", title="Nothing yet", bars=(Bar("a", math.nan),)),
    Chart(kind="gantt", title="Nothing yet", spans=(Span("a", math.nan, 3.0),)),
], ids=["xy", "xy-all-nan", "bars", "stacked-nan", "gantt-nan"])
def test_no_data_draws_a_small_svg_saying_so(chart: Chart) -> None:
    svg = render_chart(chart)
    root = _root(svg)
    assert "no data" in _texts(svg) and root[0].text == "Nothing yet"
    assert float(root.get("viewBox", "").split()[3]) < 100


def test_non_finite_points_are_dropped_not_drawn_as_gaps() -> None:
    points = ((0.0, 1.0), (1.0, math.nan), (2.0, 3.0), (math.inf, 2.0), (4.0, -math.inf), (5.0, 2.0))
    chart = Chart(kind="xy", title="gaps", series=(Series("s", points),),
                  thresholds=(Threshold(math.nan, "never"),), markers=(Marker(math.inf, "never"),),
                  bands=(Band(math.nan, 2.0, "never"),))
    svg = render_chart(chart)
    line = _by_id_suffix(svg, "ipp-series-0").find(f"{SVG}path")
    assert line is not None and line.get("d", "").count("M") == 1  # one unbroken line through the 3 finite points
    assert line.get("d", "").count("L") == 2
    assert "never" not in _texts(svg)


def test_min_max_decimation_keeps_the_extremes() -> None:
    rng = np.random.default_rng(5)
    ys = rng.normal(100.0, 10.0, 100_000)
    ys[31_337], ys[77_001] = 1_000.0, -1_000.0
    xs = np.arange(len(ys), dtype=np.float64)
    kept_x, kept_y = min_max_decimate(xs, ys)
    assert 1000 < len(kept_y) <= 4002
    assert kept_y.max() == 1_000.0 and kept_y.min() == -1_000.0
    assert kept_x[0] == 0 and kept_x[-1] == len(ys) - 1 and bool(np.all(np.diff(kept_x) > 0))
    _, short_y = min_max_decimate(xs[:4000], ys[:4000])
    assert len(short_y) == 4000


def test_a_long_series_is_drawn_decimated_with_its_peak() -> None:
    rng = random.Random(2)
    points = [(i * 0.1, rng.gauss(50.0, 5.0)) for i in range(100_000)]
    points[54_321] = (5432.1, 900.0)
    svg = render_chart(Chart(kind="xy", title="latency", series=(Series("p95", tuple(points)),), y_label="ms"))
    line = _by_id_suffix(svg, "ipp-series-0").find(f"{SVG}path")
    assert line is not None and line.get("d", "").count("L") <= 4002
    assert len(svg) < 400_000
    ticks = [float(t) for t in _texts(svg) if re.fullmatch(r"\d+", t)]
    assert max(ticks) >= 800  # the y axis reaches the single peak: it was not decimated away


@pytest.mark.parametrize(("seconds", "hours", "fraction", "shown"), [
    (0, False, False, "00:00"), (90, False, False, "01:30"), (3599, False, False, "59:59"),
    (1.5, False, True, "00:01.5"), (-30, False, False, "-00:30"), (3600, True, False, "1:00"),
    (5400, True, False, "1:30"), (86400, True, False, "24:00"), (-120, False, False, "-02:00"),
    (-0.2, False, False, "00:00"), (-1e-12, False, True, "00:00.0"), (-5400, True, False, "-1:30"),
])
def test_time_labels(seconds: float, hours: bool, fraction: bool, shown: str) -> None:
    assert format_time(seconds, hours=hours, fraction=fraction) == shown


def _x_ticks(svg: str) -> list[str]:
    return [t for t in _texts(svg) if re.fullmatch(r"-?\d+:\d\d(\.\d)?", t)]


def test_time_axes_show_minutes_under_an_hour_and_hours_beyond() -> None:
    minutes = _x_ticks(render_chart(Chart(kind="xy", title="t", x_is_time=True,
                                          series=(Series("s", _wave(61, 10.0)),))))
    assert "02:00" in minutes and "10:00" in minutes and all(re.fullmatch(r"\d\d:\d\d", t) for t in minutes)
    hours = _x_ticks(render_chart(Chart(kind="gantt", title="t", x_is_time=True,
                                        spans=(Span("a", 0.0, 7200.0), Span("b", 1800.0, 9000.0)))))
    assert "1:00" in hours and "2:00" in hours and all(re.fullmatch(r"\d:\d\d", t) for t in hours)
    plain = _x_ticks(render_chart(Chart(kind="xy", title="t", series=(Series("s", _wave(61, 10.0)),))))
    assert plain == []


def test_gantt_and_bars_grow_with_their_rows_up_to_a_cap() -> None:
    def height(lanes: int) -> float:
        spans = tuple(Span(f"lane {i}", i, i + 5.0) for i in range(lanes))
        return float(_root(render_chart(Chart(kind="gantt", title="g", spans=spans))).get("viewBox", "").split()[3])

    assert height(3) < height(12) < height(40) == height(60)
    few = _root(render_chart(Chart(kind="bars", title="b", bars=(Bar("a", 1.0),))))
    many = _root(render_chart(Chart(kind="bars", title="b", bars=tuple(Bar(f"b{i}", i) for i in range(15)))))
    assert float(few.get("viewBox", "").split()[3]) < float(many.get("viewBox", "").split()[3])


# --- readability: time ticks, label placement, hatched overlaps, integer ticks, bars' thresholds and money ----


def _drawn(chart: Chart) -> Figure:
    """The chart drawn on a matplotlib figure with the renderer's settings, laid out (for text extents)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    plan = svg_module._plan(chart)
    with rc_context(svg_module._RC):
        fig = Figure(figsize=(svg_module.WIDTH_INCHES, plan.height), layout="constrained")
        FigureCanvasAgg(fig)
        svg_module._draw(fig, chart, plan)
        fig.draw_without_rendering()
    return fig


def _label_extents(fig: Figure) -> dict[str, Bbox]:
    """The window extent of every annotation (threshold and marker labels, bar values) by its text."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return {text.get_text(): text.get_window_extent(renderer) for ax in fig.axes for text in ax.texts
            if isinstance(text, Annotation)}


def _assert_apart(extents: dict[str, Bbox], labels: tuple[str, ...]) -> None:
    for first, second in itertools.combinations(labels, 2):
        assert not extents[first].overlaps(extents[second]), f"{first!r} overlaps {second!r}"


def test_time_axes_before_zero_are_signed_and_short_ones_read_in_seconds() -> None:
    signed = _x_ticks(render_chart(Chart(kind="xy", title="t", x_is_time=True,
                                         series=(Series("s", ((-130.0, 1.0), (400.0, 2.0))),))))
    assert "-02:00" in signed and "00:00" in signed and "-00:00" not in signed
    race = render_chart(Chart(kind="gantt", title="race", x_is_time=True,
                              spans=(Span("api", 0.018, 0.41, "ok"), Span("refresh", 0.035, 0.46, "ok"))))
    texts = _texts(race)
    assert {"0.1 s", "0.2 s", "0.4 s"} <= set(texts) and not _x_ticks(race)  # no 00:00.1 ticks
    tooltip = _by_id_suffix(race, "ipp-span-0").find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == "api: ok (0.02 s to 0.41 s, 0.392 s)"
    assert (format_seconds(0.30000000000000004), format_seconds(-0.04), format_seconds(2.0, 0)) == (
        "0.3 s", "0 s", "2 s")


def test_close_markers_and_thresholds_never_print_their_labels_over_each_other() -> None:
    detection = Chart(kind="xy", title="Share rolled back", y_max=100.0,
                      series=(Series("measured", ((0.5, 0.0), (2.0, 47.0), (3.0, 86.0), (3.5, 98.0), (5.0, 100.0))),),
                      thresholds=(Threshold(95.0, "95% of runs"), Threshold(93.0, "another close line")),
                      markers=(Marker(2.0, "alarm threshold 2%"), Marker(2.002, "noise-free threshold 2%"),
                               Marker(4.9, "smallest detectable 4.9%", "good")))
    extents = _label_extents(_drawn(detection))
    _assert_apart(extents, ("95% of runs", "another close line", "alarm threshold 2%", "noise-free threshold 2%",
                            "smallest detectable 4.9%"))
    figure = _drawn(detection)
    right_edge = figure.axes[0].get_window_extent().x1
    assert _label_extents(figure)["smallest detectable 4.9%"].x1 <= right_edge + 1  # written left of its line


def test_overlapping_bands_of_different_alarms_are_hatched_apart() -> None:
    series = (Series("requests/s", ((0.0, 1.0), (600.0, 0.0))),)
    overlapping = render_chart(Chart(kind="xy", title="t", series=series, bands=(
        Band(100, 400, "tt-low in ALARM", "warn"), Band(300, 600, "idle in ALARM", "neutral"))))
    apart = render_chart(Chart(kind="xy", title="t", series=series, bands=(
        Band(100, 200, "tt-low in ALARM", "warn"), Band(300, 600, "idle in ALARM", "neutral"))))
    assert "<pattern" in overlapping and "<pattern" not in apart
    assert _texts(overlapping).count("idle in ALARM") == 1  # still one legend entry per alarm


def test_integer_series_get_integer_ticks_and_head_room() -> None:
    chart = Chart(kind="xy", title="tasks", series=(
        Series("requests/s", ((0.0, 0.02), (60.0, 0.0), (120.0, 0.0))),
        Series("running tasks", ((0.0, 1.0), (60.0, 1.0), (120.0, 0.0)), style="step", axis="right")))
    figure = _drawn(chart)
    left, right = figure.axes
    assert right.get_ylim()[1] > 1.05 and left.get_ylim()[1] > 0.02 * 1.05  # the top step is off the border
    assert all(float(tick).is_integer() for tick in right.get_yticks() if 0 <= tick <= right.get_ylim()[1])
    assert any(not float(tick).is_integer() for tick in left.get_yticks())  # requests/s keep decimals
    counts = _drawn(Chart(kind="bars", title="Resources", bars=(Bar("a", 4.0), Bar("b", 1.0))))
    assert all(float(tick).is_integer() for tick in counts.axes[0].get_xticks())


def test_bars_draw_a_budget_line_and_money_to_the_cent() -> None:
    chart = Chart(kind="bars", title="Monthly cost by resource (EUR)", x_label="EUR",
                  bars=(Bar("LoadBalancer", 25.5663), Bar("Service", 4.9), Bar("Logs", 0.58182),
                        Bar("Tiny", 0.0028331)),
                  thresholds=(Threshold(30.0, "budget 30 EUR"),))
    svg = render_chart(chart)
    texts = _texts(svg)
    assert {"25.57", "4.90", "0.582", "0.00283", "budget 30 EUR"} <= set(texts)
    line = _by_id_suffix(svg, "ipp-threshold-0").find(f"{SVG}path")
    assert line is not None and "stroke-dasharray" in line.get("style", "")
    assert _drawn(chart).axes[0].get_xlim()[1] > 30.0  # the axis reaches the budget beyond every bar
    assert (value_text(12.4), value_text(12.4, money=True), value_text(0.0, money=True)) == ("12.4", "12.40", "0")


def test_stacked_bars_draw_their_markers_within_the_axis() -> None:
    chart = Chart(kind="stacked", title="Stages", x_label="seconds", bars=(Bar("alarm", 80.0), Bar("scaling", 3.0)),
                  markers=(Marker(120.0, "criterion 120 s", "warn"),))
    svg = render_chart(chart)
    assert "criterion 120 s" in _texts(svg) and _by_id_suffix(svg, "ipp-marker-0") is not None
    assert _drawn(chart).axes[0].get_xlim()[1] >= 120.0


def test_sparse_lines_mark_their_points_and_bad_series_are_bolder() -> None:
    sparse = render_chart(Chart(kind="xy", title="t", series=(
        Series("measured", ((1.0, 0.0), (2.0, 50.0), (3.0, 100.0))),
        Series("compared", ((1.0, 5.0), (2.0, 6.0), (3.0, 7.0)), style="step", tone="bad"))))
    assert _by_id_suffix(sparse, "ipp-series-0").find(f".//{SVG}use") is not None
    widths = [float(re.search(r"stroke-width: ([\d.]+)", path.get("style", "")).group(1))  # type: ignore[union-attr]
              for path in (_by_id_suffix(sparse, f"ipp-series-{i}").find(f"{SVG}path") for i in (0, 1))
              if path is not None]
    assert widths[1] > widths[0]
    dense = render_chart(Chart(kind="xy", title="t", series=(Series("p95", _wave(60)),)))
    assert _by_id_suffix(dense, "ipp-series-0").find(f".//{SVG}use") is None
