"""Scaling evidence from real emulated scenarios: the slowest run's timeline, its markers and the stages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infra_parity.report.from_scaling import BEFORE_LAST_REQUEST, scaling_section, window
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
    start, _ = window(scenario)
    assert start == scenario.last_request - BEFORE_LAST_REQUEST
    worst = next(r for r in runs.runs if r.seed == seed)
    assert worst.end is not None
    zero_at = worst.end - start  # the slowest run's breakdown ends when no task runs any more
    running = points(timeline, "running tasks")
    assert running[0][1] == 1 and next(t for t, n in running if n == 0) == pytest.approx(zero_at)
    assert next(t for t, n in points(timeline, "desired tasks") if n == 0) < zero_at
    markers = {m.label: m.at for m in timeline.markers}
    assert markers == {"last request": pytest.approx(BEFORE_LAST_REQUEST), "0 tasks": pytest.approx(zero_at)}
    assert points(timeline, "requests/s")[-1][1] == 0 and points(timeline, "requests/s")[0][1] == pytest.approx(
        5 / 60)
    transitions = {e.subject: e.at - start for e in scenario.model.clock.timeline.of_kind("alarm")
                   if e.detail["new"] == "ALARM"}
    idle = next(b for b in timeline.bands if b.label == "idle-5-minutes in ALARM")
    assert idle.start == pytest.approx(transitions["cg-idle-5-minutes"])
    assert len({b.tone for b in timeline.bands}) == len({b.label for b in timeline.bands})  # one colour per alarm
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
    start, _ = window(scenario)
    markers = {m.label: m.at for m in timeline.markers}
    assert scenario.first_request is not None
    assert markers["first request after idle"] == pytest.approx(scenario.first_request - start)
    assert markers["first success"] - markers["first request after idle"] == pytest.approx(
        next(r.total for r in runs.runs if r.seed == scenario.seed))
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
