"""LocalStack's start-to-ready time and the acceptance features' suite time on moto vs LocalStack, in one run.

Starts ``localstack-core`` on this host (its virtualenv is created in the cache folder on first use:
that install time is printed separately), times it until ``/_localstack/health`` answers, times the
service detection, then runs the features twice in subprocesses: on the embedded moto target, and on
that LocalStack with ``--infra-fallback=moto``. LocalStack is stopped at the end, whatever happened.
Run: ``python benchmarks/targets.py [features-path ...] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from pytest_infra_parity.targets.localstack_capabilities import Health, detect, probe_clients
from pytest_infra_parity.targets.localstack_paths import cache_dir
from pytest_infra_parity.targets.localstack_ready import fetch_health
from pytest_infra_parity.targets.localstack_starter import StartRequest, start_localstack

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def suite(paths: list[str], *options: str) -> tuple[float, str]:
    """Seconds for one ``pytest`` run of the features, and its summary line."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", *options],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return time.perf_counter() - started, lines[-1] if lines else f"exit {done.returncode}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["features"])
    parser.add_argument("--repeat", type=int, default=1, help="Suite runs per target (the best is kept)")
    args = parser.parse_args(argv)
    port = _free_port()
    began = time.perf_counter()
    started = start_localstack(StartRequest(endpoint=f"http://127.0.0.1:{port}", via="host", cache=cache_dir(),
                                            env=dict(os.environ)))
    try:
        if started.installed_seconds:
            print(f"localstack-core installed in {started.installed_seconds:.1f} s (first use on this machine)")
        print(f"localstack start-to-ready: {started.ready_seconds:.2f} s "
              f"({time.perf_counter() - began:.2f} s with the virtualenv check)")
        t0 = time.perf_counter()
        found = detect(Health.parse(fetch_health(started.endpoint)), probe_clients(started.endpoint, "us-east-1", 10))
        print(f"service detection: {time.perf_counter() - t0:.2f} s, {len(found.served())} served, "
              f"{len(found.unserved())} not served")
        rows = []
        for name, options in (("moto", ()), ("localstack+moto", (
                "--infra-target=localstack", f"--infra-endpoint={started.endpoint}", "--infra-fallback=moto"))):
            runs = [suite(args.paths, *options) for _ in range(max(1, args.repeat))]
            best = min(runs, key=lambda run: run[0])
            rows.append((name, best[0], best[1]))
    finally:
        t0 = time.perf_counter()
        started.stop()
        print(f"localstack stop: {time.perf_counter() - t0:.2f} s")
    print(f"{'target':<18} {'suite s':>8}  result")
    for name, seconds, summary in rows:
        print(f"{name:<18} {seconds:>8.1f}  {summary}")
    ratio = rows[1][1] / rows[0][1] if rows[0][1] else float("nan")
    print(f"localstack/moto suite time: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
