"""Load evidence from real headless Locust runs: percentiles over time, endpoints, statuses and checks."""

from __future__ import annotations

import http.server
import itertools
import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.load.results import LoadResults, parse_results
from pytest_infra_parity.report.from_load import GATEWAY_NOTE, MIN_HISTORY, Check, checks_section, load_section
from pytest_infra_parity.report.model import Section
from pytest_infra_parity.runtime.metrics import InvocationRecord

PROFILE = """\
from locust import HttpUser, constant, task


class U(HttpUser):
    wait_time = constant(0.02)

    @task(3)
    def ok(self):
        self.client.get("/ok", name="ok")

    @task(1)
    def bad(self):
        self.client.get("/bad", name="bad")
"""

IDLE_PROFILE = """\
from locust import User, constant, task


class Idle(User):
    wait_time = constant(5)

    @task
    def nothing(self):
        pass
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500 if self.path.startswith("/bad") else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return


def _locust(tmp_path: Path, profile: str, host: str, seconds: float, name: str) -> Path:
    """Run Locust headless in its own processes; keep its CSV files under ``tmp_path`` (their prefix)."""
    from pytest_infra_parity.load.locust_run import LocustRun, LocustSpec, locust_missing

    missing = locust_missing()
    if missing:
        pytest.skip(missing)
    path = tmp_path / f"{name}.py"
    path.write_text(profile)
    run = LocustRun(LocustSpec(path, host, users=2, seconds=seconds))
    try:
        run.run()
        for produced in run.prefix.parent.glob("locust_*.csv"):
            shutil.copy(produced, tmp_path / produced.name.replace("locust", name, 1))
    finally:
        run.close()
    return tmp_path / name


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A 6-second run on an endpoint that answers 200 and one that answers 500, and a run sending nothing."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    folder = tmp_path_factory.mktemp("locust")
    try:
        yield _locust(folder, PROFILE, host, 6, "busy"), _locust(folder, IDLE_PROFILE, host, 1, "idle")
    finally:
        server.shutdown()


def figures(section: Section) -> dict[str, Any]:
    return {figure.name: figure.value for figure in section.figures}


def test_latency_and_throughput_over_time_come_from_locusts_history(runs: tuple[Path, Path]) -> None:
    results = parse_results(runs[0])
    history = results.history
    assert len(history) >= MIN_HISTORY and history == sorted(history, key=lambda p: p.timestamp)
    section = load_section(results)
    latency, throughput = section.charts
    assert (latency.title, latency.y_label, throughput.title) == ("Latency percentiles over time", "response time (ms)",
                                                                  "Throughput over time")
    shown = {s.name: list(s.points) for s in latency.series}
    origin = history[0].timestamp
    assert shown["p95"] == [(p.timestamp - origin, p.percentiles["95%"]) for p in history if "95%" in p.percentiles]
    assert shown["p50"] and shown["p99"] and set(shown) == {"p50", "p95", "p99"}  # milliseconds only
    rates = {s.name: list(s.points) for s in throughput.series}
    expected_rates = [(b.timestamp - origin, (b.requests - a.requests) / (b.timestamp - a.timestamp))
                      for a, b in itertools.pairwise(history) if b.timestamp > a.timestamp]
    assert rates["requests/s"] == expected_rates and max(r for _, r in expected_rates) > 0
    assert "failures/s" in rates  # the /bad endpoint fails a quarter of the requests
    assert all(s.axis == "left" for c in section.charts for s in c.series)  # one unit per chart, one axis
    assert "No chart over time" not in section.summary


def test_a_short_history_draws_no_chart_and_says_so(runs: tuple[Path, Path]) -> None:
    results = parse_results(runs[0])
    results.history = results.history[:MIN_HISTORY - 1]
    section = load_section(results)
    assert section.charts == () and f"has {MIN_HISTORY - 1} row(s), fewer than {MIN_HISTORY}" in section.summary


def test_endpoint_table_and_figures_match_locusts_statistics(runs: tuple[Path, Path]) -> None:
    results = parse_results(runs[0])
    section = load_section(results, statuses=Counter({200: 30, 500: 10}))
    endpoints, statuses = section.tables[:2]
    rows = {row[0].text: row for row in endpoints.rows}
    bad, ok = results.endpoint("bad"), results.endpoint("ok")
    assert rows["GET bad"][1].text == str(bad.requests) and rows["GET bad"][2].tone == "bad"
    assert rows["GET ok"][2].text == "0" and rows["all endpoints"][1].text == str(results.total.requests)
    p95 = ok.percentile(95)
    assert rows["GET ok"][4].text == (f"{p95:.0f}" if p95 >= 10 else f"{p95:.3g}")
    assert figures(section) == {"load.p95_ms": results.total.percentile(95), "load.rps": round(results.total.rps, 2),
                                "load.failure_pct": round(100 * results.total.failure_ratio, 3)}
    assert section.verdict == "warn" and [row[2].text for row in statuses.rows] == ["75.0%", "25.0%"]
    assert statuses.note == GATEWAY_NOTE and "from any client" in statuses.note
    assert Section.from_json(json.loads(json.dumps(section.as_json()))) == section


def test_a_run_without_history_or_requests_does_not_break_the_section(runs: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    for produced in runs[0].parent.glob("busy_*.csv"):
        if not produced.name.endswith("_stats_history.csv"):
            shutil.copy(produced, tmp_path / produced.name)
    without = load_section(parse_results(tmp_path / "busy"))
    assert without.charts == () and "no statistics history" in without.tables[0].note

    idle: LoadResults = parse_results(runs[1])
    assert idle.total.requests == 0
    section = load_section(idle)
    assert section.verdict == "bad" and figures(section)["load.failure_pct"] == 0
    assert all(not s.name.startswith("p") for c in section.charts for s in c.series)  # no latency without requests


def _record(function: str, *, cold: bool = False, throttled: bool = False, error: str | None = None,
            wait: float = 0.0) -> InvocationRecord:
    return InvocationRecord(function, "live", "1", "id", 0.0, 5.0, cold, 100.0 if cold else 0.0, wait, error,
                            throttled, 1)


def test_runtime_invocations_and_step_checks(runs: tuple[Path, Path]) -> None:
    records = [_record("health", cold=True, wait=850), _record("health", throttled=True), _record("health"),
               _record("wishlist", error="Boom"), _record("wishlist", cold=True, wait=1200)]
    checks = [Check("API answered 503", "1 of 9 (11.11%)", "at least 1%", True),
              Check("p95 latency", "2700 ms", "below 2000 ms", False)]
    section = load_section(parse_results(runs[0]), records=records, checks=checks)
    runtime, checked = section.tables[1:]
    assert [[cell.text for cell in row] for row in runtime.rows] == [["health", "2", "0", "1", "1", "850"],
                                                                     ["wishlist", "2", "1", "0", "1", "1200"]]
    assert [row[1].tone for row in checked.rows] == ["good", "bad"] and section.verdict == "bad"
    assert figures(section)["load.cold_starts"] == 2
    alone = checks_section(checks[:1])
    assert (alone.kind, alone.verdict, len(alone.tables)) == ("load", "good", 1)
