"""API Gateway's request throttling: a token bucket per stage (and per route with route settings).

"Throttle requests to your HTTP APIs" (API Gateway developer guide): the rate limit is the steady number
of requests per second and the burst limit the bucket's size; a request that finds the bucket empty is
answered 429 ``{"message":"Too Many Requests"}`` and counted in the ``4xx`` metric.
"""

from __future__ import annotations

import threading
import time

__all__ = ["TokenBucket"]


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` stored; starts full."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = time.monotonic
        self._tokens = float(burst)
        self._at = self._clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True when a request may pass (one token taken), False when it is throttled."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False
