"""Real requests on the control plane's virtual clock: the gate that compresses time, and live traffic.

Time compression. The emulated control plane (CloudWatch, CodeDeploy) runs on a virtual clock while
Locust sends real requests through the local runtime. Each request to the watched alias is admitted by
a :class:`VirtualGate` and stamped with a virtual time: the *i*-th request gets ``start + i / r``,
where *r* is the usage profile's rate in requests per virtual second. So every virtual minute carries
exactly the profile's traffic, whatever rate Locust reaches, and the clock runs ``k = R / r`` times
faster than the wall clock for a real rate *R* (reported, not chosen in advance). The driver opens the
gate one virtual step at a time and runs the clock's events between steps, so a traffic shift or an
alarm evaluation at virtual time *t* acts on the requests after *t*, as it would in AWS. Routing and
request ids are drawn from the seed in admission order, which makes a run reproducible.

:class:`LiveTraffic` is the traffic model the CloudWatch emulation reads: periods before the live phase
(the alarms' warm-up, before the deployment starts) come from the emulated model at the same rate;
from the live phase on, every invocation, error and version is a real one.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.load.results import LoadError
from pytest_infra_parity.runtime.metrics import InvocationRecord
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.traffic import PeriodTraffic, TrafficModel, TrafficSpec

__all__ = ["LiveTraffic", "VirtualGate"]


@dataclass
class _Admission:
    gate: VirtualGate
    seq: int
    virtual_at: float
    finished: bool = False

    def done(self, record: InvocationRecord | None) -> None:
        self.gate._done(self, record)


@dataclass
class VirtualGate:
    """Admits the requests of one alias in order, one virtual step at a time."""

    rate: float
    """Requests per virtual second (the usage profile's rate)."""
    start: float
    """The virtual time of the first admitted request."""
    stall_seconds: float = 30.0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _admitted: int = 0
    _open_until: float = -math.inf
    _pending: dict[int, float] = field(default_factory=dict)
    records: list[tuple[float, InvocationRecord]] = field(default_factory=list)
    closed: bool = False
    wall_start: float | None = None
    wall_end: float | None = None

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise LoadError(f"time compression needs a positive request rate, got {self.rate}")
        self._open_until = self.start

    def _next_time(self) -> float:
        return self.start + self._admitted / self.rate

    def admit(self) -> _Admission:
        with self._cond:
            while not self.closed and self._next_time() >= self._open_until:
                self._cond.wait(0.25)
            at = self._next_time()
            seq = self._admitted
            self._admitted += 1
            self._pending[seq] = at
            if self.wall_start is None:
                self.wall_start = time.monotonic()
            self._cond.notify_all()
            return _Admission(self, seq, at)

    def _done(self, admission: _Admission, record: InvocationRecord | None) -> None:
        with self._cond:
            if admission.finished:
                return
            admission.finished = True
            self._pending.pop(admission.seq, None)
            if record is not None:
                self.records.append((admission.virtual_at, record))
            self._cond.notify_all()

    def open_until(self, until: float) -> None:
        """Let the requests stamped before ``until`` through."""
        with self._cond:
            self._open_until = max(self._open_until, until)
            self._cond.notify_all()

    def wait_arrivals(self, until: float) -> None:
        """Block until every request stamped before ``until`` has been admitted (Locust's pace)."""
        self._wait(lambda: self._next_time() >= until - 1e-9, f"requests up to virtual second {until:g}")

    def wait_completed(self, until: float) -> None:
        """Block until every admitted request stamped before ``until`` has ended."""
        self._wait(lambda: not any(at < until for at in self._pending.values()),
                   f"the requests before virtual second {until:g} to end")

    def _wait(self, ready: Any, what: str) -> None:
        with self._cond:
            mark = (self._admitted, len(self.records))
            deadline = time.monotonic() + self.stall_seconds
            while not ready():
                if (self._admitted, len(self.records)) != mark:
                    mark = (self._admitted, len(self.records))
                    deadline = time.monotonic() + self.stall_seconds
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LoadError(f"time compression stalled: no progress in {self.stall_seconds:g} s waiting for "
                                    f"{what} ({self._admitted} requests admitted): is the load profile sending "
                                    "requests to the deployed alias?")
                self._cond.wait(min(left, 0.25))

    def close(self) -> None:
        """Stop gating: later requests pass at once (their virtual times are past the run)."""
        with self._cond:
            self.closed = True
            self.wall_end = time.monotonic()
            self._cond.notify_all()

    def in_period(self, start: float, end: float) -> list[InvocationRecord]:
        with self._cond:
            return [r for at, r in self.records if start <= at < end]

    @property
    def compression(self) -> float | None:
        """Virtual seconds per wall second over the live phase."""
        if self.wall_start is None:
            return None
        wall = (self.wall_end or time.monotonic()) - self.wall_start
        return (self._admitted / self.rate) / wall if wall > 0 else None


class LiveTraffic(TrafficModel):
    """The traffic model of a rollout under real load: emulated before ``live_from``, real after."""

    def __init__(self, clock: VirtualClock, spec: TrafficSpec, gate: VirtualGate, *, function_name: str, alias: str,
                 tick: int = 60) -> None:
        from pytest_infra_parity.sim.traffic import MetricStore

        super().__init__(clock, spec, function_name=function_name, alias=alias, store=MetricStore(tick))
        self.gate = gate
        self.throttles: dict[int, int] = {}

    def _generate(self, index: int) -> None:
        start, end = index * self.tick, (index + 1) * self.tick
        if end <= self.gate.start:
            super()._generate(index)
            return
        self.gate.wait_completed(end)
        invocations: dict[str, float] = {}
        errors: dict[str, float] = {}
        for record in self.gate.in_period(start, end):
            if record.throttled:
                self.throttles[index] = self.throttles.get(index, 0) + 1
                continue
            version = str(record.executed_version)
            invocations[version] = invocations.get(version, 0.0) + 1
            errors[version] = errors.get(version, 0.0) + (1.0 if record.failed else 0.0)
        for version, n in invocations.items():
            self._publish(index, version, n, errors[version])
        self._keep(PeriodTraffic(start, end, invocations, errors, self._mean_weights(start, end)))
