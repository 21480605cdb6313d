"""Locust's statistics parsed into typed results: requests, failures, RPS, latency percentiles per endpoint.

Read from the files ``--csv <prefix>`` writes ("Retrieve test statistics in CSV format", Locust docs):
``<prefix>_stats.csv`` has one row per endpoint (``Type`` is the method, ``Name`` the request name) and a
final ``Aggregated`` row, with ``Request Count``, ``Failure Count``, ``Requests/s``, ``Failures/s``,
``Median``/``Average``/``Min``/``Max Response Time`` (milliseconds) and the percentile columns ``50%``
... ``100%``; ``<prefix>_failures.csv`` lists the failures by endpoint and error. Locust rounds the
percentiles (it keeps response times in buckets), so they are approximate above 100 ms.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.errors import InfraParityError

__all__ = ["EndpointStats", "Failure", "HistoryPoint", "LoadResults", "parse_history", "parse_results"]

PERCENTILES = ("50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%")


class LoadError(InfraParityError):
    """Locust could not run, or left no statistics."""


@dataclass(frozen=True)
class EndpointStats:
    """One row of Locust's statistics."""

    method: str
    name: str
    requests: int
    failures: int
    rps: float
    failures_per_second: float
    median_ms: float
    average_ms: float
    min_ms: float
    max_ms: float
    percentiles: dict[str, float] = field(default_factory=dict)

    def percentile(self, which: float | str) -> float:
        """The latency percentile in ms (``95``, ``"95%"``, ``99.9``)."""
        key = which if isinstance(which, str) and which.endswith("%") else f"{float(which):g}%"
        try:
            return self.percentiles[key]
        except KeyError:
            raise KeyError(f"Locust reports the percentiles {', '.join(PERCENTILES)}, not {key}") from None

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Failure:
    method: str
    name: str
    error: str
    occurrences: int


@dataclass(frozen=True)
class HistoryPoint:
    """One row of Locust's statistics history: the run at one second."""

    timestamp: float
    users: int
    requests: int
    """Requests so far (cumulative)."""
    failures: int
    """Failures so far (cumulative)."""
    rps: float
    """Locust's current requests/s (0 until its rolling window has data)."""
    percentiles: dict[str, float] = field(default_factory=dict)
    """The current latency percentiles in ms; a percentile Locust had no data for (``N/A``) is absent."""


@dataclass
class LoadResults:
    """What a Locust run measured (``total`` is the Aggregated row)."""

    endpoints: list[EndpointStats]
    total: EndpointStats
    failures: list[Failure] = field(default_factory=list)
    users: int = 0
    seconds: float = 0.0
    host: str = ""
    locustfile: str = ""
    workers: int = 0
    history: list[HistoryPoint] = field(default_factory=list)
    """The Aggregated rows of ``<prefix>_stats_history.csv``, oldest first (empty when Locust wrote none)."""

    def endpoint(self, name: str) -> EndpointStats:
        for stats in self.endpoints:
            if stats.name == name:
                return stats
        raise KeyError(f"no endpoint {name!r} in the results; endpoints: {', '.join(e.name for e in self.endpoints)}")

    def describe(self) -> str:
        head = (f"Locust {Path(self.locustfile).name or '?'}: {self.users} users for {self.seconds:g} s on "
                f"{self.host}" + (f" ({self.workers} workers)" if self.workers else ""))
        lines = [head, f"  {'endpoint':<32} {'reqs':>7} {'fails':>6} {'rps':>8} {'p50':>6} {'p90':>6} {'p95':>6} "
                       f"{'p99':>6}"]
        for stats in [*self.endpoints, self.total]:
            label = f"{stats.method} {stats.name}".strip()[:32]
            lines.append(f"  {label:<32} {stats.requests:>7} {stats.failures:>6} {stats.rps:>8.1f} "
                         f"{stats.percentile(50):>6.0f} {stats.percentile(90):>6.0f} {stats.percentile(95):>6.0f} "
                         f"{stats.percentile(99):>6.0f}")
        for failure in self.failures[:10]:
            lines.append(f"  failure x{failure.occurrences}: {failure.method} {failure.name}: {failure.error[:160]}")
        return "\n".join(lines)


def _number(row: dict[str, str], key: str) -> float:
    value = (row.get(key) or "").strip()
    if value in ("", "N/A"):
        return 0.0
    return float(value)


def _row(row: dict[str, str]) -> EndpointStats:
    return EndpointStats(
        method=(row.get("Type") or "").strip(), name=(row.get("Name") or "").strip(),
        requests=int(_number(row, "Request Count")), failures=int(_number(row, "Failure Count")),
        rps=_number(row, "Requests/s"), failures_per_second=_number(row, "Failures/s"),
        median_ms=_number(row, "Median Response Time"), average_ms=_number(row, "Average Response Time"),
        min_ms=_number(row, "Min Response Time"), max_ms=_number(row, "Max Response Time"),
        percentiles={p: _number(row, p) for p in PERCENTILES if p in row})


def _history_row(row: dict[str, str]) -> HistoryPoint:
    percentiles = {p: float(v) for p in PERCENTILES if (v := (row.get(p) or "").strip()) not in ("", "N/A")}
    return HistoryPoint(timestamp=_number(row, "Timestamp"), users=int(_number(row, "User Count")),
                        requests=int(_number(row, "Total Request Count")),
                        failures=int(_number(row, "Total Failure Count")), rps=_number(row, "Requests/s"),
                        percentiles=percentiles)


def parse_history(prefix: str | Path) -> list[HistoryPoint]:
    """The Aggregated rows of ``<prefix>_stats_history.csv`` (none without the file; unreadable rows skipped)."""
    path = Path(f"{prefix}_stats_history.csv")
    if not path.is_file():
        return []
    points = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("Name") or "").strip() != "Aggregated":
                continue
            try:
                points.append(_history_row(row))
            except ValueError:
                continue  # a row cut short when Locust was stopped mid-write: the other rows still tell the run
    return points


def parse_results(prefix: str | Path) -> LoadResults:
    """Parse ``<prefix>_stats.csv`` and ``<prefix>_failures.csv``."""
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.is_file():
        raise LoadError(f"Locust wrote no statistics ({stats_file} is missing)")
    with stats_file.open(newline="") as handle:
        rows = [_row(r) for r in csv.DictReader(handle)]
    total = next((r for r in rows if r.name == "Aggregated"), None)
    if total is None:
        raise LoadError(f"{stats_file} has no Aggregated row")
    failures: list[Failure] = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.is_file():
        with failures_file.open(newline="") as handle:
            failures = [Failure(r.get("Method", ""), r.get("Name", ""), r.get("Error", ""),
                                int(float(r.get("Occurrences") or 0))) for r in csv.DictReader(handle)]
    return LoadResults([r for r in rows if r.name != "Aggregated"], total, failures, history=parse_history(prefix))
