"""A discrete-event scheduler on a virtual clock, with seeded randomness and a recorded timeline.

Every control-plane emulation (alarms, CodeDeploy, AppConfig, autoscaling, ECS) runs on one
:class:`VirtualClock`: actions are scheduled at virtual times (seconds since the clock's start) and
run in time order (ties in scheduling order); each emulation records what happened in the
:class:`Timeline` (metric points, alarm transitions, scaling activities, traffic shifts, task starts),
which the report shows. Nothing here sleeps: a simulated day runs as fast as its events allow.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from datetime import datetime as DateTime
from typing import Any

__all__ = ["Event", "Timeline", "VirtualClock"]

DEFAULT_START = DateTime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""A fixed start (a Monday morning) so timelines and timestamps are reproducible."""


@dataclass(frozen=True)
class Event:
    """Something that happened at a virtual time (seconds since the clock's start)."""

    at: float
    kind: str
    """``metric``, ``alarm``, ``scaling``, ``traffic-shift``, ``task``, ``deployment``, ``request``..."""
    subject: str
    """What it happened to: an alarm name, a service, a function alias, a deployment id."""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "subject": self.subject, **self.detail}


class Timeline:
    """The ordered record of a simulation's events."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, event: Event) -> None:
        self.events.append(event)

    def of_kind(self, kind: str, subject: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == kind and (subject is None or e.subject == subject)]

    def first(self, kind: str, predicate: Callable[[Event], bool] = lambda e: True) -> Event | None:
        return next((e for e in self.events if e.kind == kind and predicate(e)), None)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def as_json(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.events]


@dataclass(order=True)
class _Scheduled:
    at: float
    seq: int
    action: Callable[[], None] = field(compare=False)
    label: str = field(compare=False, default="")
    cancelled: bool = field(compare=False, default=False)


class Handle:
    """A scheduled action that can be cancelled (a periodic one stops recurring)."""

    def __init__(self, entry: _Scheduled) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry.cancelled = True

    @property
    def at(self) -> float:
        return self._entry.at


class VirtualClock:
    """Virtual time in seconds since ``start``; ``random`` is seeded so runs are reproducible."""

    def __init__(self, *, seed: int = 0, start: DateTime = DEFAULT_START) -> None:
        self.start = start
        self.now = 0.0
        self.seed = seed
        self.random = random.Random(seed)
        self.timeline = Timeline()
        self._queue: list[_Scheduled] = []
        self._seq = itertools.count()

    @property
    def datetime(self) -> DateTime:
        """The current virtual time as an aware UTC datetime."""
        return self.start + timedelta(seconds=self.now)

    def at_datetime(self, seconds: float) -> DateTime:
        return self.start + timedelta(seconds=seconds)

    def schedule(self, at: float, action: Callable[[], None], label: str = "") -> Handle:
        """Run ``action`` at virtual time ``at`` (never in the past: at least now)."""
        entry = _Scheduled(max(at, self.now), next(self._seq), action, label)
        heapq.heappush(self._queue, entry)
        return Handle(entry)

    def after(self, delay: float, action: Callable[[], None], label: str = "") -> Handle:
        return self.schedule(self.now + delay, action, label)

    def every(self, interval: float, action: Callable[[], None], *, first: float | None = None,
              label: str = "") -> Handle:
        """Run ``action`` every ``interval`` seconds from ``first`` (default: one interval from now)."""
        if interval <= 0:
            raise ValueError(f"interval must be positive, got {interval}")
        holder: list[_Scheduled] = []

        def tick() -> None:
            action()
            if not holder[0].cancelled:
                nxt = _Scheduled(self.now + interval, next(self._seq), tick, label)
                nxt.cancelled = holder[0].cancelled
                holder[0] = nxt
                heapq.heappush(self._queue, nxt)

        entry = _Scheduled(self.now + interval if first is None else max(first, self.now), next(self._seq), tick,
                           label)
        holder.append(entry)
        heapq.heappush(self._queue, entry)
        return _PeriodicHandle(holder)

    def run_until(self, until: float) -> None:
        """Run every action scheduled up to and including ``until``, then set the clock to ``until``."""
        while self._queue and self._queue[0].at <= until:
            entry = heapq.heappop(self._queue)
            if entry.cancelled:
                continue
            self.now = entry.at
            entry.action()
        self.now = max(self.now, until)

    def run_for(self, duration: float) -> None:
        self.run_until(self.now + duration)

    def run_while(self, condition: Callable[[], bool], *, limit: float) -> bool:
        """Advance event by event while ``condition()`` holds, up to ``limit`` seconds from now.

        Returns True when the condition became false, False when the limit was reached first.
        """
        deadline = self.now + limit
        while condition():
            pending = [e for e in self._queue if not e.cancelled]
            if not pending or min(pending).at > deadline:
                self.now = deadline
                return not condition()
            self.run_until(min(pending).at)
        return True

    def record(self, kind: str, subject: str, **detail: Any) -> Event:
        event = Event(self.now, kind, subject, detail)
        self.timeline.add(event)
        return event


class _PeriodicHandle(Handle):
    def __init__(self, holder: list[_Scheduled]) -> None:
        self._holder = holder

    def cancel(self) -> None:
        self._holder[0].cancelled = True

    @property
    def at(self) -> float:
        return self._holder[0].at
