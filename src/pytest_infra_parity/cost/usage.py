"""The usage profile a cost estimate prices: design-wide figures and per-resource ones.

Design-wide figures come from ``design.yaml``'s ``usage`` section (shared with the other rooms: unknown keys
are kept and reported as unused, never an error); per-resource figures from its ``cost.resources``
section, keyed by the resource's name (logical id, Terraform address...). A step or a fixture argument
overrides either. Every figure is a number >= 0; a wrong one raises :class:`UsageError` naming the key.

Months are AWS's 730 hours, so a day-based figure is multiplied by 730 / 24 = 30.4167 days.

Scale-to-zero: an ECS service is billed for the task-hours it runs. They come, in order, from
``cost.resources.<service>.task_hours_per_month`` (what the scaling emulation measured, or a step), else
from the design's active hours (``active_hours_per_day`` plus, per active period, the idle minutes before
scale-in and the scale-in itself), else from the service's desired count around the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Protocol

from pytest_infra_parity.errors import ConfigError

HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0


class UsageError(ConfigError):
    """A usage figure that is not a number >= 0, or an unknown per-resource key."""


@dataclass(frozen=True)
class ResourceUsage:
    """Usage of one resource; ``None`` = not given (the pricing function says what it assumes)."""

    invocations_per_day: float | None = None
    invocations_per_month: float | None = None
    per_request: float | None = None
    """Invocations (or requests) per request of the design's ``requests_per_day``."""
    average_duration_ms: float | None = None
    provisioned_concurrency: float | None = None
    task_hours_per_month: float | None = None
    tasks_while_active: float | None = None
    hours_per_month: float | None = None
    lcu_hours_per_month: float | None = None
    requests_per_day: float | None = None
    requests_per_month: float | None = None
    reads_per_month: float | None = None
    writes_per_month: float | None = None
    reads_per_request: float | None = None
    writes_per_request: float | None = None
    storage_gb: float | None = None
    puts_per_month: float | None = None
    gets_per_month: float | None = None
    gb_out_per_month: float | None = None
    gb_processed_per_month: float | None = None
    ingested_gb_per_month: float | None = None
    queries_per_month: float | None = None
    api_calls_per_month: float | None = None
    publishes_per_month: float | None = None
    traces_per_month: float | None = None
    log_gb_per_month: float | None = None
    monthly_active_users: float | None = None
    polls_per_day: float | None = None
    configurations_received_per_month: float | None = None


RESOURCE_KEYS = tuple(f.name for f in fields(ResourceUsage))


@dataclass(frozen=True)
class UsageProfile:
    """Design-wide usage plus per-resource usage; ``source`` says where it was read."""

    requests_per_day: float | None = None
    average_duration_ms: float | None = None
    average_response_kb: float | None = None
    active_hours_per_day: float | None = None
    active_periods_per_day: float = 1.0
    idle_minutes_before_scale_in: float | None = None
    scale_in_minutes: float = 2.0
    """Minutes from the scale-in decision to the task stopped (alarm evaluation, draining, stop)."""
    task_cpu_vcpu: float | None = None
    task_memory_gb: float | None = None
    alb_hours_per_month: float | None = None
    log_gb_per_month: float | None = None
    nat_gb_per_month: float | None = None
    gb_out_per_month: float | None = None
    frontend_gb_per_month: float | None = None
    appconfig_polls_per_day: float | None = None
    custom_events_per_month: float | None = None
    monthly_active_users: float | None = None
    resources: Mapping[str, ResourceUsage] = field(default_factory=dict)
    unused: tuple[str, ...] = ()
    """Keys of the ``usage`` section the cost model does not read (other rooms' figures)."""
    source: str = "no usage profile"

    def of(self, name: str) -> ResourceUsage:
        return self.resources.get(name, ResourceUsage())

    def with_resource(self, name: str, **values: float) -> UsageProfile:
        current = self.of(name)
        return replace(self, resources={**self.resources, name: replace(current, **values)})

    def with_values(self, **values: Any) -> UsageProfile:
        return replace(self, **values)


DESIGN_KEYS = tuple(f.name for f in fields(UsageProfile) if f.name not in ("resources", "unused", "source"))


def _number(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"{where}{key} must be a number >= 0, got {value!r}")
    return float(value)


def _resource(name: str, entry: Any, where: str) -> ResourceUsage:
    prefix = f"{where}resources.{name}."
    if not isinstance(entry, Mapping):
        raise UsageError(f"{where}resources.{name} must be a mapping of usage figures, got {entry!r}")
    unknown = sorted(set(entry) - set(RESOURCE_KEYS))
    if unknown:
        raise UsageError(f"{prefix}{unknown[0]} is not a usage figure; known: {', '.join(RESOURCE_KEYS)}")
    return ResourceUsage(**{str(k): _number(v, str(k), prefix) for k, v in entry.items()})


def parse_usage(usage: Mapping[str, Any] | None, cost: Mapping[str, Any] | None = None, *,
                source: str = "usage profile", path: Path | str | None = None) -> UsageProfile:
    """The profile of a ``usage`` section and a ``cost`` section (its ``resources``); UsageError names the key."""
    try:
        return _parse(usage or {}, cost or {}, source)
    except UsageError as exc:
        if path is None:
            raise
        raise UsageError(exc.message, path=path) from None


def _parse(usage: Mapping[str, Any], cost: Mapping[str, Any], source: str) -> UsageProfile:
    if not isinstance(usage, Mapping):
        raise UsageError(f"usage must be a mapping of figures, got {type(usage).__name__}")
    if not isinstance(cost, Mapping):
        raise UsageError(f"cost must be a mapping, got {type(cost).__name__}")
    values = {key: _number(usage[key], key, "usage.") for key in DESIGN_KEYS if key in usage}
    resources_section = cost.get("resources") or {}
    if not isinstance(resources_section, Mapping):
        raise UsageError("cost.resources must map resource names to usage figures")
    resources = {str(name): _resource(str(name), entry, "cost.") for name, entry in resources_section.items()}
    unused = tuple(sorted(str(k) for k in usage if k not in DESIGN_KEYS))
    return UsageProfile(**values, resources=resources, unused=unused, source=source)


def merge_usage(base: UsageProfile, override: Mapping[str, Any] | None, *, source: str) -> UsageProfile:
    """``base`` with the figures of ``override`` (same shape as ``usage``, plus ``resources``) on top."""
    if not override:
        return base
    extra = dict(override)
    resources_section = extra.pop("resources", None)
    parsed = _parse(extra, {"resources": resources_section or {}}, source)
    given = {key: getattr(parsed, key) for key in DESIGN_KEYS if key in extra}
    resources = dict(base.resources)
    for name, entry in parsed.resources.items():
        current = resources.get(name, ResourceUsage())
        resources[name] = replace(current, **{k: v for k, v in vars(entry).items() if v is not None})
    return replace(base, **given, resources=resources, source=f"{base.source} + {source}",
                   unused=tuple(sorted({*base.unused, *parsed.unused})))


class _Sample(Protocol):
    at: float
    running: int


def task_seconds(samples: Iterable[_Sample | tuple[float, int]], start: float, end: float) -> float:
    """Task-seconds of a timeline: the running count held from each sample to the next, over [start, end)."""
    points = sorted((s if isinstance(s, tuple) else (s.at, s.running)) for s in samples)
    total, running, at = 0.0, 0, start
    for when, count in points:
        if when > start:
            total += running * (min(when, end) - at)
            at = min(when, end)
        running = count
        if when >= end:
            return total
    return total + running * max(0.0, end - at)


def monthly_task_hours(seconds: float, window_seconds: float) -> float:
    """Task-hours a month of a measured window: the window's task-seconds scaled to 730 hours."""
    if window_seconds <= 0:
        raise ValueError("the measured window must last more than 0 seconds")
    return seconds / 3600.0 * (HOURS_PER_MONTH * 3600.0 / window_seconds)


def scale_to_zero_task_hours(profile: UsageProfile, tasks: float) -> tuple[float, str] | None:
    """Task-hours a month of a scale-to-zero service from the design's active hours, with the arithmetic."""
    if profile.active_hours_per_day is None:
        return None
    idle = profile.idle_minutes_before_scale_in if profile.idle_minutes_before_scale_in is not None else 5.0
    tail_hours = (idle + profile.scale_in_minutes) / 60.0 * profile.active_periods_per_day
    hours = (profile.active_hours_per_day + tail_hours) * DAYS_PER_MONTH * tasks
    how = (f"({profile.active_hours_per_day:g} active h/day + {profile.active_periods_per_day:g} x "
           f"({idle:g} idle + {profile.scale_in_minutes:g} scale-in) min) x {DAYS_PER_MONTH:.4f} days x "
           f"{tasks:g} task(s) = {hours:.2f} task-hours")
    return hours, how
