"""Scaling evidence from real emulated scenarios: the slowest run's timeline, its markers and the stages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infra_parity.report.from_scaling import AFTER_SUCCESS, BEFORE_LAST_REQUEST, scaling_section, window
from pytest_infra_parity.report.model import Chart, Section
from pytest_infra_parity.sim.scaling_analysis import RunSet, Scenario, idle_scenario, repeat, wake_scenario

from ..sim.test_scaling_analysis import cityguided_like


def figures(section: Section) -> dict[str, Any]:
    return {figure.name: figure.value for figure in section.figures}


def points(chart: Chart, name: str) -> list[tuple[float, float]]:
    return list(next(s for s in chart.series if s.name == name).points)


def slowest(runs: RunSet) -> int:
    return max(runs.runs, key=lambda r: float("inf") if r.total is None else r.total).seed


def test_scale_to_zero_timeline_reaches_zero_tasks_at_the_reported_time() -> None:
    config = cityguided_like()
    runs = repeat(config, "scale-to-zero", 300, idle_minutes=10, runs=3)
    seed = slowest(runs)
    scenario = idle_scenario(config, idle_minutes=10, seed=seed)
    section = scaling_section("scale-to-zero", runs, scenario, "scale to zero tasks: median ...", "cityguided")
    assert (section.kind, section.verdict, section.summary) == ("scaling", "bad", "Scale to zero tasks: median ...")
    assert runs.worst is not None
    assert figures(section) == {"scaling.zero_after_s": round(runs.worst, 1), "scaling.criterion_s": 300.0,
                                "scaling.tasks_max": 1}
    timeline, stages = section.charts
    assert (timeline.kind, stages.kind) == ("xy", "stacked")
    shown = window(scenario)
    assert (shown.origin, shown.start) == (scenario.last_request, scenario.last_request - BEFORE_LAST_REQUEST)
    assert timeline.x_label == "time from the last request"
    worst = next(r for r in runs.runs if r.seed == seed)
    assert worst.end is not None
    zero_at = worst.end - shown.origin  # the slowest run's breakdown ends when no task runs any more
    running = points(timeline, "running tasks")
    assert running[0] == (-BEFORE_LAST_REQUEST, 1.0) and next(t for t, n in running if n == 0) == pytest.approx(zero_at)
    assert next(t for t, n in points(timeline, "desired tasks") if n == 0) < zero_at
    markers = {m.label: (m.at, m.tone) for m in timeline.markers}
    assert markers == {"last request": (0.0, "neutral"), "0 tasks": (pytest.approx(zero_at), "bad"),
                       "criterion 300 s": (300.0, "warn")}
    over = next(b for b in timeline.bands if b.tone == "bad")
    assert (over.start, over.label) == (300.0, f"over the criterion (+{zero_at - 300:.0f} s)")
    assert over.end == pytest.approx(zero_at)
    rates = points(timeline, "requests/s")
    assert rates[0][0] == -BEFORE_LAST_REQUEST and rates[0][1] == pytest.approx(5 / 60) and rates[-1][1] == 0
    assert [(m.at, m.label, m.tone) for m in stages.markers] == [(300.0, "criterion 300 s", "warn")]
    transitions = {e.subject: e.at - shown.origin for e in scenario.model.clock.timeline.of_kind("alarm")
                   if e.detail["new"] == "ALARM"}
    idle = next(b for b in timeline.bands if b.label == "idle-5-minutes in ALARM")
    assert idle.start == pytest.approx(transitions["cg-idle-5-minutes"])
    assert len({b.tone for b in timeline.bands}) == len({b.label for b in timeline.bands})  # one colour per band
    assert [(b.label, b.value) for b in stages.bars] == [(name, round(runs.stage_median(name) or 0, 1)) for name in
                                                         ("alarm", "scaling", "draining", "stopping")]
    assert Section.from_json(json.loads(json.dumps(section.as_json()))) == section


def test_scale_up_marks_the_first_request_and_its_first_success() -> None:
    config = cityguided_like()
    runs = repeat(config, "scale-up", 240, idle_minutes=30, rate=0.1, runs=2)
    scenario: Scenario = wake_scenario(config, idle_minutes=30, rate=0.1, seed=slowest(runs))
    section = scaling_section("scale-up", runs, scenario)
    assert runs.worst is not None and figures(section)["scaling.first_success_s"] == round(runs.worst, 1)
    assert figures(section)["scaling.tasks_max"] >= 1 and section.verdict == "good"
    timeline, stages = section.charts
    shown = window(scenario)
    assert scenario.first_request is not None and shown.origin == scenario.first_request
    success = scenario.model.first_success(scenario.first_request)
    assert success is not None and shown.end == pytest.approx(success + AFTER_SUCCESS)
    assert shown.start == scenario.first_request - BEFORE_LAST_REQUEST  # not the 30 idle minutes before
    markers = {m.label: m.at for m in timeline.markers}
    assert "last request" not in markers and markers["first request after idle"] == 0.0
    assert markers["first success"] == pytest.approx(next(r.total for r in runs.runs if r.seed == scenario.seed))
    assert markers["criterion 240 s"] == 240.0 and not any(b.tone == "bad" for b in timeline.bands)  # met
    assert all(-BEFORE_LAST_REQUEST <= x <= shown.end - shown.origin for s in timeline.series for x, _ in s.points)
    assert timeline.x_label == "time from the first request after idle"
    assert any(rate > 0 for _, rate in points(timeline, "5xx/s (no healthy target)"))  # 503 while no target
    assert [b.label for b in stages.bars] == ["alarm", "scaling", "provisioning", "health checks", "first response"]


def test_partial_data_unfinished_runs_and_the_wall_clock() -> None:
    config = cityguided_like()
    runs = repeat(config, "scale-to-zero", 240, idle_minutes=4, runs=2)
    section = scaling_section("scale-to-zero", runs, idle_scenario(config, idle_minutes=4, seed=1))
    assert figures(section)["scaling.unfinished_runs"] == 2 and "scaling.zero_after_s" not in figures(section)
    timeline = section.charts[0]
    assert "0 tasks" not in {m.label for m in timeline.markers} and len(section.charts) == 1  # no stage reached
    assert scaling_section("scale-up", RunSet("scale-up", 60, ()), None).charts == ()
    wall = scaling_section("scale-to-zero", None, None, "desiredCount 0 after 410 s\npolls...")
    assert (wall.figures, wall.charts, wall.verdict, wall.summary) == ((), (), "neutral", "DesiredCount 0 after 410 s")
