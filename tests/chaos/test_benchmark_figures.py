"""The figures the benchmarks print are the real counts (benchmarks/inventory.py's creation line)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _benchmark(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_inventory_benchmark_creates_and_reports_exactly_its_resources() -> None:
    bench = _benchmark("inventory")
    tagged, other = bench.plan(1000), bench.plan(50)
    assert bench.resource_count(tagged) == 1000 and bench.resource_count(other) == 50
    queues = sum(1 for kind, _ in tagged if kind == "queue")
    assert len(tagged) == 1000 - queues  # a queue entry creates the queue and its DLQ
    line = bench.created_line(tagged, other, 1.25)
    assert line.startswith("created 1,050 resources in 1.2 s: 1,000 tagged Project=bench (")
    assert f"{queues} queues + {queues} DLQs" in line and line.endswith("50 tagged Project=other")
