"""A CodeDeploy rollout under real load: the emulated control plane on a compressed clock, real requests.

The same rollout as :meth:`pytest_infra_parity.sim.canary_controller.CanaryController.rollout` (publish
a version, update the alarms the template derives from it, shift the alias, watch the alarms, roll
back on alarm), except that the traffic is real: Locust's requests go through the local runtime, whose
alias routing follows each shift at once, and the new version fails its requests through the fault
injection (``INFRA_PARITY_FAULTS``). The CloudWatch emulation reads the metrics of those invocations
(:class:`~.live_traffic.LiveTraffic`), so an alarm fires when the real errors cross its threshold. The
outcome is a :class:`~pytest_infra_parity.sim.canary_run.CanaryOutcome`, with notes on the load: the
canary's requests per period, the time compression, and a warning when the load is too thin.
"""

from __future__ import annotations

import math
from typing import Any

from pytest_infra_parity.load.compression import judge_load
from pytest_infra_parity.load.live_traffic import LiveTraffic, VirtualGate
from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime
from pytest_infra_parity.sim.canary_controller import CanaryController
from pytest_infra_parity.sim.canary_run import CanaryOutcome, Rollout, warmup_seconds
from pytest_infra_parity.sim.canary_watch import CloudWatchEmulation, watched_alarm
from pytest_infra_parity.sim.codedeploy import LambdaDeployment
from pytest_infra_parity.sim.traffic import TrafficSpec

__all__ = ["run_live_rollout"]


def _prepare(controller: CanaryController, label: str, config_name: str | None, failure_rate: float,
             runtime: LambdaRuntime) -> tuple[Rollout, list[Any], dict[str, Any]]:
    target, binding = controller.target, controller.binding
    config = controller.config(config_name)
    settings = target.group_settings()
    old = target.alias().version
    new = target.publish(label)
    derived = target.derived_alarms(new)
    target.put_alarms(derived)
    alarms = [watched_alarm(a) for a in target.alarms(settings.alarms)]
    runtime.faults.set(binding.function_name, new, error_rate=failure_rate)
    rollout = Rollout(config, settings, binding.function_name, binding.alias, old, new, failure_rate,
                      deployment_id=f"d-LIVE{len(controller.outcomes) + 1}", label=label)
    return rollout, alarms, derived


def _drive(controller: CanaryController, runtime: LambdaRuntime, spec: TrafficSpec, rollout: Rollout,
           alarms: list[Any], step: float, stall_seconds: float) -> tuple[LambdaDeployment, LiveTraffic, VirtualGate,
                                                                          float, int]:
    clock, target = controller.clock, controller.target
    period_ticks = [a.spec.period for a in alarms if a.spec.period < 60]
    tick = min([60, *period_ticks])
    start = math.ceil((clock.now + warmup_seconds(alarms, tick)) / tick) * tick
    gate = VirtualGate(spec.requests_per_second, start, stall_seconds=stall_seconds)
    traffic = LiveTraffic(clock, spec, gate, function_name=rollout.function, alias=rollout.alias, tick=tick)
    traffic.set_routing(rollout.old_version)
    traffic.set_error_rate(rollout.new_version, rollout.failure_rate)
    cloudwatch = CloudWatchEmulation(clock, traffic, alarms, delay=controller.binding.settings.metric_delay_seconds,
                                     on_transition=target.set_state)
    first_event = len(clock.timeline)

    def route(primary: str, additional: dict[str, float]) -> None:
        traffic.set_routing(primary, additional)
        runtime.set_routing(rollout.function, rollout.alias, primary, additional)
        target.route(primary, additional)

    deployment = LambdaDeployment(clock, deployment_id=rollout.deployment_id, config=rollout.config,
                                  settings=rollout.settings, function=rollout.function, alias=rollout.alias,
                                  old_version=rollout.old_version, new_version=rollout.new_version, route=route,
                                  alarm_state=cloudwatch.state, sync=cloudwatch.sync)
    cloudwatch.observers.append(deployment.check_alarms)
    runtime.set_routing(rollout.function, rollout.alias, rollout.old_version, {})
    runtime.set_gate(rollout.function, rollout.alias, gate)
    try:
        cloudwatch.start()
        clock.schedule(start, deployment.start, label=f"deployment {rollout.deployment_id}")
        clock.run_until(start)
        moment, limit = start, start + rollout.config.duration + tick
        while not deployment.done and moment < limit:
            gate.open_until(moment + step)
            gate.wait_arrivals(moment + step)
            moment += step
            clock.run_until(moment)
        cloudwatch.stop()
        traffic.generate_until(clock.now)
    finally:
        gate.close()
        runtime.set_gate(rollout.function, rollout.alias, None)
        runtime.router.unpin(rollout.function, rollout.alias)
    return deployment, traffic, gate, start, first_event


def run_live_rollout(controller: CanaryController, runtime: LambdaRuntime, spec: TrafficSpec, *, label: str,
                     config_name: str | None, failure_rate: float, step: float = 1.0, stall_seconds: float = 30.0,
                     real_rps: float | None = None) -> CanaryOutcome:
    """Ship version ``label`` failing ``failure_rate`` of its requests while real load flows; the outcome."""
    rollout, alarms, derived = _prepare(controller, label, config_name, failure_rate, runtime)
    deployment, traffic, gate, start, first = _drive(controller, runtime, spec, rollout, alarms, step, stall_seconds)
    clock = controller.clock
    outcome = CanaryOutcome(rollout, spec, deployment.status, start, deployment.ended_at, deployment.stopped_by,
                            deployment.rolled_back, alarms, list(traffic.periods), clock.timeline.events[first:])
    if derived:
        outcome.notes.append(f"alarm(s) {', '.join(derived)} updated for version {rollout.new_version} before the "
                             "first shift (the template derives them from the function's version)")
    if outcome.rolled_back and derived:
        controller.target.put_alarms({n: controller.binding.alarms[n].properties for n in derived})
        outcome.notes.append("after the rollback the alarm update is rolled back too, as the stack update is")
    outcome.notes.append(f"real load: the alarms' warm-up before virtual second {start:g} used the emulated traffic "
                         f"model; from the deployment's start every request was real ({len(gate.records)} requests "
                         f"through {rollout.function}:{rollout.alias})")
    threshold = next((a.spec.threshold for a in alarms if 0 < a.spec.threshold < 1), 0.02)
    verdict = judge_load(traffic.periods, rollout.new_version, start, threshold)
    outcome.notes += verdict.describe(rollout.new_version, gate.compression, real_rps)
    throttled = sum(traffic.throttles.values())
    if throttled:
        outcome.notes.append(f"{throttled} requests were throttled (not counted as invocations, as Lambda counts them)")
    outcome.notes += controller.target.notes
    controller.outcomes.append(outcome)
    return outcome
