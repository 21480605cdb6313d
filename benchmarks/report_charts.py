"""Time and size of the report's SVG charts (``report.svg.render_chart``).

Three charts: a canary-like ``xy`` chart (3 series of 60 points on two axes, a threshold, 2 bands, 2
markers, time axis), one series of 100,000 points (drawn min/max-decimated to about 4,000), and a
build-race ``gantt`` of 40 lanes (80 spans, a kill point per lane, markers). Each is rendered a few
times after a warm-up (the first render also imports matplotlib); the best time is printed with the
SVG size. Target: the 100k-point series under 1 s. Run: ``python benchmarks/report_charts.py [REPEATS]``.
"""

from __future__ import annotations

import math
import random
import sys
import time

from pytest_infra_parity.report.model import Band, Chart, Marker, Series, Span, Threshold
from pytest_infra_parity.report.svg import render_chart

TARGET_SECONDS = 1.0


def canary() -> Chart:
    rng = random.Random(7)
    times = [float(t) for t in range(0, 600, 10)]
    stable = tuple((t, 0.4 + rng.random() * 0.3) for t in times)
    canary_errors = tuple((t, 6 + rng.random() * 4 if 180 <= t <= 330 else 0.5 + rng.random() * 0.3) for t in times)
    weight = tuple((t, 10.0 if t < 60 else 25.0 if t < 240 else 0.0) for t in times)
    return Chart(kind="xy", title="Canary error rate and traffic shift", x_label="time", y_label="errors %",
                 y2_label="canary traffic %", x_is_time=True,
                 series=(Series("stable 5xx", stable), Series("canary 5xx", canary_errors, tone="bad"),
                         Series("canary weight", weight, style="step", axis="right")),
                 thresholds=(Threshold(5.0, "alarm threshold 5 %"),),
                 markers=(Marker(60, "step 25 %"), Marker(240, "rollback", "bad")),
                 bands=(Band(190, 240, "alarm in ALARM"), Band(250, 270, "alarm in ALARM")))


def long_series(points: int = 100_000) -> Chart:
    rng = random.Random(3)
    data = tuple((i * 0.05, 40 + 10 * math.sin(i / 5000) + rng.expovariate(0.2)) for i in range(points))
    return Chart(kind="xy", title=f"Locust p95 over time ({points:,} points)", x_label="time", y_label="ms",
                 x_is_time=True, series=(Series("p95", data, tone="warn"),),
                 thresholds=(Threshold(200.0, "p95 budget 200 ms"),))


def gantt(lanes: int = 40) -> Chart:
    rng = random.Random(5)
    spans: list[Span] = []
    for lane in range(lanes):
        start = rng.uniform(0, 300)
        middle = start + rng.uniform(20, 200)
        spans.append(Span(f"build {lane + 1}", start, middle, "lock wait", "warn"))
        spans.append(Span(f"build {lane + 1}", middle, middle + rng.uniform(10, 120), "apply",
                          "bad" if lane % 7 == 3 else "good"))
        spans.append(Span(f"build {lane + 1}", middle, middle, "kill" if lane % 9 == 0 else "", "bad"))
    return Chart(kind="gantt", title=f"Build race schedule ({lanes} builds)", x_label="time", x_is_time=True,
                 spans=tuple(spans), markers=(Marker(120, "first failure", "bad"), Marker(400, "last build")))


def main(repeats: int = 5) -> int:
    charts = {"canary xy (3 x 60 points)": canary(), "xy 100k points": long_series(), "gantt 40 lanes": gantt()}
    started = time.perf_counter()
    render_chart(Chart(kind="xy", title="warm-up", series=(Series("s", ((0.0, 1.0), (1.0, 2.0))),)))
    print(f"first render (imports matplotlib): {time.perf_counter() - started:.3f} s")
    worst = 0.0
    for name, chart in charts.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            svg = render_chart(chart)
            times.append(time.perf_counter() - started)
        worst = max(worst, min(times))
        print(f"{name:<28} best {min(times):.3f} s  median {sorted(times)[len(times) // 2]:.3f} s  "
              f"svg {len(svg.encode()) / 1024:.1f} KiB")
    print(f"target: every chart under {TARGET_SECONDS:.1f} s -> {'ok' if worst < TARGET_SECONDS else 'MISSED'}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
