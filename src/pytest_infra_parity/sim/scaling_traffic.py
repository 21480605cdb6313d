"""Request arrivals at the load balancer for the scaling emulation: a piecewise-constant rate, deterministic.

From a segment starting at ``s`` with ``r`` requests per second, requests arrive at ``s, s + 1/r, s + 2/r``
and so on until the next segment. Arrivals are counted over intervals, never listed one by one, so a day
at any rate costs the same.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

__all__ = ["Segment", "TrafficPlan"]

_EPS = 1e-9


@dataclass(frozen=True)
class Segment:
    start: float
    rate: float
    """Requests per second from ``start`` to the next segment (0: idle)."""


class TrafficPlan:
    """Rate changes over virtual time; idle before the first segment."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []

    def set_rate(self, at: float, rate: float) -> None:
        if rate < 0:
            raise ValueError(f"a request rate cannot be negative, got {rate}")
        starts = [s.start for s in self.segments]
        index = bisect.bisect_left(starts, at)
        self.segments[index:] = [Segment(at, rate)]  # a new rate replaces everything planned after it

    def _segments(self, a: float, b: float) -> list[tuple[float, float, Segment]]:
        """Pieces of ``[a, b)`` with their segment."""
        out = []
        for i, seg in enumerate(self.segments):
            end = self.segments[i + 1].start if i + 1 < len(self.segments) else math.inf
            lo, hi = max(a, seg.start), min(b, end)
            if hi > lo and seg.rate > 0:
                out.append((lo, hi, seg))
        return out

    @staticmethod
    def _index(seg: Segment, t: float) -> int:
        """The number of arrivals of ``seg`` strictly before ``t``."""
        return max(0, math.ceil((t - seg.start) * seg.rate - _EPS))

    def arrivals(self, a: float, b: float) -> int:
        """Requests arriving in ``[a, b)``."""
        return sum(self._index(seg, hi) - self._index(seg, lo) for lo, hi, seg in self._segments(a, b))

    def first_arrival(self, a: float, b: float = math.inf) -> float | None:
        """The first arrival in ``[a, b)``."""
        for lo, hi, seg in self._segments(a, b):
            t = seg.start + self._index(seg, lo) / seg.rate
            if t < hi:
                return t
        return None

    def last_arrival(self, before: float) -> float | None:
        """The last arrival strictly before ``before``."""
        for lo, hi, seg in reversed(self._segments(-math.inf, before)):
            count = self._index(seg, hi)
            if count > self._index(seg, lo):
                return seg.start + (count - 1) / seg.rate
        return None

    def rate_at(self, t: float) -> float:
        starts = [s.start for s in self.segments]
        index = bisect.bisect_right(starts, t) - 1
        return self.segments[index].rate if index >= 0 else 0.0
