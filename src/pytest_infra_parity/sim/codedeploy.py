"""CodeDeploy Lambda deployments on the virtual clock: traffic shifting, alarm stops and rollbacks.

Semantics, from the CodeDeploy user guide and API reference:

- "Deployment configurations on an AWS Lambda compute platform": *Canary* shifts traffic in two
  increments (the canary percentage first, the rest after the interval); *Linear* shifts "in equal
  increments with an equal number of minutes between each increment"; *All-at-once* shifts everything
  at once. The nine predefined configurations are :data:`PREDEFINED`. A custom configuration is the
  ``trafficRoutingConfig`` of ``CreateDeploymentConfig``: ``TimeBasedCanary`` (``canaryPercentage``:
  "the percentage of traffic to shift in the first increment", ``canaryInterval``: "the number of
  minutes between the first and second traffic shifts"), ``TimeBasedLinear`` (``linearPercentage``
  shifted "at the start of each increment", ``linearInterval`` minutes between increments) or
  ``AllAtOnce``. So Linear10PercentEvery1Minute is at 10 % at the start and 100 % nine minutes later.
- "Monitoring deployments with CloudWatch alarms": "If any of the specified alarms are activated, the
  deployment stops, and the status is updated to Stopped." CodeDeploy's polling interval is not
  published: this emulation checks the alarms right after each CloudWatch evaluation, and at the start.
- "Redeploy and roll back a deployment": with automatic rollback on DEPLOYMENT_STOP_ON_ALARM, "the last
  known good version of an application revision is deployed" as a new deployment with its own id; for
  Lambda the alias goes back to the original version at once (the SAM "Safe Lambda deployments" guide:
  "CodeDeploy will immediately flip the Alias back to old version"). Without rollback a stopped
  deployment leaves the alias weighted between two versions ("Troubleshoot AWS Lambda deployment issues").
- Hooks (BeforeAllowTraffic before the first shift, AfterAllowTraffic after the last) are recorded;
  the emulation runs no code, so they are taken as Succeeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.sim.clock import VirtualClock

__all__ = ["ALL_AT_ONCE", "CANARY", "LINEAR", "PREDEFINED", "SAM_TYPES", "DeploymentConfig", "GroupSettings",
           "LambdaDeployment", "config_from_api", "resolve_config"]

CANARY, LINEAR, ALL_AT_ONCE = "TimeBasedCanary", "TimeBasedLinear", "AllAtOnce"
SUCCEEDED, STOPPED, FAILED, IN_PROGRESS = "Succeeded", "Stopped", "Failed", "InProgress"
STOP_ON_ALARM, FAILURE = "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"


@dataclass(frozen=True)
class DeploymentConfig:
    """A Lambda deployment configuration: how much traffic moves to the new version, and when."""

    name: str
    type: str
    percentage: int = 100
    interval_minutes: int = 0

    def shifts(self) -> tuple[tuple[float, float], ...]:
        """``(seconds after the start, weight of the new version)`` for each traffic shift."""
        if self.type == ALL_AT_ONCE:
            return ((0.0, 1.0),)
        interval = 60.0 * self.interval_minutes
        if self.type == CANARY:
            return ((0.0, self.percentage / 100), (interval, 1.0))
        steps = math.ceil(100 / self.percentage)
        return tuple((k * interval, min(1.0, round((k + 1) * self.percentage / 100, 6))) for k in range(steps))

    @property
    def duration(self) -> float:
        """Seconds from the first shift to the last."""
        return self.shifts()[-1][0]

    def describe(self) -> str:
        if self.type == ALL_AT_ONCE:
            return f"{self.name} (all traffic at once)"
        if self.type == CANARY:
            return (f"{self.name} ({self.percentage}% for {self.interval_minutes} min, then 100%)")
        return f"{self.name} (+{self.percentage}% every {self.interval_minutes} min, 100% after " \
               f"{self.duration / 60:g} min)"


def _predefined() -> dict[str, DeploymentConfig]:
    found = {"CodeDeployDefault.LambdaAllAtOnce": DeploymentConfig("CodeDeployDefault.LambdaAllAtOnce", ALL_AT_ONCE)}
    for minutes in (5, 10, 15, 30):
        name = f"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes"
        found[name] = DeploymentConfig(name, CANARY, 10, minutes)
    for minutes in (1, 2, 3, 10):
        name = f"CodeDeployDefault.LambdaLinear10PercentEvery{minutes}Minute" + ("" if minutes == 1 else "s")
        found[name] = DeploymentConfig(name, LINEAR, 10, minutes)
    return found


PREDEFINED = _predefined()
"""The predefined Lambda configurations of the CodeDeploy user guide, by name."""

SAM_TYPES = {name.removeprefix("CodeDeployDefault.Lambda"): name for name in PREDEFINED}
"""SAM's DeploymentPreference Type names (Canary10Percent5Minutes, AllAtOnce...) -> CodeDeploy names."""


def _whole(name: str, field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer() \
            or not low <= value <= high:
        raise ConfigError(f"deployment configuration {name!r}: {field} must be a whole number in {low}..{high}, "
                          f"got {value!r}")
    return int(value)


def config_from_api(name: str, info: Mapping[str, Any]) -> DeploymentConfig:
    """Parse ``get_deployment_config()["deploymentConfigInfo"]`` or a ``trafficRoutingConfig`` itself."""
    routing = info.get("trafficRoutingConfig", info)
    kind = routing.get("type")
    if kind == ALL_AT_ONCE:
        return DeploymentConfig(name, ALL_AT_ONCE)
    if kind == CANARY:
        body = routing.get("timeBasedCanary") or {}
        return DeploymentConfig(name, CANARY, _whole(name, "canaryPercentage", body.get("canaryPercentage"), 1, 99),
                                _whole(name, "canaryInterval", body.get("canaryInterval"), 1, 2880))
    if kind == LINEAR:
        body = routing.get("timeBasedLinear") or {}
        return DeploymentConfig(name, LINEAR, _whole(name, "linearPercentage", body.get("linearPercentage"), 1, 99),
                                _whole(name, "linearInterval", body.get("linearInterval"), 1, 2880))
    raise ConfigError(f"deployment configuration {name!r}: trafficRoutingConfig type must be {CANARY}, {LINEAR} "
                      f"or {ALL_AT_ONCE}, got {kind!r}")


def resolve_config(name: str, custom: Mapping[str, DeploymentConfig] | None = None,
                   lookup: Callable[[str], DeploymentConfig | None] | None = None) -> DeploymentConfig:
    """A predefined configuration (CodeDeploy or SAM name), a custom one, or one the target knows."""
    if name in PREDEFINED:
        return PREDEFINED[name]
    if name in SAM_TYPES:
        return PREDEFINED[SAM_TYPES[name]]
    if custom and name in custom:
        return custom[name]
    found = lookup(name) if lookup is not None else None
    if found is not None:
        return found
    known = ", ".join([*PREDEFINED, *(custom or {})])
    raise ConfigError(f"unknown deployment configuration {name!r}; known: {known} (or the SAM short names "
                      "such as Canary10Percent5Minutes, or a custom configuration created on the target)")


@dataclass(frozen=True)
class GroupSettings:
    """What a deployment group says about alarms, rollback and hooks."""

    alarms: tuple[str, ...] = ()
    alarms_enabled: bool = False
    ignore_poll_alarm_failure: bool = False
    rollback_enabled: bool = False
    rollback_events: tuple[str, ...] = ()
    before_hook: str | None = None
    after_hook: str | None = None

    @property
    def rollback_on_alarm(self) -> bool:
        return self.rollback_enabled and STOP_ON_ALARM in self.rollback_events

    @classmethod
    def from_api(cls, alarm_config: Mapping[str, Any], rollback: Mapping[str, Any], hooks: Mapping[str, str]
                 ) -> GroupSettings:
        """From the camelCase shapes of ``get_deployment_group`` (alarmConfiguration, autoRollbackConfiguration)."""
        names = tuple(str(a.get("name") or a.get("Name")) for a in alarm_config.get("alarms") or
                      alarm_config.get("Alarms") or [])
        enabled = alarm_config.get("enabled", alarm_config.get("Enabled", bool(names)))
        return cls(names, bool(enabled) and bool(names),
                   bool(alarm_config.get("ignorePollAlarmFailure", alarm_config.get("IgnorePollAlarmFailure"))),
                   bool(rollback.get("enabled", rollback.get("Enabled"))),
                   tuple(rollback.get("events") or rollback.get("Events") or ()),
                   hooks.get("BeforeAllowTraffic"), hooks.get("AfterAllowTraffic"))


class LambdaDeployment:
    """One CodeDeploy deployment of ``function:alias`` from ``old_version`` to ``new_version``."""

    def __init__(self, clock: VirtualClock, *, deployment_id: str, config: DeploymentConfig,
                 settings: GroupSettings, function: str, alias: str, old_version: str, new_version: str,
                 route: Callable[[str, dict[str, float]], None], alarm_state: Callable[[str], str],
                 sync: Callable[[], None] = lambda: None) -> None:
        self.clock = clock
        self.id = deployment_id
        self.config = config
        self.settings = settings
        self.subject = f"{function}:{alias}"
        self.old_version, self.new_version = old_version, new_version
        self._route, self._alarm_state, self._sync = route, alarm_state, sync
        self.status = "Created"
        self.weight = 0.0
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stopped_by: str | None = None
        self.rollback_id: str | None = None

    @property
    def done(self) -> bool:
        return self.status in (SUCCEEDED, STOPPED, FAILED)

    @property
    def rolled_back(self) -> bool:
        return self.rollback_id is not None

    def start(self) -> None:
        """Start now: BeforeAllowTraffic, then the shifts of the configuration."""
        self._sync()
        self.started_at, self.status = self.clock.now, IN_PROGRESS
        self.clock.record("deployment", self.id, status=IN_PROGRESS, config=self.config.name,
                          old_version=self.old_version, new_version=self.new_version)
        self._hook("BeforeAllowTraffic", self.settings.before_hook)
        self.check_alarms()
        for offset, weight in self.config.shifts():
            self.clock.schedule(self.clock.now + offset, self._shifter(weight), label=f"shift {weight}")

    def _shifter(self, weight: float) -> Callable[[], None]:
        return lambda: self._shift(weight)

    def _hook(self, event: str, function: str | None) -> None:
        if function:
            self.clock.record("hook", self.id, lifecycle_event=event, function=function,
                              status="Succeeded (assumed: the emulation runs no code)")

    def _shift(self, weight: float) -> None:
        self._sync()
        if self.done:
            return
        self.weight = weight
        if weight >= 1.0:
            self._route(self.new_version, {})
        else:
            self._route(self.old_version, {self.new_version: round(weight, 6)})
        self.clock.record("traffic-shift", self.subject, deployment=self.id, weights={
            self.old_version: round(1 - weight, 6), self.new_version: round(weight, 6)})
        if weight >= 1.0:
            self._hook("AfterAllowTraffic", self.settings.after_hook)
            self.status, self.ended_at = SUCCEEDED, self.clock.now
            self.clock.record("deployment", self.id, status=SUCCEEDED)

    def check_alarms(self) -> None:
        """Stop (and roll back) when one of the group's alarms is in ALARM.

        An alarm whose state cannot be read fails the deployment, unless the group sets
        ``ignorePollAlarmFailure`` ("Continue deployments even if alarm status is unavailable").
        """
        if self.status != IN_PROGRESS or not self.settings.alarms_enabled:
            return
        for name in self.settings.alarms:
            try:
                state = self._alarm_state(name)
            except KeyError:
                if self.settings.ignore_poll_alarm_failure:
                    continue
                self._end(FAILED, name, "ALARM_CONFIG", f"the status of alarm {name} is unavailable",
                          FAILURE in self.settings.rollback_events and self.settings.rollback_enabled)
                return
            if state == "ALARM":
                self._end(STOPPED, name, "ALARM_ACTIVE", f"alarm {name} is in ALARM", self.settings.rollback_on_alarm)
                return

    def _end(self, status: str, alarm: str, code: str, message: str, roll_back: bool) -> None:
        self.status, self.ended_at, self.stopped_by = status, self.clock.now, alarm
        self.clock.record("deployment", self.id, status=status, error_code=code, message=message)
        if not roll_back:
            self.clock.record("note", self.id, text=f"no automatic rollback on this event: the alias stays "
                              f"weighted ({self.weight:.0%} on version {self.new_version})")
            return
        self.rollback_id = f"{self.id}-rollback"
        self._route(self.old_version, {})
        self.weight = 0.0
        self.clock.record("rollback", self.subject, deployment=self.rollback_id, rolled_back=self.id,
                          weights={self.old_version: 1.0})
