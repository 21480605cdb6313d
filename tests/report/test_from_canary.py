"""Canary, detection and flag evidence from real emulated rollouts, and the steps recording it (pytester)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from pytest_infra_parity.report.from_canary import canary_section, logical_name, mmss, readable_reason, shorten
from pytest_infra_parity.report.from_detection import DetectionEvidence, detection_section
from pytest_infra_parity.report.from_flag import flag_section
from pytest_infra_parity.report.model import Chart, Section
from pytest_infra_parity.sim.canary_analysis import analyze_detection, detection_probability
from pytest_infra_parity.sim.canary_flags import FlagBinding, run_flag_rollout
from pytest_infra_parity.sim.canary_run import CanaryOutcome, Rollout, run_rollout
from pytest_infra_parity.sim.canary_wallclock import WallClockCanary
from pytest_infra_parity.sim.canary_watch import watched_alarm
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import PREDEFINED, DeploymentConfig, GroupSettings
from pytest_infra_parity.sim.traffic import TrafficSpec

from ..sim.test_codedeploy import WATCHED, alarm

CANARY_5 = PREDEFINED["CodeDeployDefault.LambdaCanary10Percent5Minutes"]


def rollout(failure_rate: float, *, rate: float = 20, settings: GroupSettings = WATCHED,
            alarms: list[dict[str, Any]] | None = None, config: DeploymentConfig = CANARY_5) -> CanaryOutcome:
    """A real emulated rollout of version 2 of fn:live, watched by an alarm on the new version."""
    return run_rollout(VirtualClock(seed=4), TrafficSpec(rate), Rollout(config, settings, "fn", "live", "1", "2",
                                                                        failure_rate),
                       [alarm("2")] if alarms is None else alarms)


def figures(section: Section) -> dict[str, Any]:
    return {figure.name: figure.value for figure in section.figures}


def chart(section: Section, title_start: str) -> Chart:
    return next(c for c in section.charts if c.title.startswith(title_start))


def series(found: Chart, name_start: str) -> list[tuple[float, float]]:
    return list(next(s for s in found.series if s.name.startswith(name_start)).points)


def canary_rates(outcome: CanaryOutcome) -> list[tuple[float, float]]:
    """The new version's error rate per one-minute period after the start, recomputed from the traffic."""
    return [(p.end - outcome.started_at, 100 * p.errors["2"] / p.invocations["2"]) for p in outcome.periods
            if p.end > outcome.started_at and p.invocations.get("2")]


def test_a_rolled_back_canary_shows_its_rates_alarm_weights_and_rollback() -> None:
    outcome = rollout(0.05)
    back = outcome.rollback_after
    assert back is not None
    section = canary_section(outcome)
    assert (section.kind, section.verdict) == ("canary", "bad")
    assert figures(section) == {"canary.rollback_s": back, "canary.status": "Stopped", "canary.failure_pct": 5.0,
                                "canary.peak_error_pct": round(max(r for _, r in canary_rates(outcome)), 2)}
    rates = chart(section, "Error rate per 60 s")
    assert rates.x_label == "emulated time from the deployment start"
    shown = series(rates, "version 2")
    per_period = canary_rates(outcome)  # one rate per period, at the period's end
    assert [t for t, _ in shown] == [0, 60, 120, 180] == [t - 60 for t, _ in per_period] + [per_period[-1][0]]
    assert [r for _, r in shown] == pytest.approx([r for _, r in per_period] + [per_period[-1][1]])  # steps
    overall = [100 * sum(p.errors.values()) / sum(p.invocations.values()) for p in outcome.periods
               if p.end > outcome.started_at]
    assert [r for _, r in series(rates, "all versions")][:-1] == pytest.approx(overall)  # what a function alarm sees
    assert [(s.style, s.tone) for s in rates.series] == [("step", "bad"), ("step", "neutral")]  # the compared one
    assert [(t.value, t.label) for t in rates.thresholds] == [(2.0, "alarm: errors of version 2 > 2 %")]
    assert {m.label: m.at for m in rates.markers} == {"deployment start": 0.0, "rollback": back}
    to_alarm = next(e for e in outcome.events if e.kind == "alarm" and e.detail["new"] == "ALARM")
    (band,) = rates.bands
    assert band.start == to_alarm.at - outcome.started_at == back  # the rollout stops at that very evaluation
    assert back < band.end <= back + 0.03 * back + 1e-9  # visible, without stretching the axis past the end
    weights = series(chart(section, "Alias weight"), "version 2")
    assert weights[1] == (0.0, 10.0) and (back, 0.0) in weights and weights[-1][1] == 0.0
    events = {row[1].text: (row[0].text, row[2].text) for row in section.tables[0].rows}
    assert events["rollback"][0] == mmss(back) and events["traffic shift"][0] == "00:00"
    reason = events["alarm err"][1]
    datapoints = re.findall(r"(\d+\.\d\d) % \((\d\d:\d\d)\)", reason)
    assert reason.startswith("OK -> ALARM: Threshold Crossed: 3 out of the last 5 datapoints [")
    assert [float(v) for v, _ in datapoints] == [round(r, 2) for _, r in reversed(per_period)]  # newest first
    assert [at for _, at in datapoints] == ["02:00", "01:00", "00:00"]  # each period's start
    assert "the threshold (2 %)" in reason and not re.search(r"\d{5}|/26 ", reason)  # no raw ratio, no date
    assert f"rolled back {mmss(back)} after" in section.summary and section.text == outcome.describe()
    assert Section.from_json(json.loads(json.dumps(section.as_json()))) == section


def test_a_healthy_canary_reaches_all_the_traffic_without_an_alarm() -> None:
    outcome = rollout(0.0)
    section = canary_section(outcome)
    assert section.verdict == "good" and "canary.rollback_s" not in figures(section)
    assert figures(section)["canary.status"] == "Succeeded" and figures(section)["canary.peak_error_pct"] == 0
    weights = series(chart(section, "Alias weight"), "version 2")
    assert (300.0, 100.0) in weights and chart(section, "Error rate").bands == ()
    assert {m.label: m.at for m in chart(section, "Error rate").markers}["deployment Succeeded"] == 300.0


def test_partial_data_no_alarm_no_traffic_no_rollback_and_a_count_alarm() -> None:
    unwatched = canary_section(rollout(0.5, settings=GroupSettings(), alarms=[]))
    assert figures(unwatched)["canary.status"] == "Succeeded"
    assert chart(unwatched, "Error rate").thresholds == () and chart(unwatched, "Error rate").bands == ()

    silent = canary_section(rollout(0.5, rate=0))
    assert "canary.peak_error_pct" not in figures(silent) and series(chart(silent, "Error rate"), "version 2") == []

    no_rollback = replace(WATCHED, rollback_enabled=False)
    stopped = rollout(0.5, settings=no_rollback)
    section = canary_section(stopped)
    assert stopped.status == "Stopped" and "canary.rollback_s" not in figures(section)
    assert "without a rollback" in section.summary and chart(section, "Error rate").bands
    assert series(chart(section, "Alias weight"), "version 2")[-1][1] == 10.0  # the alias stays weighted

    counting = {"AlarmName": "err", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
                "Dimensions": [{"Name": "FunctionName", "Value": "fn"}], "Period": 60, "EvaluationPeriods": 1,
                "Threshold": 3, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}
    counted = canary_section(rollout(0.5, alarms=[counting]))
    assert chart(counted, "Error rate").thresholds == () and "does not compare a rate" in counted.tables[0].note


class _CodeDeploy:
    """A CodeDeploy client answering ``get_deployment`` with the given statuses in turn."""

    def __init__(self, statuses: list[str], rollback: bool) -> None:
        self.statuses, self.rollback = statuses, rollback

    def get_deployment(self, deploymentId: str) -> dict[str, Any]:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        info: dict[str, Any] = {"status": status}
        if self.rollback and status == "Stopped":
            info["rollbackInfo"] = {"rollbackDeploymentId": "d-BACK"}
            info["errorInformation"] = {"code": "ALARM_ACTIVE", "message": "alarm err is in ALARM"}
        return {"deploymentInfo": info}


@pytest.mark.parametrize(("statuses", "rollback"), [(["InProgress", "InProgress", "Stopped"], True),
                                                      (["Succeeded"], False)])
def test_a_wall_clock_deployment_without_periods(statuses: list[str], rollback: bool) -> None:
    client = _CodeDeploy(statuses, rollback)
    ticks = iter(range(0, 1000, 15))
    canary = WallClockCanary(lambda service: client, None, sleep=lambda s: None,  # type: ignore[arg-type]
                             now=lambda: float(next(ticks)))
    outcome = canary.wait("d-REAL", 600)
    section = canary_section(outcome, 5.0)
    assert section.charts == () and figures(section)["canary.status"] == statuses[-1]
    assert figures(section).get("canary.rollback_s") == outcome.rollback_after and figures(section)[
        "canary.failure_pct"] == 5.0
    assert [row[1].text for row in section.tables[0].rows][: len(outcome.polls)] == [
        f"status {status}" for _, status in outcome.polls]
    assert section.verdict == ("bad" if rollback else "good")


def test_detection_evidence_plots_what_the_runs_measured() -> None:
    base = Rollout(CANARY_5, WATCHED, "fn", "live", "1", "2", 0.0)
    alarms = [watched_alarm(alarm("2"))]
    spec = TrafficSpec(20)
    analysis = analyze_detection(base, spec, alarms, 0.05, seed=4, runs=20, resolution=0.01)
    found = DetectionEvidence(criterion=0.02)
    found.add_analysis(analysis)
    share = detection_probability(base, spec, alarms, 0.02, seed=4, runs=20)
    found.add_probability(0.02, share, 20)
    section = detection_section(found)
    (measured,) = section.charts
    assert measured.series[0].points == ((2.0, 100 * share), (5.0, 100 * analysis.probability))
    assert (measured.series[0].style, measured.y_max) == ("line", 100.0)  # measurements joined, points marked
    curve = dict(measured.series[1].points)  # what the bisection measured: the detection curve
    assert curve == {round(100 * rate, 4): 100 * rolled for rate, rolled in analysis.curve}
    assert len(curve) >= 5 and curve[5.0] == 100 * analysis.probability
    assert curve[round(100 * analysis.smallest_detectable, 4)] >= 95.0
    assert [t.value for t in measured.thresholds] == [95.0]
    assert analysis.smallest_detectable is not None and analysis.noise_free_threshold is not None
    markers = {m.label.split(" ")[0]: m.at for m in measured.markers}
    assert markers == {"alarm": 2.0, "noise-free": pytest.approx(100 * analysis.noise_free_threshold, abs=1e-3),
                       "smallest": pytest.approx(100 * analysis.smallest_detectable, abs=1e-3)}
    shown = figures(section)
    assert shown["detection.smallest_pct"] == float(f"{100 * analysis.smallest_detectable:.3g}")  # 3 digits
    assert shown["detection.noise_free_pct"] == float(f"{100 * analysis.noise_free_threshold:.3g}")
    assert shown["detection.probability_pct"] == pytest.approx(100 * share, rel=5e-3)  # the latest step's rate
    assert section.verdict == "good" and section.text == analysis.describe()


@pytest.mark.parametrize(("rate", "share", "tone"), [(0.005, 0.0, "good"), (0.005, 0.3, "warn"), (0.03, 0.97, "good"),
                                                     (0.03, 0.5, "warn")])
def test_detection_figures_are_toned_by_what_the_criterion_asks(rate: float, share: float, tone: str) -> None:
    """Not rolling back a canary failing less than the 2 % threshold is right; missing one above it is not."""
    found = DetectionEvidence(criterion=0.02)
    found.add_probability(rate, share, 100)
    figure = next(f for f in detection_section(found).figures if f.name == "detection.probability_pct")
    assert figure.tone == tone


def test_an_alarm_on_the_whole_function_and_the_logical_name_of_a_generated_one() -> None:
    physical = "ipp-huntaze-skeleton-20261122075839-fba2-MockReadFn-YXR245SFI9GC"
    whole = json.loads(json.dumps(alarm()).replace('"fn"', json.dumps(physical)))
    outcome = run_rollout(VirtualClock(seed=4), TrafficSpec(20), Rollout(CANARY_5, WATCHED, physical, "live", "1", "2",
                                                                         0.4), [whole])
    section = canary_section(outcome)
    rates = chart(section, "Error rate")
    assert [t.label for t in rates.thresholds] == ["alarm: errors of all versions > 2 %"]
    assert {s.name.split(" ")[0]: s.tone for s in rates.series} == {"version": "neutral", "all": "bad"}
    assert "MockReadFn:live" in section.title and physical not in section.title + section.summary
    assert canary_section(outcome, function="ReadFn").title.startswith("Canary deployment of ReadFn:live,")
    assert (logical_name(physical), logical_name("my-function"), logical_name("fn")) == ("MockReadFn", "my-function",
                                                                                        "fn")


def test_reasons_read_as_percentages_from_the_start_and_are_never_cut_mid_word() -> None:
    start = datetime(2026, 1, 5, 9, 7, tzinfo=UTC)
    reason = ("Threshold Crossed: 2 datapoints [0.04656862745098039 (05/01/26 09:08:00), 0.03996669442131557 "
              "(05/01/26 09:07:00)] were greater than the threshold (0.02).")
    assert readable_reason(reason, 100.0, start) == ("Threshold Crossed: 2 datapoints [4.66 % (01:00), 4.00 % (00:00)] "
                                                     "were greater than the threshold (2 %).")
    assert "3 (05/01/26 09:08:00)" in readable_reason(reason.replace("0.04656862745098039", "3"), None, None)
    cut = shorten("alpha beta gamma delta", 13)
    assert cut == "alpha beta\u2026" and shorten("short", 13) == "short"


def test_detection_of_a_canary_too_short_to_be_caught() -> None:
    short = Rollout(DeploymentConfig("TwoMinutes", "TimeBasedCanary", 10, 2), WATCHED, "fn", "live", "1", "2", 0.0)
    analysis = analyze_detection(short, TrafficSpec(20), [watched_alarm(alarm("2"))], 0.5, seed=4, runs=5,
                                 resolution=0.05)
    section = detection_section(analysis)
    assert section.verdict == "bad" and "detection.smallest_pct" not in figures(section)
    assert section.charts[0].series[0].points == ((50.0, 0.0),) and "no error rate" in section.summary
    assert detection_section(DetectionEvidence()).charts[0].series[0].points == ()


def _flag_alarm() -> dict[str, Any]:
    return {"AlarmName": "flag-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
            "Dimensions": [{"Name": "FunctionName", "Value": "fn"}], "Period": 60, "EvaluationPeriods": 1,
            "Threshold": 10, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}


def test_a_flag_rollout_with_the_steps_expected_shares() -> None:
    binding = FlagBinding("s", {"f": {"enabled": False}}, {})
    outcome = run_flag_rollout(VirtualClock(), binding, "f", "AppConfig.Canary10Percent20Minutes")
    section = flag_section(outcome, [(4, 10.0), (12, 40.0), (12, 50.0)])
    (shares,) = section.charts
    steps = series(shares, "clients")
    assert (240.0, 10.0) in steps and (1200.0, 100.0) in steps
    assert series(shares, "expected by the scenario (met)") == [(240.0, 10.0), (720.0, 40.0)]
    assert series(shares, "expected by the scenario (missed)") == [(720.0, 50.0)]
    assert figures(section) == {"flag.state": "COMPLETE", "flag.final_pct": 100.0, "flag.full_after_s": 1200.0}
    assert [row[2].tone for row in section.tables[0].rows] == ["good", "good", "bad"]


def test_a_flag_rolled_back_by_its_monitor() -> None:
    binding = FlagBinding("s", {"f": {"enabled": False}}, {}, ("flag-errors",))
    outcome = run_flag_rollout(VirtualClock(seed=2), binding, "f", "AppConfig.Linear20PercentEvery6Minutes",
                               spec=TrafficSpec(20), alarms=[_flag_alarm()], function="fn", alias="live",
                               version="1", flagged_failure_rate=0.2)
    section = flag_section(outcome)
    back = next(e.at for e in outcome.events if e.detail.get("state") == "ROLLED_BACK")
    origin = outcome.deployment.started_at or 0.0
    assert section.verdict == "bad" and {m.label: m.at for m in section.charts[0].markers} == {
        "rolled back": back - origin}
    assert "flag.full_after_s" not in figures(section) and section.tables == ()


FEATURE = """\
Feature: Canary, flag and scaling evidence
  Scenario: Rolled back
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 5% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: Too impatient
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    When version 3 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 5% of requests
    Then the deployment is rolled back within 1 minute

  Scenario: A flag expected too fast
    Given the "huntaze-skeleton" design is deployed
    When the flag "prismaAdapter" is rolled out with the strategy "Canary1Percent5Minutes"
    Then 20% of clients see it after 1 minute
    And 50% of clients see it after 1 minute

  Scenario: Still running a task
    Given the "cityguided" design is deployed
    When the service receives no requests for 10 minutes
    Then the service runs 0 tasks within 5 minutes of the last request

  Scenario: Woken up
    Given the "cityguided" design is deployed
    When requests arrive at 0.1 per second after 30 idle minutes
    Then the first request succeeds within 240 seconds
    And the scale-up breakdown is reported
"""

CONFTEST = """\
import json

import pytest

from pytest_infra_parity.report.recorder import recorded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "teardown":
        sections, _ = recorded(item)
        line = {"name": item.name, "sections": [section.as_json() for section in sections]}
        with open(item.config.rootpath / "recorded.jsonl", "a") as out:
            out.write(json.dumps(line) + "\\n")
    return report
"""


def _kinds(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["kind"]: s for s in entry["sections"] if s["kind"] != "deploy"}


def _figures(section: dict[str, Any]) -> dict[str, Any]:
    return {figure["name"]: figure["value"] for figure in section["figures"]}


def test_the_steps_record_canary_flag_and_scaling_evidence_also_when_they_fail(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", evidence=FEATURE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml", "-rx")
    result.assert_outcomes(passed=2, failed=2, xfailed=1)
    lines = (pytester.path / "recorded.jsonl").read_text().splitlines()
    found = {entry["name"]: _kinds(entry) for entry in map(json.loads, lines)}

    for name in ("test_rolled_back", "test_too_impatient"):
        assert list(found[name]) == ["canary"]
        canary = found[name]["canary"]
        assert _figures(canary)["canary.rollback_s"] == 180 and _figures(canary)["canary.status"] == "Stopped"
        assert [c["kind"] for c in canary["charts"]] == ["xy", "xy"]

    flag = found["test_a_flag_expected_too_fast"]["flag"]  # one section, with both steps' expectations
    assert [s["name"] for s in flag["charts"][0]["series"]] == [
        "clients served the new value", "expected by the scenario (met)", "expected by the scenario (missed)"]

    zero = found["test_still_running_a_task"]["scaling"]  # the xfailing criterion recorded its measurement
    assert zero["verdict"] == "bad" and _figures(zero)["scaling.zero_after_s"] > 300
    assert [c["kind"] for c in zero["charts"]] == ["xy", "stacked"]
    woken = found["test_woken_up"]["scaling"]  # recorded once by the criterion, not again by the breakdown
    assert [b["label"] for b in woken["charts"][1]["bars"]][:4] == ["alarm", "scaling", "provisioning",
                                                                    "health checks"]
    assert _figures(woken)["scaling.first_success_s"] <= 240

    junit = ET.parse(pytester.path / "junit.xml").getroot()
    properties = {case.get("name"): [(p.get("name", ""), p.get("value", "")) for p in case.iter("property")]
                  for case in junit.iter("testcase")}
    for name in ("test_too_impatient", "test_rolled_back"):
        rollback = [float(value) for prop, value in properties[name] if prop == "infra.canary.rollback_s"]
        assert rollback == [180.0]
    flag_figures = [name for name, _ in properties["test_a_flag_expected_too_fast"] if name.startswith("infra.flag")]
    assert sorted(flag_figures) == ["infra.flag.final_pct", "infra.flag.full_after_s", "infra.flag.state"]  # no dupes
    assert any(name == "infra.scaling.zero_after_s" for name, _ in properties["test_still_running_a_task"])
