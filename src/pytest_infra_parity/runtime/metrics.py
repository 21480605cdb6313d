"""Invocation records, and the metrics Lambda and API Gateway publish, batched to the target's CloudWatch.

Lambda ("Lambda function metrics" and "Types of metrics for Lambda functions", Lambda developer guide)
publishes, in the ``AWS/Lambda`` namespace: ``Invocations`` (1 per invocation that ran, error or not),
``Errors`` (1 per invocation that ended with a function error, 0 otherwise), ``Throttles`` (1 per
throttled invocation, which is not counted in Invocations), ``Duration`` (milliseconds) and
``ConcurrentExecutions`` (in-flight invocations; its Maximum is what Lambda graphs). Each is published
with the dimension sets: none (the account), ``FunctionName``, ``FunctionName`` + ``Resource``
(``function:alias`` or ``function:version`` when invoked with a qualifier) and, for invocations through
an alias, ``FunctionName`` + ``Resource`` + ``ExecutedVersion`` (the version the alias routed to; a
throttled invocation ran no version, so its Throttles carry no ExecutedVersion). API Gateway's HTTP
API metrics ("Monitor CloudWatch metrics for HTTP APIs") are ``Count``, ``4xx``, ``5xx``, ``Latency``
and ``IntegrationLatency`` in ``AWS/ApiGateway`` with ``ApiId`` and ``ApiId`` + ``Stage``.

The sink aggregates per metric, dimension set and minute into statistic sets and sends them with
``PutMetricData`` (up to 500 data a call) every ``flush_seconds`` and when closed: one call per batch,
not per request, as the CloudWatch agent does.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["InvocationRecord", "MetricsSink", "lambda_datapoints"]

LAMBDA_NAMESPACE = "AWS/Lambda"
API_NAMESPACE = "AWS/ApiGateway"
BATCH = 500
Dims = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class InvocationRecord:
    """One invocation as the runtime saw it."""

    function: str
    qualifier: str | None
    executed_version: str | None
    request_id: str
    started: float
    """Wall-clock start (``time.time()``)."""
    duration_ms: float
    cold: bool
    init_ms: float
    cold_wait_ms: float
    """How long the caller waited for the execution environment to start (0 when warm)."""
    error_type: str | None
    throttled: bool
    concurrency: int
    max_rss_kb: int = 0
    log: str = ""
    virtual_at: float | None = None
    """The control plane's virtual time of the invocation, when one drives it (time compression)."""

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    @property
    def resource(self) -> str | None:
        return f"{self.function}:{self.qualifier}" if self.qualifier else None

    @property
    def via_alias(self) -> bool:
        return bool(self.qualifier) and not str(self.qualifier).isdigit()


def lambda_datapoints(record: InvocationRecord) -> list[tuple[str, Dims, float, str]]:
    """``(metric, dimensions, value, unit)`` Lambda publishes for one invocation."""
    sets: list[Dims] = [(), (("FunctionName", record.function),)]
    if record.resource:
        sets.append((("FunctionName", record.function), ("Resource", record.resource)))
    if record.throttled:
        return [("Throttles", dims, 1.0, "Count") for dims in sets]
    if record.via_alias and record.executed_version:
        sets.append((("ExecutedVersion", record.executed_version), ("FunctionName", record.function),
                     ("Resource", str(record.resource))))
    points: list[tuple[str, Dims, float, str]] = []
    for dims in sets:
        points += [("Invocations", dims, 1.0, "Count"), ("Errors", dims, 1.0 if record.failed else 0.0, "Count"),
                   ("Duration", dims, record.duration_ms, "Milliseconds"),
                   ("ConcurrentExecutions", dims, float(record.concurrency), "Count")]
    return points


@dataclass
class _Stat:
    count: float = 0.0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)


class MetricsSink:
    """Aggregates datapoints per minute and sends them to CloudWatch in batches."""

    def __init__(self, cloudwatch: Callable[[], Any] | None, *, flush_seconds: float = 5.0) -> None:
        self._cloudwatch = cloudwatch
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, Dims, int, str], _Stat] = {}
        self.calls = 0
        self.sent = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, namespace: str, metric: str, dims: Dims, value: float, unit: str, at: float) -> None:
        minute = int(at // 60) * 60
        with self._lock:
            self._pending.setdefault((namespace, metric, dims, minute, unit), _Stat()).add(value)

    def add_record(self, record: InvocationRecord) -> None:
        for metric, dims, value, unit in lambda_datapoints(record):
            self.add(LAMBDA_NAMESPACE, metric, dims, value, unit, record.started)

    def start(self) -> None:
        if self._thread is None and self._cloudwatch is not None:
            self._thread = threading.Thread(target=self._loop, name="infra-parity-metrics", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def _take(self) -> list[dict[str, Any]]:
        with self._lock:
            pending, self._pending = self._pending, {}
        data = []
        for (namespace, metric, dims, minute, unit), stat in sorted(pending.items(), key=lambda kv: kv[0][:2]):
            data.append({"Namespace": namespace, "MetricName": metric, "Unit": unit,
                         "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
                         "Timestamp": datetime.fromtimestamp(minute, UTC),
                         "StatisticValues": {"SampleCount": stat.count, "Sum": stat.total, "Minimum": stat.low,
                                             "Maximum": stat.high}})
        return data

    def flush(self) -> int:
        """Send what is pending (grouped by namespace, ``BATCH`` data per call); how many data were sent."""
        if self._cloudwatch is None:
            with self._lock:
                self._pending.clear()
            return 0
        data = self._take()
        if not data:
            return 0
        client = self._cloudwatch()
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for datum in data:
            by_namespace.setdefault(datum.pop("Namespace"), []).append(datum)
        for namespace, items in by_namespace.items():
            for start in range(0, len(items), BATCH):
                try:
                    client.put_metric_data(Namespace=namespace, MetricData=items[start:start + BATCH])
                except Exception as exc:  # duck-typed: a target refusing metrics must not break invocations
                    self.errors.append(f"PutMetricData {namespace}: {exc}")
                    continue
                self.calls += 1
                self.sent += len(items[start:start + BATCH])
        return len(data)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()
