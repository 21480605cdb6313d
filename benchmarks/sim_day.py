"""Simulated time / wall time of one simulated day with alarms, scaling and deployments on one clock.

Issue 4's target: "one simulated day of a service with alarms, scaling and a deployment in under 5 s of
wall time". One virtual clock carries both emulations for 24 hours:

- the cityguided ECS service (the as-written design, then its corrected variant), its configuration read
  back from an embedded moto server as the scaling steps read it: six staging sessions of 30 minutes at 5
  requests a minute with idle hours between them, so the day holds six scale-ups from zero (wake-up alarm,
  Fargate start, health checks) and six scale-to-zero cycles (idle alarm, draining), plus target tracking
  and every alarm evaluated each minute; the corrected variant's scheduled actions keep a task warm during
  working hours;
- a Lambda function behind a ``live`` alias at 20 requests/s (Poisson), three alarms evaluated every minute
  (the whole-function error rate, and the SAM safe-deployment alarm on ExecutedVersion for versions 2 and
  3), and two CodeDeploy deployments: version 2 at +03:00 with LambdaLinear10PercentEvery10Minutes failing
  1 % of its requests (it goes through: under the 2 % threshold) and version 3 at +06:00 with
  LambdaCanary10Percent5Minutes failing 5 % (stopped by the ExecutedVersion alarm and rolled back).

Deploying the designs on moto is set-up and not timed. Run: ``python benchmarks/sim_day.py``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from sim_canary import alarm
from sim_scaling import configs

from pytest_infra_parity.sim.canary_watch import CloudWatchEmulation, watched_alarm
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import PREDEFINED, GroupSettings, LambdaDeployment
from pytest_infra_parity.sim.scaling_config import ScalingConfig
from pytest_infra_parity.sim.scaling_model import ScalingModel
from pytest_infra_parity.sim.traffic import MetricStore, TrafficModel, TrafficSpec

DAY = 86_400.0
TARGET_SECONDS = 5.0
SESSIONS_UTC = (0.5, 2.5, 5.0, 8.0, 11.0, 14.0)  # hours after the clock's start (Monday 09:00 UTC)


@dataclass(frozen=True)
class DayResult:
    wall: float
    events: int
    scale_ups: int
    scale_ins: int
    deployments: tuple[str, ...]


def _deployment(clock: VirtualClock, traffic: TrafficModel, watch: CloudWatchEmulation, number: int, config: str,
                old: str, new: str) -> LambdaDeployment:
    settings = GroupSettings(("function-errors", f"canary-errors-v{new}"), True, False, True,
                             ("DEPLOYMENT_STOP_ON_ALARM",))
    deployment = LambdaDeployment(clock, deployment_id=f"d-DAY{number}", config=PREDEFINED[config],
                                  settings=settings, function="fn", alias="live", old_version=old, new_version=new,
                                  route=traffic.set_routing, alarm_state=watch.state, sync=watch.sync)
    watch.observers.append(deployment.check_alarms)
    return deployment


def one_day(config: ScalingConfig) -> DayResult:
    """Both emulations on one clock for a simulated day; wall seconds and what happened."""
    started = time.perf_counter()
    clock = VirtualClock(seed=7)
    service = ScalingModel(config, clock=clock)
    service.set_rate(0.0, 0.0)
    for hour in SESSIONS_UTC:
        service.set_rate(hour * 3600.0, 5 / 60)
        service.set_rate(hour * 3600.0 + 1800.0, 0.0)
    traffic = TrafficModel(clock, TrafficSpec(20), function_name="fn", alias="live", store=MetricStore(60))
    traffic.set_routing("1")
    traffic.set_error_rate("2", 0.01)
    traffic.set_error_rate("3", 0.05)
    watch = CloudWatchEmulation(clock, traffic, [watched_alarm(alarm("function-errors", None)),
                                                 watched_alarm(alarm("canary-errors-v2", "2")),
                                                 watched_alarm(alarm("canary-errors-v3", "3"))])
    linear = _deployment(clock, traffic, watch, 1, "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", "1", "2")
    canary = _deployment(clock, traffic, watch, 2, "CodeDeployDefault.LambdaCanary10Percent5Minutes", "2", "3")
    watch.start()
    clock.schedule(3 * 3600.0, linear.start)
    clock.schedule(6 * 3600.0, canary.start)
    service.run_until(DAY)
    traffic.generate_until(DAY)
    wall = time.perf_counter() - started
    activities = [e for e in clock.timeline.of_kind("activity") if e.detail.get("status") == "Successful"]
    scale_ups = sum(1 for e in activities if e.detail.get("old") == 0 and int(e.detail.get("new", 0)) > 0)
    scale_ins = sum(1 for e in activities if e.detail.get("new") == 0)
    outcomes = tuple(f"{d.id} {d.config.name.removeprefix('CodeDeployDefault.')} v{d.old_version}->v{d.new_version}: "
                     f"{d.status}{' (rolled back)' if d.rolled_back else ''}" for d in (linear, canary))
    return DayResult(wall, len(clock.timeline), scale_ups, scale_ins, outcomes)


def main() -> int:
    worst = 0.0
    for design, config in configs().items():
        result = one_day(config)
        worst = max(worst, result.wall)
        print(f"{design:<22} one simulated day in {result.wall:6.3f} s wall  ratio {DAY / result.wall:>9,.0f}x  "
              f"({result.events} timeline events; {result.scale_ups} scale-ups from zero, {result.scale_ins} "
              f"scale-ins to zero; {'; '.join(result.deployments)})")
    verdict = "met" if worst < TARGET_SECONDS else "NOT met"
    print(f"slowest simulated day: {worst:.3f} s, simulated time / wall time {DAY / worst:,.0f}x "
          f"(target: a day in under {TARGET_SECONDS:g} s): {verdict}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
