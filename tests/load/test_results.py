"""Locust statistics parsing, the thin-load arithmetic, the virtual gate, and a real headless run."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from pytest_infra_parity.load.compression import chance_of_an_error, judge_load, requests_needed
from pytest_infra_parity.load.results import LoadError, parse_results
from pytest_infra_parity.sim.traffic import PeriodTraffic

HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
          "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
          "99.99%,100%")


def test_parses_locust_csv(tmp_path: Path) -> None:
    (tmp_path / "run_stats.csv").write_text(
        f"{HEADER}\nGET,/health,100,2,12,14.5,3,90,20,50.5,1.0,12,15,17,18,25,31,40,55,88,90,90\n"
        f",Aggregated,100,2,12,14.5,3,90,20,50.5,1.0,12,15,17,18,25,31,40,55,88,90,90\n")
    (tmp_path / "run_failures.csv").write_text("Method,Name,Error,Occurrences\nGET,/health,HTTPError(503),2\n")
    results = parse_results(tmp_path / "run")
    health = results.endpoint("/health")
    assert (health.requests, health.failures, health.rps) == (100, 2, 50.5)
    assert (health.percentile(50), health.percentile(95), health.percentile("99%")) == (12, 31, 55)
    assert results.total.failure_ratio == 0.02 and results.failures[0].occurrences == 2
    assert "/health" in results.describe()
    with pytest.raises(KeyError):
        health.percentile(97)
    with pytest.raises(LoadError, match="wrote no statistics"):
        parse_results(tmp_path / "missing")


def test_thin_load_arithmetic() -> None:
    assert requests_needed(0.02) == 149
    assert chance_of_an_error(0.02, 149) >= 0.95 > chance_of_an_error(0.02, 148)
    assert round(chance_of_an_error(0.02, 150), 3) == round(1 - 0.98**150, 3)
    periods = [PeriodTraffic(60 * i, 60 * (i + 1), {"1": 900, "2": n}, {}, {"1": 0.9, "2": 0.1})
               for i, n in enumerate((160, 90))]
    verdict = judge_load(periods, "2", 0)
    assert verdict.per_period == (160, 90) and verdict.thin
    assert any("too thin" in line for line in verdict.describe("2", 6.0, 120.0))
    assert not judge_load(periods[:1], "2", 0).thin


def test_gate_stamps_requests_in_order_and_waits_for_them() -> None:
    from pytest_infra_parity.load.live_traffic import VirtualGate

    gate = VirtualGate(rate=10, start=60, stall_seconds=0.5)
    stamps: list[float] = []

    def client() -> None:
        for _ in range(15):
            admission = gate.admit()
            stamps.append(admission.virtual_at)
            admission.done(None)

    thread = threading.Thread(target=client)
    thread.start()
    gate.open_until(61)
    gate.wait_arrivals(61)
    assert stamps == [60 + i / 10 for i in range(10)]  # the gate holds the 11th request until it opens further
    gate.open_until(70)
    thread.join(5)
    gate.wait_completed(61.5)
    with pytest.raises(LoadError, match="stalled"):
        gate.wait_arrivals(100)
    gate.close()


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return


def test_a_real_headless_locust_run(tmp_path: Path) -> None:
    from pytest_infra_parity.load.locust_run import LocustRun, LocustSpec, locust_missing

    missing = locust_missing()
    if missing:
        pytest.skip(missing)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = tmp_path / "profile.py"
    profile.write_text("from locust import HttpUser, constant, task\n\n\nclass U(HttpUser):\n"
                       "    wait_time = constant(0.01)\n\n    @task\n    def ping(self):\n"
                       "        self.client.get('/ping', name='ping')\n")
    run = LocustRun(LocustSpec(profile, f"http://127.0.0.1:{server.server_address[1]}", users=2, seconds=3))
    try:
        results = run.run()
    finally:
        log = run.log()
        run.close()
        server.shutdown()
    assert results.endpoints, log
    # How many requests fit in 3 s depends on the machine's load (Locust's start-up takes most of it).
    assert results.endpoint("ping").requests >= 2 and results.total.failures == 0
    assert results.total.percentile(95) < 1000 and results.users == 2
