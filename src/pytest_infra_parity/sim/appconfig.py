"""AppConfig deployments on the virtual clock: the share of clients served a new flag value over time.

Semantics, from the AppConfig user guide, "Working with deployment strategies":

- *Linear*: "AWS AppConfig processes the deployment by increments of the growth factor evenly
  distributed over the deployment", with the guide's example of a 10-hour deployment at 20 %: 0 % at
  0 h, 20 % at 2 h, 40 % at 4 h ... 100 % at 10 h. So there are ceil(100 / G) steps, one every
  duration / steps, the k-th at min(100, k x G) %.
- *Exponential*: "G*(2^N)", G the step percentage and N the step number: G = 2 gives 2 %, 4 %, 8 % ...
  until every target has it. The guide gives no timeline for it; the emulation spreads those steps
  evenly over the duration as for linear (AppConfig.Canary10Percent20Minutes: 10, 20, 40, 80, 100 % at
  4, 8, 12, 16, 20 minutes).
- A zero duration deploys to 100 % at once (AppConfig.AllAtOnce).
- *Bake time*: "the amount of time AWS AppConfig monitors for Amazon CloudWatch alarms after the
  configuration has been deployed to 100% of its targets, before considering the deployment to be
  complete. If an alarm is triggered during this time, AWS AppConfig rolls back the deployment." The
  environment's alarm monitors are watched from the start to the end of the bake time; a rollback
  serves the previous value to every client again (0 %).
- Predefined strategies (:data:`PREDEFINED`), values as the AWS CDK encodes them: AllAtOnce (linear
  100 %, 0 min, bake 10 min), Linear50PercentEvery30Seconds (linear 50 %, 1 min, bake 1 min),
  Canary10Percent20Minutes (exponential 10 %, 20 min, bake 10 min), Linear20PercentEvery6Minutes
  (linear 20 %, 30 min, bake 30 min).

"Percentage of clients" is AppConfig's share of targets: a client sees the new value at its next
GetLatestConfiguration poll after being targeted, which the emulation does not delay (docs/canary.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.sim.clock import VirtualClock

__all__ = ["EXPONENTIAL", "LINEAR", "PREDEFINED", "AppConfigDeployment", "Strategy", "parse_flags",
           "resolve_strategy", "strategy_from_properties"]

LINEAR, EXPONENTIAL = "LINEAR", "EXPONENTIAL"
DEPLOYING, BAKING, COMPLETE, ROLLED_BACK = "DEPLOYING", "BAKING", "COMPLETE", "ROLLED_BACK"


@dataclass(frozen=True)
class Strategy:
    """An AppConfig deployment strategy."""

    name: str
    growth_type: str
    growth_factor: float
    duration_minutes: float
    final_bake_minutes: float = 0.0

    def __post_init__(self) -> None:
        if self.growth_type not in (LINEAR, EXPONENTIAL):
            raise ConfigError(f"deployment strategy {self.name!r}: GrowthType must be LINEAR or EXPONENTIAL, "
                              f"got {self.growth_type!r}")
        if not 1.0 <= self.growth_factor <= 100.0:
            raise ConfigError(f"deployment strategy {self.name!r}: GrowthFactor must lie in 1..100, got "
                              f"{self.growth_factor}")
        if not 0 <= self.duration_minutes <= 1440 or not 0 <= self.final_bake_minutes <= 1440:
            raise ConfigError(f"deployment strategy {self.name!r}: DeploymentDurationInMinutes and "
                              "FinalBakeTimeInMinutes must lie in 0..1440")

    def percentages(self) -> tuple[float, ...]:
        """The share of targets after each step, ending at 100."""
        if self.duration_minutes == 0:
            return (100.0,)
        if self.growth_type == LINEAR:
            steps = math.ceil(100 / self.growth_factor - 1e-9)
            return tuple(min(100.0, round(k * self.growth_factor, 6)) * 1.0 for k in range(1, steps + 1))
        found: list[float] = []
        while not found or found[-1] < 100:
            found.append(min(100.0, self.growth_factor * 2.0 ** len(found)))
        return tuple(found)

    def steps(self) -> tuple[tuple[float, float], ...]:
        """``(seconds after the start, percentage)`` for each step."""
        shares = self.percentages()
        interval = 60.0 * self.duration_minutes / len(shares)
        return tuple(((k + 1) * interval if self.duration_minutes else 0.0, p) for k, p in enumerate(shares))

    def percentage_at(self, seconds: float) -> float:
        """The share of targets served the new value ``seconds`` after the start (no alarm)."""
        reached = [p for at, p in self.steps() if at <= seconds + 1e-9]
        return reached[-1] if reached else 0.0

    @property
    def total_seconds(self) -> float:
        return 60.0 * (self.duration_minutes + self.final_bake_minutes)

    def describe(self) -> str:
        return (f"{self.name} ({self.growth_type.lower()} {self.growth_factor:g}% over {self.duration_minutes:g} min, "
                f"bake {self.final_bake_minutes:g} min)")


PREDEFINED = {s.name: s for s in (
    Strategy("AppConfig.AllAtOnce", LINEAR, 100, 0, 10),
    Strategy("AppConfig.Linear50PercentEvery30Seconds", LINEAR, 50, 1, 1),
    Strategy("AppConfig.Canary10Percent20Minutes", EXPONENTIAL, 10, 20, 10),
    Strategy("AppConfig.Linear20PercentEvery6Minutes", LINEAR, 20, 30, 30),
)}


def strategy_from_properties(name: str, props: Mapping[str, Any]) -> Strategy:
    """From an AWS::AppConfig::DeploymentStrategy's properties (or GetDeploymentStrategy's answer)."""
    try:
        return Strategy(name, str(props.get("GrowthType") or LINEAR), float(props["GrowthFactor"]),
                        float(props["DeploymentDurationInMinutes"]), float(props.get("FinalBakeTimeInMinutes") or 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"deployment strategy {name!r}: missing or malformed {exc}") from None


def resolve_strategy(name: str, custom: Mapping[str, Strategy] | None = None) -> Strategy:
    """A predefined strategy, or one of the design's (by its Name or logical id)."""
    if name in PREDEFINED:
        return PREDEFINED[name]
    if custom and name in custom:
        return custom[name]
    known = ", ".join([*PREDEFINED, *(custom or {})])
    raise ConfigError(f"unknown AppConfig deployment strategy {name!r}; known: {known}")


def parse_flags(content: str, where: str) -> dict[str, dict[str, Any]]:
    """Flag name -> its current values, from an AWS.AppConfig.FeatureFlags document."""
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: the feature flag document is not valid JSON ({exc})") from None
    flags = document.get("flags") if isinstance(document, dict) else None
    if not isinstance(flags, dict):
        raise ConfigError(f"{where}: the feature flag document has no 'flags' mapping")
    values = document.get("values") or {}
    return {name: dict(values.get(name) or {"enabled": False}) for name in flags}


class AppConfigDeployment:
    """One deployment of a new configuration to an environment, watched by the environment's monitors."""

    def __init__(self, clock: VirtualClock, strategy: Strategy, *, subject: str, monitors: Sequence[str] = (),
                 alarm_state: Callable[[str], str] | None = None, sync: Callable[[], None] = lambda: None,
                 on_percentage: Callable[[float], None] | None = None) -> None:
        self.clock = clock
        self.strategy = strategy
        self.subject = subject
        self.monitors = tuple(monitors)
        self._alarm_state, self._sync, self._on_percentage = alarm_state, sync, on_percentage
        self.state = "CREATED"
        self.percentage = 0.0
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.history: list[tuple[float, float]] = []

    @property
    def done(self) -> bool:
        return self.state in (COMPLETE, ROLLED_BACK)

    def start(self) -> None:
        self._sync()
        self.started_at, self.state = self.clock.now, DEPLOYING
        self.history.append((self.clock.now, 0.0))
        self.clock.record("appconfig", self.subject, state=DEPLOYING, strategy=self.strategy.name)
        for offset, share in self.strategy.steps():
            self.clock.schedule(self.clock.now + offset, self._stepper(share), label=f"appconfig {share}")
        self.clock.schedule(self.clock.now + self.strategy.total_seconds, self._complete, label="appconfig bake")
        self.check_monitors()

    def _stepper(self, share: float) -> Callable[[], None]:
        return lambda: self._step(share)

    def _set(self, share: float) -> None:
        self.percentage = share
        self.history.append((self.clock.now, share))
        if self._on_percentage is not None:
            self._on_percentage(share)

    def _step(self, share: float) -> None:
        self._sync()
        if self.done:
            return
        self._set(share)
        self.clock.record("appconfig", self.subject, state=DEPLOYING, percentage=share)
        if share >= 100:
            self.state = BAKING
            self.clock.record("appconfig", self.subject, state=BAKING,
                              bake_minutes=self.strategy.final_bake_minutes)

    def _complete(self) -> None:
        self._sync()
        if self.done:
            return
        self.state, self.ended_at = COMPLETE, self.clock.now
        self.clock.record("appconfig", self.subject, state=COMPLETE, percentage=self.percentage)

    def check_monitors(self) -> None:
        """Roll back when a monitor alarm is in ALARM during the deployment or its bake time."""
        if self.state not in (DEPLOYING, BAKING) or self._alarm_state is None:
            return
        for alarm in self.monitors:
            if self._alarm_state(alarm) == "ALARM":
                self._set(0.0)
                self.state, self.ended_at = ROLLED_BACK, self.clock.now
                self.clock.record("appconfig", self.subject, state=ROLLED_BACK, alarm=alarm, percentage=0.0)
                return

    def percentage_at(self, seconds: float) -> float:
        """The share of clients served the new value ``seconds`` after the start, as it happened."""
        if self.started_at is None:
            return 0.0
        at = self.started_at + seconds
        reached = [share for when, share in self.history if when <= at + 1e-9]
        return reached[-1] if reached else 0.0
