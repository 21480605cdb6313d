"""Report evidence of a Locust run: latency percentiles over time, per-endpoint statistics, what the steps checked.

``load_section(results, ...)`` turns :class:`~pytest_infra_parity.load.results.LoadResults` into the ``load``
section:

- percentiles over time from Locust's statistics history (one Aggregated row per second: Locust's
  *current* p50/p95/p99 over its recent response-time window, "Retrieve test statistics in CSV format",
  Locust docs), with requests/s and failures/s on the right axis, computed from the cumulative request
  and failure counts between two rows (Locust's own current rate stays 0 for its first seconds);
- the per-endpoint table (requests, failures, p50, p95, p99, requests/s) and the Aggregated row;
- with the plugin's local runtime and gateway: the HTTP status counts the gateway answered, and per
  function the invocations, errors, throttles (reserved concurrency reached: "Lambda function scaling")
  and cold starts;
- the checks the scenario's steps made on the run (:class:`Check`: measured value and criterion).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_infra_parity.report.model import Cell, Chart, Figure, Section, Series, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.load.results import EndpointStats, HistoryPoint, LoadResults
    from pytest_infra_parity.runtime.metrics import InvocationRecord

__all__ = ["GATEWAY_NOTE", "MIN_HISTORY", "Check", "checks_section", "latency_series", "load_section",
           "throughput_series"]

_PERCENTILES = (("50%", "p50"), ("95%", "p95"), ("99%", "p99"))
MIN_HISTORY = 5
"""Rows of Locust's statistics history (one a second) a chart over time needs: fewer say too little."""
GATEWAY_NOTE = ("every request the plugin's local gateway answered from Locust's start to its exit, from any "
                "client, with the answers the gateway gives itself (429 stage throttling, 404 no route, 401/403 "
                "authorizer, 503 function throttled): it can exceed Locust's request count")
"""What the gateway's status table counts (the difference of its counters around the Locust run)."""


@dataclass(frozen=True)
class Check:
    """One criterion a step checked on the run: what, the measured value, the criterion, and the result."""

    what: str
    measured: str
    criterion: str
    passed: bool | None = None


def latency_series(history: Sequence[HistoryPoint]) -> tuple[Series, ...]:
    """p50/p95/p99 (ms) over seconds from the first row of the history (a percentile without data: no point)."""
    if not history:
        return ()
    origin = history[0].timestamp
    series = [Series(label, tuple((p.timestamp - origin, p.percentiles[key]) for p in history if key in p.percentiles))
              for key, label in _PERCENTILES]
    return tuple(s for s in series if s.points)


def throughput_series(history: Sequence[HistoryPoint]) -> tuple[Series, ...]:
    """Requests/s and failures/s over seconds from the first row, from the cumulative counts between rows."""
    if not history:
        return ()
    origin = history[0].timestamp
    rates, failures = [], []
    for before, after in itertools.pairwise(history):
        elapsed = after.timestamp - before.timestamp
        if elapsed > 0:
            rates.append((after.timestamp - origin, max(0, after.requests - before.requests) / elapsed))
            failures.append((after.timestamp - origin, max(0, after.failures - before.failures) / elapsed))
    series = [Series("requests/s", tuple(rates), tone="good")]
    if any(value for _, value in failures):
        series.append(Series("failures/s", tuple(failures), tone="bad"))
    return tuple(s for s in series if s.points)


def _time_charts(history: Sequence[HistoryPoint]) -> tuple[Chart, ...]:
    """The latency and the throughput over time, when the history has at least :data:`MIN_HISTORY` rows."""
    if len(history) < MIN_HISTORY:
        return ()
    x_label = "time from the start of the run"
    charts = [Chart("xy", "Latency percentiles over time", x_label=x_label, y_label="response time (ms)",
                    x_is_time=True, series=latency_series(history)),
              Chart("xy", "Throughput over time", x_label=x_label, y_label="per second", x_is_time=True,
                    series=throughput_series(history))]
    return tuple(chart for chart in charts if chart.series)


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.3g}"


def _endpoint_row(stats: EndpointStats, label: str | None = None) -> tuple[Cell, ...]:
    shown = stats.name if stats.name.startswith(f"{stats.method} ") else f"{stats.method} {stats.name}".strip()
    name = label or shown
    return (Cell(name), Cell(str(stats.requests)), Cell(str(stats.failures), "bad" if stats.failures else "neutral"),
            Cell(_ms(stats.percentiles.get("50%", stats.median_ms))), Cell(_ms(stats.percentiles.get("95%", 0.0))),
            Cell(_ms(stats.percentiles.get("99%", 0.0))), Cell(f"{stats.rps:.1f}"))


def _status_table(statuses: Mapping[int, int]) -> Table:
    total = sum(statuses.values())
    rows = []
    for status, count in sorted(statuses.items()):
        tone: Tone = "bad" if status >= 500 else ("warn" if status >= 400 else "good")
        rows.append((Cell(str(status), tone), Cell(str(count)), Cell(f"{100 * count / total:.1f}%" if total else "-")))
    return table("HTTP statuses the gateway answered", ("status", "responses", "share"), rows, note=GATEWAY_NOTE)


def _runtime_table(records: Sequence[InvocationRecord]) -> Table:
    by_function: dict[str, list[InvocationRecord]] = {}
    for record in records:
        by_function.setdefault(record.function, []).append(record)
    rows = []
    for function, runs in sorted(by_function.items()):
        errors = sum(1 for r in runs if r.failed)
        throttled = sum(1 for r in runs if r.throttled)
        colds = [r.cold_wait_ms for r in runs if r.cold]
        rows.append((Cell(function), Cell(str(len(runs) - throttled)),
                     Cell(str(errors), "bad" if errors else "neutral"),
                     Cell(str(throttled), "warn" if throttled else "neutral"), Cell(str(len(colds))),
                     Cell(f"{max(colds):.0f}" if colds else "-")))
    return table("Invocations in the local runtime", ("function", "invocations", "errors", "throttled",
                                                      "cold starts", "longest cold wait (ms)"), rows)


def _checks_table(checks: Sequence[Check]) -> Table:
    rows = [(Cell(c.what), Cell(c.measured, "neutral" if c.passed is None else ("good" if c.passed else "bad")),
             Cell(c.criterion)) for c in checks]
    return table("What the steps checked", ("check", "measured", "criterion"), rows)


def _figures(total: EndpointStats, records: Sequence[InvocationRecord]) -> tuple[Figure, ...]:
    share = 100.0 * total.failure_ratio
    figures = [Figure("load.p95_ms", total.percentiles.get("95%", 0.0), "ms", "p95 latency"),
               Figure("load.rps", round(total.rps, 2), "/s", "requests per second"),
               Figure("load.failure_pct", round(share, 3), "%", "failed requests", "bad" if share else "good")]
    colds = sum(1 for r in records if r.cold)
    if records:
        figures.append(Figure("load.cold_starts", colds, label="cold starts"))
    return tuple(figures)


def _summary(results: LoadResults) -> str:
    total = results.total
    where = f" on {results.host}" if results.host else ""
    rows = len(results.history)
    short = "" if rows >= MIN_HISTORY else (f" No chart over time: Locust's statistics history has {rows} row(s), "
                                            f"fewer than {MIN_HISTORY} (one a second).")
    return (f"Locust {Path(results.locustfile).name or '?'}, {results.users} users for {results.seconds:g} s{where}: "
            f"{total.requests} requests at {total.rps:.1f}/s, {total.failures} failed "
            f"({100 * total.failure_ratio:.2f}%), p95 {total.percentiles.get('95%', 0.0):g} ms.{short}")


def load_section(results: LoadResults, *, statuses: Mapping[int, int] | None = None,
                 records: Sequence[InvocationRecord] = (), checks: Sequence[Check] = (), title: str = "") -> Section:
    """The ``load`` section of a Locust run (see the module docstring)."""
    total = results.total
    charts = _time_charts(results.history)
    tables = [table("Requests per endpoint", ("endpoint", "requests", "failures", "p50 (ms)", "p95 (ms)", "p99 (ms)",
                                              "requests/s"),
                    [*(_endpoint_row(e) for e in results.endpoints), _endpoint_row(total, "all endpoints")],
                    note="" if results.history else "Locust wrote no statistics history: no chart over time")]
    if statuses:
        tables.append(_status_table(statuses))
    if records:
        tables.append(_runtime_table(records))
    if checks:
        tables.append(_checks_table(checks))
    verdict: Tone = "bad" if not total.requests else ("warn" if total.failures else "good")
    if any(c.passed is False for c in checks):
        verdict = "bad"
    return Section(kind="load", title=title or f"Load: {Path(results.locustfile).name or 'Locust'}", verdict=verdict,
                   summary=_summary(results), figures=_figures(total, records), tables=tuple(tables),
                   charts=charts, text=results.describe())


def checks_section(checks: Sequence[Check], records: Sequence[InvocationRecord] = ()) -> Section:
    """A ``load`` section of checks made without a Locust run of the scenario (its invocations, if any)."""
    tables = [_checks_table(checks)] + ([_runtime_table(records)] if records else [])
    failed = sum(1 for c in checks if c.passed is False)
    verdict: Tone = "bad" if failed else ("good" if checks and all(c.passed for c in checks) else "neutral")
    summary = f"{len(checks)} check(s) on the real traffic" + (f", {failed} failed." if failed else ".")
    return Section(kind="load", title="Checks on the real traffic", verdict=verdict, summary=summary,
                   tables=tuple(tables))
