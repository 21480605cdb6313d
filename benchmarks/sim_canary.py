"""Simulated time / wall time of the canary emulation: one simulated day with alarms and a deployment.

The day: 20 requests/s of Poisson traffic through an alias for 24 h, two alarms evaluated every minute
(huntaze's whole-function error rate and the corrected design's ExecutedVersion one, metric math
``errors / invocations``), and a CodeDeployDefault.LambdaLinear10PercentEvery10Minutes deployment at noon
whose new version fails 1% of its requests (no rollback: it stays under 2%). Also timed: one emulated
Canary10Percent5Minutes rollout (what a `When version ... is rolled out` step costs) and one design
analysis (the `Then a canary failing 5% ... is detected` step, 100 emulated deployments per rate).
The target is a simulated day in under 5 s of wall time. Run: ``python benchmarks/sim_canary.py``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from pytest_infra_parity.sim.canary_analysis import analyze_detection
from pytest_infra_parity.sim.canary_run import Rollout, run_rollout
from pytest_infra_parity.sim.canary_watch import CloudWatchEmulation, watched_alarm
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import PREDEFINED, GroupSettings, LambdaDeployment
from pytest_infra_parity.sim.traffic import MetricStore, TrafficModel, TrafficSpec

TARGET_SECONDS = 5.0
DAY = 86_400.0
SETTINGS = GroupSettings(("function-errors", "canary-errors"), True, False, True, ("DEPLOYMENT_STOP_ON_ALARM",))


def alarm(name: str, version: str | None) -> dict[str, Any]:
    dimensions = [{"Name": "FunctionName", "Value": "fn"}]
    if version:
        dimensions += [{"Name": "Resource", "Value": "fn:live"}, {"Name": "ExecutedVersion", "Value": version}]
    queries = [{"Id": qid, "ReturnData": False, "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {
        "Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions}}}
        for qid, metric in (("errors", "Errors"), ("invocations", "Invocations"))]
    return {"AlarmName": name, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.02,
            "EvaluationPeriods": 5, "DatapointsToAlarm": 3, "TreatMissingData": "notBreaching", "StateValue": "OK",
            "Metrics": [{"Id": "rate", "Expression": "errors / invocations", "ReturnData": True}, *queries]}


def one_day() -> tuple[float, int, str]:
    """Wall seconds, timeline events and the deployment's status for a simulated day."""
    start = time.perf_counter()
    clock = VirtualClock(seed=4)
    traffic = TrafficModel(clock, TrafficSpec(20), function_name="fn", alias="live", store=MetricStore(60))
    traffic.set_routing("1")
    traffic.set_error_rate("2", 0.01)
    watch = CloudWatchEmulation(clock, traffic, [watched_alarm(alarm("function-errors", None)),
                                                 watched_alarm(alarm("canary-errors", "2"))])
    deployment = LambdaDeployment(clock, deployment_id="d-BENCH", config=PREDEFINED[
        "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"], settings=SETTINGS, function="fn", alias="live",
        old_version="1", new_version="2", route=traffic.set_routing, alarm_state=watch.state, sync=watch.sync)
    watch.observers.append(deployment.check_alarms)
    watch.start()
    clock.schedule(DAY / 2, deployment.start)
    clock.run_until(DAY)
    traffic.generate_until(DAY)
    return time.perf_counter() - start, len(clock.timeline), deployment.status


def one_rollout() -> float:
    start = time.perf_counter()
    run_rollout(VirtualClock(seed=4), TrafficSpec(20), Rollout(
        PREDEFINED["CodeDeployDefault.LambdaCanary10Percent5Minutes"], SETTINGS, "fn", "live", "1", "2", 0.05),
        [alarm("function-errors", None), alarm("canary-errors", "2")])
    return time.perf_counter() - start


def one_analysis() -> tuple[float, float | None]:
    start = time.perf_counter()
    settings = GroupSettings(("function-errors",), True, False, True, ("DEPLOYMENT_STOP_ON_ALARM",))
    result = analyze_detection(Rollout(PREDEFINED["CodeDeployDefault.LambdaCanary10Percent5Minutes"], settings, "fn",
                                       "live", "1", "2", 0.05), TrafficSpec(20),
                               [watched_alarm(alarm("function-errors", None))], 0.05, seed=4)
    return time.perf_counter() - start, result.smallest_detectable


def main() -> int:
    wall, events, status = one_day()
    print(f"one simulated day (20 req/s, 2 alarms every minute, a 90-min linear deployment): {wall:.2f} s wall, "
          f"{events} timeline events, deployment {status}")
    print(f"simulated time / wall time: {DAY / wall:,.0f} x (target: a day in under {TARGET_SECONDS:g} s)")
    rollout = one_rollout()
    print(f"one emulated Canary10Percent5Minutes rollout with warm-up: {rollout * 1000:.1f} ms wall "
          f"({(7 + 5) * 60 / rollout:,.0f} x)")
    analysis, smallest = one_analysis()
    shown = "none" if smallest is None else f"{smallest:.1%}"
    print(f"one design analysis (100 emulated deployments per rate, bisection): {analysis:.2f} s wall, smallest "
          f"detectable canary error rate for the whole-function alarm: {shown}")
    return 0 if wall < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
