"""Feature-flag rollouts of a deployed design: its AppConfig strategies, flags and monitors, emulated.

The flags come from the design's hosted configuration (AWS::AppConfig::HostedConfigurationVersion of an
``AWS.AppConfig.FeatureFlags`` profile), the strategies from its AWS::AppConfig::DeploymentStrategy
resources (by Name or logical id) plus AppConfig's predefined ones, and the environment's alarm monitors
from AWS::AppConfig::Environment ``Monitors``. moto has no AppConfig environments, strategies or
deployments (the deployer emulates the first two), so the template is the source; a rollout is
emulated on the virtual clock and nothing is written to the target.

With monitors, the rollout runs the traffic model and CloudWatch too: a flagged request fails with
``flagged_failure_rate`` (the function's error rate is the mix of flagged and unflagged requests in the
share AppConfig has reached), and an alarm reaching ALARM during the deployment or the bake time rolls
the flag back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.sim.appconfig import (
    AppConfigDeployment,
    Strategy,
    parse_flags,
    resolve_strategy,
    strategy_from_properties,
)
from pytest_infra_parity.sim.canary_binding import StackLike
from pytest_infra_parity.sim.canary_watch import CloudWatchEmulation, watched_alarm
from pytest_infra_parity.sim.clock import Event, VirtualClock
from pytest_infra_parity.sim.traffic import MetricStore, TrafficModel, TrafficSpec

__all__ = ["FlagBinding", "FlagOutcome", "flag_binding_from_stack", "run_flag_rollout"]


@dataclass(frozen=True)
class FlagBinding:
    """Flags, strategies and environment monitors of a stack's AppConfig resources."""

    stack: str
    flags: dict[str, dict[str, Any]]
    strategies: dict[str, Strategy]
    monitors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _strategies(stack: StackLike) -> dict[str, Strategy]:
    found: dict[str, Strategy] = {}
    for lid, decl in stack.template.resources.items():
        if decl.resource_type == "AWS::AppConfig::DeploymentStrategy" and lid in stack.resources:
            props = stack.resources[lid].properties
            name = str(props.get("Name") or lid)
            found[name] = found[lid] = strategy_from_properties(name, props)
    return found


def flag_binding_from_stack(stack: StackLike) -> FlagBinding:
    """Read the AppConfig side of a deployed stack (see the module docstring)."""
    flags: dict[str, dict[str, Any]] = {}
    monitors: list[str] = []
    for lid, decl in stack.template.resources.items():
        if lid not in stack.resources:
            continue
        props = stack.resources[lid].properties
        if decl.resource_type == "AWS::AppConfig::HostedConfigurationVersion" and props.get("Content"):
            flags.update(parse_flags(str(props["Content"]), f"stack {stack.name}: {lid}"))
        if decl.resource_type == "AWS::AppConfig::Environment":
            monitors += [str(m.get("AlarmArn", "")).split(":alarm:")[-1] for m in props.get("Monitors") or []]
    notes = () if monitors else ("the AppConfig environment has no alarm monitor: AppConfig cannot roll a flag "
                                 "back by itself",)
    return FlagBinding(stack.name, flags, _strategies(stack), tuple(monitors), notes)


@dataclass
class FlagOutcome:
    """An emulated flag rollout: the share of clients served the new value over time."""

    flag: str
    old_value: dict[str, Any]
    new_value: dict[str, Any]
    deployment: AppConfigDeployment
    events: list[Event]
    notes: list[str] = field(default_factory=list)

    def percentage_after(self, minutes: float) -> float:
        return self.deployment.percentage_at(60.0 * minutes)

    @property
    def rolled_back(self) -> bool:
        return self.deployment.state == "ROLLED_BACK"

    def describe(self) -> str:
        d = self.deployment
        start = d.started_at or 0.0
        lines = [f"AppConfig rollout of flag {self.flag}: {self.old_value} -> {self.new_value} with "
                 f"{d.strategy.describe()}", f"result: {d.state}"]
        lines += [f"note: {n}" for n in self.notes]
        lines.append("share of clients served the new value (minutes after the start):")
        for at, share in d.history:
            lines.append(f"  +{(at - start) / 60:7.2f} min  {share:6.2f}%")
        lines += [f"  +{(e.at - start) / 60:7.2f} min  {e.detail.get('state')} "
                  f"{'(alarm ' + str(e.detail['alarm']) + ')' if 'alarm' in e.detail else ''}".rstrip()
                  for e in self.events if e.kind == "appconfig" and "percentage" not in e.detail]
        return "\n".join(lines)


def _monitored(clock: VirtualClock, spec: TrafficSpec, alarms: Sequence[Mapping[str, Any]], function: str,
               alias: str, version: str) -> tuple[CloudWatchEmulation, TrafficModel]:
    traffic = TrafficModel(clock, spec, function_name=function, alias=alias, store=MetricStore(60))
    traffic.set_routing(version)
    watch = CloudWatchEmulation(clock, traffic, [watched_alarm(a, "OK") for a in alarms])
    watch.start()
    return watch, traffic


def run_flag_rollout(clock: VirtualClock, binding: FlagBinding, flag: str, strategy: str, *,
                     spec: TrafficSpec | None = None, alarms: Sequence[Mapping[str, Any]] = (),
                     function: str = "", alias: str = "", version: str = "", flagged_failure_rate: float = 0.0
                     ) -> FlagOutcome:
    """Roll ``flag`` out (switched on) with ``strategy``; with monitors, under traffic and CloudWatch."""
    if flag not in binding.flags:
        raise ConfigError(f"stack {binding.stack} has no flag {flag!r} in its hosted configuration; flags: "
                          f"{', '.join(sorted(binding.flags)) or 'none'}")
    chosen = resolve_strategy(strategy, binding.strategies)
    first = len(clock.timeline)
    watch = traffic = None
    if alarms and spec is not None:
        watch, traffic = _monitored(clock, spec, alarms, function, alias, version)

    def mix(share: float) -> None:
        if traffic is not None:
            mixed = share / 100 * flagged_failure_rate + (1 - share / 100) * traffic.spec.baseline_error_rate
            traffic.set_error_rate(version, mixed)

    deployment = AppConfigDeployment(clock, chosen, subject=f"flag {flag}", monitors=binding.monitors,
                                     alarm_state=watch.state if watch else None,
                                     sync=watch.sync if watch else (lambda: None), on_percentage=mix)
    if watch is not None:
        watch.observers.append(deployment.check_monitors)
    deployment.start()
    clock.run_while(lambda: not deployment.done, limit=chosen.total_seconds + 60)
    if watch is not None:
        watch.stop()
    old = binding.flags[flag]
    return FlagOutcome(flag, old, {**old, "enabled": True}, deployment, clock.timeline.events[first:],
                       list(binding.notes))
