"""A canary controller bound to a deployed stack: emulated rollouts written back, and detection analysis.

:meth:`CanaryController.rollout` behaves as the stack update that ships new code: it publishes a version,
updates what the template derives from it (the SAM safe-deployment alarm on ExecutedVersion), then lets
the emulated CodeDeploy shift the alias while the emulated CloudWatch evaluates the group's alarms on
the traffic model's metrics, writing every shift and transition to the target. A rollback also rolls the
alarm update back (as CloudFormation's UPDATE_ROLLBACK would); the published version stays (SAM's
versions are retained). :meth:`CanaryController.analyze` runs the design analysis on the same
configuration without touching the target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.sim.canary_analysis import DetectionAnalysis, analyze_detection, detection_probability
from pytest_infra_parity.sim.canary_binding import CanaryBinding
from pytest_infra_parity.sim.canary_run import CanaryOutcome, Rollout, run_rollout
from pytest_infra_parity.sim.canary_target import CanaryTarget
from pytest_infra_parity.sim.canary_watch import watched_alarm
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import DeploymentConfig, resolve_config
from pytest_infra_parity.sim.traffic import TrafficSpec

__all__ = ["CanaryController"]


class CanaryController:
    """Rollouts and analyses of one traffic-shifted function of a deployed stack."""

    def __init__(self, clients: Callable[[str], Any], binding: CanaryBinding, *, clock: VirtualClock,
                 traffic: Callable[[], TrafficSpec]) -> None:
        self.binding = binding
        self.target = CanaryTarget(clients, binding)
        self.clock = clock
        self._traffic = traffic
        self.outcomes: list[CanaryOutcome] = []
        self._touched = False

    def config(self, name: str | None = None) -> DeploymentConfig:
        """The named configuration, or the deployment group's own."""
        chosen = name or self.target.deployment_config_name()
        return resolve_config(chosen, self.binding.settings.deployment_configs, self.target.lookup_config)

    def rollout(self, label: str, config_name: str | None, failure_rate: float) -> CanaryOutcome:
        """Ship version ``label`` failing ``failure_rate`` of its requests, with the named configuration."""
        config = self.config(config_name)
        settings = self.target.group_settings()
        old = self.target.alias().version
        self._touched = True
        new = self.target.publish(label)
        derived = self.target.derived_alarms(new)
        self.target.put_alarms(derived)
        alarms = self.target.alarms(settings.alarms)
        rollout = Rollout(config, settings, self.binding.function_name, self.binding.alias, old, new, failure_rate,
                          deployment_id=f"d-EMULATED{len(self.outcomes) + 1}", label=label)
        outcome = run_rollout(self.clock, self._traffic(), rollout, alarms,
                              delay=self.binding.settings.metric_delay_seconds, on_route=self.target.route,
                              on_transition=self.target.set_state)
        if derived:
            outcome.notes.append(f"alarm(s) {', '.join(derived)} updated for version {new} before the first shift "
                                 "(the template derives them from the function's version)")
        if outcome.rolled_back and derived:
            self.target.put_alarms({n: self.binding.alarms[n].properties for n in derived})
            outcome.notes.append("after the rollback the alarm update is rolled back too, as the stack update is")
        outcome.notes += self.target.notes
        self.outcomes.append(outcome)
        return outcome

    def _dry_rollout(self, config_name: str | None, failure_rate: float) -> tuple[Rollout, list[Any]]:
        config = self.config(config_name)
        settings = self.target.group_settings()
        old = self.target.alias().version
        new = str(int(old) + 1) if old.isdigit() else f"{old}+1"
        stored = {a["AlarmName"]: a for a in self.target.alarms(settings.alarms)}
        for name, props in self.target.derived_alarms(new).items():
            stored[name] = {**props, "StateValue": stored[name].get("StateValue")}
        alarms = [watched_alarm(stored[n], "OK") for n in settings.alarms]
        rollout = Rollout(config, settings, self.binding.function_name, self.binding.alias, old, new, failure_rate)
        return rollout, alarms

    def analyze(self, failure_rate: float, config_name: str | None = None) -> DetectionAnalysis:
        """Is a canary failing ``failure_rate`` of its requests caught? (no write to the target)"""
        rollout, alarms = self._dry_rollout(config_name, failure_rate)
        s = self.binding.settings
        return analyze_detection(rollout, self._traffic(), alarms, failure_rate, seed=self.clock.seed, runs=s.runs,
                                 confidence=s.confidence, delay=s.metric_delay_seconds)

    def detection_probability(self, failure_rate: float, config_name: str | None = None) -> float:
        """The share of the design's seeded emulated deployments that roll such a canary back (no write)."""
        rollout, alarms = self._dry_rollout(config_name, failure_rate)
        s = self.binding.settings
        return detection_probability(rollout, self._traffic(), alarms, failure_rate, seed=self.clock.seed,
                                     runs=s.runs, delay=s.metric_delay_seconds)

    def restore(self) -> None:
        """Put the target back as the stack declares it, if a rollout changed it."""
        if self._touched:
            self.target.restore()
            self._touched = False
