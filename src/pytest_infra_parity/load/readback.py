"""Lambda metrics read back from the target's CloudWatch (``GetMetricStatistics``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["lambda_metric_sum"]


def lambda_metric_sum(cloudwatch: Any, metric: str, function: str, minutes: int = 60) -> float:
    """The Sum of ``AWS/Lambda`` ``metric`` for ``FunctionName=function`` over the last ``minutes``."""
    now = dt.datetime.now(dt.UTC)
    got = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": function}],
        StartTime=now - dt.timedelta(minutes=minutes), EndTime=now + dt.timedelta(minutes=1), Period=60,
        Statistics=["Sum"])
    return float(sum(point.get("Sum", 0.0) for point in got.get("Datapoints") or []))
