"""Readable scaling analyses: the measured stages, the best case the configuration allows, and why.

The best case is computed from the configuration, not measured: for a scale-up through an alarm, the
alarm stage cannot be shorter than the wait for the first evaluation that sees the request's period
(:func:`alarm_floor`), and the other stages than their fixed latencies plus the fastest Fargate start.
When that sum already exceeds the criterion, no seed and no luck make the design meet it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_infra_parity.sim.alarm_spec import as_alarm
from pytest_infra_parity.sim.scaling_analysis import UP_STAGES, ZERO_STAGES, RunSet
from pytest_infra_parity.sim.scaling_config import ScalingConfig

__all__ = ["alarm_floor", "best_case", "explain"]


def alarm_floor(config: ScalingConfig, alarm: Mapping[str, Any]) -> float:
    """The shortest time from a request to the evaluation that puts ``alarm`` in ALARM because of it."""
    spec = as_alarm(alarm)
    timings = config.timings
    second, delay = timings.alarm_evaluation_second, timings.metric_delay
    if spec.period < 60:
        wait = delay + (-delay) % 10.0  # evaluated every 10 s
    else:
        wait = second if second >= delay else 60.0 + second
        wait += (spec.period - 60) if spec.period > 60 else 0.0
    return wait + (spec.datapoints_to_alarm - 1) * spec.period


def _alarm(config: ScalingConfig, name: str) -> Mapping[str, Any] | None:
    return next((a for a in config.alarms if a.get("AlarmName") == name), None)


def best_case(config: ScalingConfig, trigger: str) -> list[tuple[str, float, str]]:
    """The scale-up stages at their fastest, with what bounds each."""
    timings, task = config.timings, config.timings.task
    alarm = _alarm(config, trigger)
    checks = config.health.initial_checks
    return [
        ("alarm", alarm_floor(config, alarm) if alarm is not None else 0.0,
         f"a request at the very end of a period, datapoint visible {timings.metric_delay:g} s later, evaluation at "
         f"second {timings.alarm_evaluation_second:g}"),
        ("scaling", timings.scaling_action, "alarm action to UpdateService"),
        ("provisioning", task.scheduler + timings.start_latency.low,
         f"scheduler {task.scheduler:g} s + fastest Fargate start {timings.start_latency.low:g} s"),
        ("health checks", task.app_ready + (checks - 1) * config.health.interval,
         f"application ready after {task.app_ready:g} s, {checks} passed check(s) "
         f"{config.health.interval} s apart"),
    ]


def _header(runs: RunSet) -> str:
    what = "scale-up from zero" if runs.kind == "scale-up" else "scale to zero tasks"
    count = len(runs.runs)
    if not runs.totals:
        return f"{what}: not reached in any of {count} seeded runs; criterion {runs.criterion:.0f} s: NOT MET"
    above = sum(1 for t in runs.totals if t > runs.criterion) + runs.unfinished
    verdict = "met" if runs.meets else f"NOT MET ({above} of {count} runs above)"
    spread = f"{runs.totals[0]:.0f}-{runs.totals[-1]:.0f} s" + (f", {runs.unfinished} unfinished" if runs.unfinished
                                                                 else "")
    return (f"{what}: median {runs.median:.0f} s ({spread} over {count} seeded runs); criterion "
            f"{runs.criterion:.0f} s: {verdict}")


def explain(config: ScalingConfig, runs: RunSet) -> str:
    """The stages (medians), and for a missed scale-up criterion the best case and the reason."""
    lines = [_header(runs)]
    stages = UP_STAGES if runs.kind == "scale-up" else ZERO_STAGES
    notes = _stage_notes(config, runs.kind)
    for name in stages:
        value = runs.stage_median(name)
        if value is not None:
            lines.append(f"  {name:<15} median {value:5.0f} s  {notes.get(name, '')}".rstrip())
    warm = runs.stage_median("served by a running task")
    if warm is not None:
        lines.append(f"  served by a running task (no scale-up needed): median {warm:.0f} s")
    trigger = next((r.trigger for r in runs.runs if r.trigger), "")
    if runs.kind == "scale-up" and trigger:
        best = best_case(config, trigger)
        total = sum(seconds for _, seconds, _ in best)
        lines.append(f"  best case on this configuration: {total:.0f} s = "
                     + " + ".join(f"{name} {seconds:.0f} s" for name, seconds, _ in best))
        if total > runs.criterion:
            lines.append(f"  why it cannot meet {runs.criterion:.0f} s: the wake-up goes through a CloudWatch alarm on "
                         f"one-minute load balancer metrics ({best[0][2]}: at least {best[0][1]:.0f} s), then a "
                         f"Fargate start (at least {best[2][1]:.0f} s) and a health check; together at least "
                         f"{total:.0f} s before the first successful response, whatever the seed")
    if runs.kind == "scale-up" and runs.peak_desired > 1:
        lines.append(f"  note: desired count peaked at {runs.peak_desired} during the wake-up: the scale-out alarm "
                     "stays in ALARM while no target is healthy, and its policy adds a task at each evaluation once "
                     "its cooldown has ended")
    if config.notes:
        lines.append("  configuration notes: " + "; ".join(config.notes))
    return "\n".join(lines)


def _stage_notes(config: ScalingConfig, kind: str) -> dict[str, str]:
    timings, task, health = config.timings, config.timings.task, config.health
    latency = timings.start_latency
    if kind == "scale-up":
        return {
            "alarm": f"(the request's period must end, its datapoint be visible {timings.metric_delay:g} s later and "
                     f"CloudWatch evaluate at second {timings.alarm_evaluation_second:g})",
            "scaling": "(alarm action to UpdateService desiredCount)",
            "provisioning": f"(ECS scheduler {task.scheduler:g} s + Fargate start {latency.low:g}-{latency.high:g} s, "
                            f"mode {latency.mode:g} s)",
            "health checks": f"(registration to {health.initial_checks} passed check(s), every {health.interval} s; "
                             f"application ready {task.app_ready:g} s after RUNNING)",
            "first response": "(the next request once a target is healthy; earlier ones got 503)",
        }
    return {
        "alarm": "(the scale-in alarm's idle periods, then its evaluation)",
        "scaling": "(alarm action to UpdateService desiredCount 0)",
        "draining": f"(ECS scheduler {task.scheduler:g} s + deregistration delay {config.deregistration_delay:g} s)",
        "stopping": f"(container stop, {task.stop:g} s)",
    }
