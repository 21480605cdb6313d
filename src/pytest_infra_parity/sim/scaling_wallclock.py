"""The scaling criteria measured on a real control plane with the wall clock (the ``aws`` target).

No emulation here: the steps wait for real minutes, poll ``DescribeServices`` for the task counts and send
real HTTP requests to the load balancer, each wait bounded by the criterion it checks. Every wait ends
with a :class:`Waited` saying what was reached, when, and what was last seen. Inner room: it receives a
client factory; the HTTP client is the standard library's.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Waited", "WallClock", "http_status"]


@dataclass(frozen=True)
class Waited:
    """The outcome of a bounded wait."""

    reached: bool
    seconds: float
    """Since the wait's reference time (for example the last request), until reached or given up."""
    message: str
    polls: int = 0
    seen: list[str] = field(default_factory=list)


def http_status(url: str, timeout: float = 10.0) -> int:
    """The HTTP status of a GET (a connection failure counts as 0)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


class WallClock:
    """Polls one ECS service and its load balancer in real time."""

    def __init__(self, clients: Callable[[str], Any], cluster: str, service: str, *,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], float] = time.monotonic,
                 get: Callable[[str], int] = http_status) -> None:
        self.clients, self.cluster, self.service = clients, cluster, service
        self.sleep, self.now, self.get = sleep, now, get

    def counts(self) -> tuple[int, int, int]:
        """``(desiredCount, runningCount, pendingCount)`` of the service now."""
        found = self.clients("ecs").describe_services(cluster=self.cluster, services=[self.service])["services"]
        if not found:
            raise LookupError(f"ECS service {self.service} is not in cluster {self.cluster}")
        svc = found[0]
        return int(svc.get("desiredCount", 0)), int(svc.get("runningCount", 0)), int(svc.get("pendingCount", 0))

    def wait_for_tasks(self, running: int, *, since: float, timeout: float, interval: float = 15.0) -> Waited:
        """Poll until the service runs ``running`` tasks (desired included), at most ``timeout`` s after ``since``."""
        polls = 0
        seen: list[str] = []
        while True:
            desired, run, pending = self.counts()
            polls += 1
            elapsed = self.now() - since
            seen.append(f"+{elapsed:.0f}s desired={desired} running={run} pending={pending}")
            if desired == running and run == running and pending == 0:
                return Waited(True, elapsed, f"the service runs {running} task(s) {elapsed:.0f} s after the "
                              f"reference time", polls, seen)
            if elapsed + interval > timeout:
                return Waited(False, elapsed, f"after {elapsed:.1f} s the service {self.service} still has "
                              f"desiredCount {desired}, runningCount {run}, pendingCount {pending} (polled {polls} "
                              f"time(s) every {interval:g} s): it did not reach {running} running task(s) within "
                              f"{timeout:g} s", polls, seen)
            self.sleep(interval)

    def first_success(self, url: str, *, rate: float, timeout: float) -> Waited:
        """Send GETs at ``rate`` per second until one answers 2xx, at most ``timeout`` s."""
        start, polls = self.now(), 0
        seen: list[str] = []
        gap = 1.0 / rate if rate > 0 else 1.0
        while True:
            sent = self.now()
            status = self.get(url)
            polls += 1
            elapsed = sent - start
            if not seen or seen[-1].split(" ")[1] != str(status):
                seen.append(f"+{elapsed:.0f}s {status}")
            if 200 <= status < 300:
                return Waited(True, elapsed, f"the first successful response came {elapsed:.0f} s after the first "
                              f"request ({polls} request(s))", polls, seen)
            if self.now() - start + gap > timeout:
                return Waited(False, self.now() - start, f"no successful response from {url} within {timeout:g} s "
                              f"({polls} request(s), statuses {', '.join(seen)})", polls, seen)
            self.sleep(max(0.0, gap - (self.now() - sent)))
