"""What the scaling steps drive: one scenario on one deployed service, emulated or on the wall clock.

On moto and LocalStack (whose control planes evaluate no alarm and start no task) a
:class:`ScalingController` runs the emulation (:mod:`pytest_infra_parity.sim.scaling_analysis`) on the
configuration read from the target, checks each criterion over the design's seeded runs (the worst run
decides), and writes the representative run's outcome back (desired count, alarm states). On ``aws`` it
measures the real control plane with :class:`~pytest_infra_parity.sim.scaling_wallclock.WallClock`.

A criterion the design declares as an expected failure (design.yaml ``expected_failures``, keys
``scaling.scale-up`` and ``scaling.scale-to-zero``) comes back as a :class:`Verdict` with its reason, for the
step to report it as an expected failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.alarms import Transition
from pytest_infra_parity.sim.clock import DEFAULT_START
from pytest_infra_parity.sim.scaling_alarms import WatchedAlarm
from pytest_infra_parity.sim.scaling_analysis import RunSet, Scenario, idle_scenario, repeat, wake_scenario
from pytest_infra_parity.sim.scaling_config import ScalingConfig
from pytest_infra_parity.sim.scaling_report import explain
from pytest_infra_parity.sim.scaling_target import ScalingBinding
from pytest_infra_parity.sim.scaling_timeline import render_timeline
from pytest_infra_parity.sim.scaling_wallclock import WallClock

__all__ = ["EXPECTED_KEYS", "ExpectedFailure", "ScalingController", "Verdict", "expected_failures", "start_of"]

EXPECTED_KEYS = ("scaling.scale-up", "scaling.scale-to-zero")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str
    expected_failure: str | None = None
    """The design's reason when it declares this criterion an expected failure."""


@dataclass(frozen=True)
class ExpectedFailure:
    """A criterion the design knows it misses: ``within`` seconds (None: at any value), and why."""

    reason: str
    within: float | None = None

    def applies(self, seconds: float) -> bool:
        return self.within is None or abs(self.within - seconds) < 1e-6


def expected_failures(section: Any, path: str) -> dict[str, ExpectedFailure]:
    """The scaling entries of design.yaml ``expected_failures`` (other rooms' keys are left alone).

    Each is ``{within_seconds: <criterion>, reason: <sentence>}`` (or just the reason, for any value).
    """
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise DesignError(f"'expected_failures' must be a mapping, got {type(section).__name__}", path=path)
    out = {}
    for key, value in section.items():
        if not str(key).startswith("scaling."):
            continue
        if key not in EXPECTED_KEYS:
            raise DesignError(f"expected_failures.{key}: unknown scaling check; known: {', '.join(EXPECTED_KEYS)}",
                              path=path)
        entry = value if isinstance(value, Mapping) else {"reason": value}
        reason, within = entry.get("reason"), entry.get("within_seconds")
        if not isinstance(reason, str) or not reason.strip():
            raise DesignError(f"expected_failures.{key} needs a reason (a sentence)", path=path)
        if within is not None and (isinstance(within, bool) or not isinstance(within, int | float)):
            raise DesignError(f"expected_failures.{key}.within_seconds must be a number, got {within!r}", path=path)
        out[str(key)] = ExpectedFailure(" ".join(reason.split()), None if within is None else float(within))
    return out


def start_of(day: str, hour: int, minute: int) -> datetime:
    """A virtual start on ``day`` of the clock's reference week (Monday 5 January 2026), UTC."""
    if day.lower() not in _DAYS:
        raise ValueError(f"{day!r} is not a day of the week ({', '.join(d.capitalize() for d in _DAYS)})")
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{hour:02d}:{minute:02d} is not a time of day")
    base = DEFAULT_START.replace(hour=0, minute=0)
    return base + timedelta(days=_DAYS.index(day.lower()), hours=hour, minutes=minute)


class ScalingController:
    """One scenario: the idle window, the wake-up traffic, and the criteria checked on them."""

    def __init__(self, *, load: Callable[[], ScalingConfig], clients: Callable[[str], Any] | None,
                 expected: Mapping[str, ExpectedFailure], design: str,
                 warm_rate: Callable[[], float | None] = lambda: None,
                 wallclock: WallClock | None = None, url: str | None = None) -> None:
        self._load, self.clients, self.expected, self.design = load, clients, dict(expected), design
        self._warm_rate, self.wallclock, self.url = warm_rate, wallclock, url
        self.start = DEFAULT_START
        self.idle_minutes: float | None = None
        self.wake: tuple[float, float] | None = None
        self.results: dict[str, RunSet] = {}
        self.reports: dict[str, str] = {}
        self._wall_since: float | None = None
        self._config: ScalingConfig | None = None
        self._binding: ScalingBinding | None = None

    @property
    def config(self) -> ScalingConfig:
        if self._config is None:
            self._config = self._load()
        return self._config

    @property
    def warm_rate(self) -> float | None:
        """Requests per second before the idle window (None: the configuration's usage profile)."""
        return self._warm_rate()

    @property
    def emulated(self) -> bool:
        return self.wallclock is None

    def starts_at(self, when: datetime) -> None:
        self.start = when

    def receive_no_requests(self, minutes: float) -> None:
        if not math.isfinite(minutes) or minutes <= 0:
            raise ValueError(f"the service must be idle for a positive number of minutes, got {minutes:g}")
        rate = self.warm_rate if self.emulated else None
        if rate is not None and rate <= 0:
            raise ValueError("no request reaches the service before the idle window (a traffic of 0 requests per "
                             "second), so there is no last request to measure from: give a positive rate, e.g. "
                             "`Given a steady traffic of 0.1 requests per second`")
        self.idle_minutes, self.wake = minutes, None
        if self.wallclock is not None:
            self._wall_since = self.wallclock.now()
            self.wallclock.sleep(minutes * 60.0)

    def requests_after_idle(self, rate: float, minutes: float) -> None:
        if not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"requests must arrive at a positive rate, got {rate:g} per second")
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"the idle window must be a number of minutes >= 0, got {minutes:g}")
        self.wake, self.idle_minutes = (rate, minutes), minutes
        if self.wallclock is not None:
            self.wallclock.sleep(minutes * 60.0)

    # --- criteria --------------------------------------------------------------------------------------

    def check_zero(self, count: int, minutes: float) -> Verdict:
        if self.idle_minutes is None or self.wake is not None:
            raise ValueError("no idle window: start with 'When the service receives no requests for <n> minutes'")
        if self.wallclock is not None:
            assert self._wall_since is not None
            waited = self.wallclock.wait_for_tasks(count, since=self._wall_since, timeout=minutes * 60.0)
            self.reports["scale-to-zero"] = waited.message + "\n" + "\n".join(waited.seen)
            return self._verdict("scaling.scale-to-zero", waited.reached, self.reports["scale-to-zero"], minutes * 60)
        window = min(minutes, self.idle_minutes)
        runs = repeat(self.config, "scale-to-zero", window * 60.0, idle_minutes=self.idle_minutes,
                      warm_rate=self.warm_rate, start=self.start)
        self.results["scale-to-zero"] = runs
        worst = max(runs.runs, key=lambda r: float("inf") if r.total is None else r.total)
        scenario = idle_scenario(self.config, idle_minutes=self.idle_minutes, warm_rate=self.warm_rate,
                                 seed=worst.seed, start=self.start)
        text = self._report("scale-to-zero", runs, scenario)
        if minutes > self.idle_minutes and not runs.meets:
            text += (f"\n(the scenario idles only {self.idle_minutes:g} minutes: zero tasks within {minutes:g} minutes "
                     "could not be observed after that)")
        return self._verdict("scaling.scale-to-zero", runs.meets, text, minutes * 60)

    def check_first_success(self, seconds: float) -> Verdict:
        if self.wake is None:
            raise ValueError("no requests after an idle window: start with 'When requests arrive at <r> per second "
                             "after <n> idle minutes'")
        rate, idle = self.wake
        if self.wallclock is not None:
            if self.url is None:
                raise ValueError("the stack exposes no load balancer DNS name to send requests to")
            waited = self.wallclock.first_success(self.url, rate=rate, timeout=seconds)
            self.reports["scale-up"] = waited.message
            return self._verdict("scaling.scale-up", waited.reached, waited.message, seconds)
        runs = repeat(self.config, "scale-up", seconds, idle_minutes=idle, rate=rate, warm_rate=self.warm_rate,
                      start=self.start)
        self.results["scale-up"] = runs
        worst = max(runs.runs, key=lambda r: float("inf") if r.total is None else r.total)
        scenario = wake_scenario(self.config, idle_minutes=idle, rate=rate, warm_rate=self.warm_rate, seed=worst.seed,
                                 start=self.start)
        return self._verdict("scaling.scale-up", runs.meets, self._report("scale-up", runs, scenario), seconds)

    def breakdown(self, kind: str) -> str:
        """The analysis of the last check of ``kind`` (scale-up, scale-to-zero), running it when needed."""
        if kind not in self.reports:
            if self.wallclock is not None:
                raise ValueError(f"no {kind} was measured yet: check its criterion first")
            if kind == "scale-up" and self.wake is not None:
                self.check_first_success(60.0)
            elif kind == "scale-to-zero" and self.idle_minutes is not None and self.wake is None:
                self.check_zero(0, self.idle_minutes)
            else:
                needed = ("When requests arrive at <r> per second after <n> idle minutes" if kind == "scale-up" else
                          "When the service receives no requests for <n> minutes")
                raise ValueError(f"no {kind} in this scenario to report on: start with '{needed}'")
        return self.reports[kind]

    # --- internals -------------------------------------------------------------------------------------

    def _verdict(self, key: str, passed: bool, message: str, seconds: float) -> Verdict:
        expected = self.expected.get(key)
        return Verdict(passed, message, expected.reason if expected and expected.applies(seconds) else None)

    def _report(self, kind: str, runs: RunSet, scenario: Scenario) -> str:
        model = scenario.model
        self._write_back(scenario)
        start = (scenario.first_request or scenario.last_request) - 120.0
        text = (f"{explain(self.config, runs)}\n\ntimeline of the slowest run (seed {scenario.seed}, "
                f"{self.design}):\n{render_timeline(model, start, model.clock.now)}")
        self.reports[kind] = explain(self.config, runs)
        return text

    def restore(self) -> None:
        """Put the deployed state back (desired count, alarm states) after the scenario's write-back.

        The stack is shared by the session's scenarios (and the template checks of other features): the
        outcome of one scenario is visible on the target while it runs, not after it.
        """
        binding, self._binding = self._binding, None
        if binding is None or not binding.written:
            return
        binding.write_desired(self.config.initial_desired)
        for alarm in self.config.alarms:
            name, state = str(alarm.get("AlarmName")), alarm.get("StateValue")
            if f"{name}=" in " ".join(binding.written) and state:
                binding.write_alarm_state(name, str(state), "Restored after an emulated scaling scenario")

    def _write_back(self, scenario: Scenario) -> None:
        """The run's final desired count and alarm states, written to the target."""
        if self.clients is None:
            return
        binding = self._binding = self._binding or ScalingBinding.for_config(self.clients, self.config)
        binding.write_desired(scenario.model.service.desired)
        for watched in scenario.model.alarms.watched:
            last: Transition | None = watched.evaluator.transitions[-1] if watched.evaluator.transitions else None
            if last is not None:
                binding.write_alarm_state(watched.name, last.new_state, last.reason, _reason_data(watched, last))


def _reason_data(watched: WatchedAlarm, transition: Transition) -> dict[str, Any]:
    points = transition.evaluation.points if transition.evaluation is not None else ()
    return {"version": "1.0", "queryDate": transition.timestamp.isoformat() if transition.timestamp else "",
            "recentDatapoints": [p.value for p in points], "threshold": watched.spec.threshold,
            "emulated": True}
