"""Is the load enough to decide? Canary requests per evaluation period, and the probability of an error.

A version failing a fraction *p* of its requests shows at least one error in a period of *n* of its
requests with probability ``1 - (1 - p) ** n``; for that to be likely (95 %) a period needs
``n >= ln(0.05) / ln(1 - p)`` requests: 149 at p = 2 %. With fewer, an alarm at a 2 % threshold
often sees a failing canary as healthy because no error happened to fall in the period, and the
result of a rollout says more about the sample than about the design. The report gives the canary's
requests in each period after the deployment started, and warns when some period is thinner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_infra_parity.sim.traffic import PeriodTraffic

__all__ = ["LoadVerdict", "chance_of_an_error", "judge_load", "requests_needed"]


def chance_of_an_error(p: float, n: float) -> float:
    """The probability that ``n`` requests failing independently with probability ``p`` show an error."""
    if p <= 0 or n <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    return 1.0 - float((1.0 - p) ** n)


def requests_needed(p: float, confidence: float = 0.95) -> int:
    """The fewest requests for at least one error with probability ``confidence`` at error rate ``p``."""
    if not 0 < p < 1 or not 0 < confidence < 1:
        raise ValueError(f"need 0 < p < 1 and 0 < confidence < 1, got p={p}, confidence={confidence}")
    return math.ceil(math.log(1 - confidence) / math.log(1 - p))


@dataclass(frozen=True)
class LoadVerdict:
    """Canary requests per period after the start, and whether some period is too thin."""

    threshold: float
    needed: int
    per_period: tuple[float, ...]
    thin: bool

    def describe(self, version: str, compression: float | None, real_rps: float | None) -> list[str]:
        counts = ", ".join(f"{n:g}" for n in self.per_period) or "none"
        lines = [f"load: canary (version {version}) requests per evaluation period after the start: {counts}"]
        if compression is not None:
            rate = f" at {real_rps:.0f} real requests/s" if real_rps else ""
            lines.append(f"time compression: the virtual clock ran {compression:.1f}x faster than the wall clock"
                         f"{rate} (every virtual minute carries the usage profile's traffic)")
        if self.thin and self.per_period:
            low = min(self.per_period)
            lines.append(f"WARNING load too thin to decide: a period with {low:g} canary requests shows an error "
                         f"at the {self.threshold:.2%} threshold rate with probability "
                         f"{chance_of_an_error(self.threshold, low):.0%} (1-(1-p)^n); {self.needed} requests per "
                         f"period are needed for 95% - raise the traffic rate of the scenario")
        return lines


def judge_load(periods: Sequence[PeriodTraffic], version: str, start: float, threshold: float = 0.02,
               confidence: float = 0.95) -> LoadVerdict:
    """The canary's requests per period from ``start`` on, judged against ``threshold``."""
    counts = tuple(p.invocations.get(version, 0.0) for p in periods if p.start >= start and
                   p.weights.get(version, 0.0) > 0)
    needed = requests_needed(threshold, confidence)
    return LoadVerdict(threshold, needed, counts, any(n < needed for n in counts))
