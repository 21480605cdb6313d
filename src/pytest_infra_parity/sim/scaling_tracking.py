"""Target tracking policies and the two CloudWatch alarms Application Auto Scaling manages for each.

"Application Auto Scaling creates and manages the CloudWatch alarms that trigger the scaling policy"
(Application Auto Scaling user guide, "Target tracking scaling policies"). Their exact definition is not in
the guide; the emulation uses what AWS creates and users observe on every such policy:

- ``TargetTracking-<ResourceId>-AlarmHigh-<uuid>``: the metric ``GreaterThanThreshold`` the target value,
  period 60 s, 3 datapoints out of 3;
- ``TargetTracking-<ResourceId>-AlarmLow-<uuid>``: ``LessThanThreshold`` 90 % of the target value, period
  60 s, 15 datapoints out of 15 ("removing capacity only when utilization passes a threshold that is far
  enough below the target value (usually more than 10% lower)", user guide, "Supporting application
  availability during high utilization periods"; "period for alarm rule is always 1 minute and 3 out of 3
  datapoints for scale out rule and 15 out of 15 for scale in", aws/containers-roadmap issue #1208);
- both with the default ``missing`` treatment, so a metric that stops (the ALB publishes nothing without
  requests) leaves them INSUFFICIENT_DATA, and the policy "does not scale in when the state of the alarm
  is INSUFFICIENT_DATA".

The new capacity is ``ceil(current x metric / target)`` for the ``ALBRequestCountPerTarget``-style
utilization metrics ("the metric value must increase or decrease proportionally to the capacity"),
rounded up both ways ("always acts conservatively by rounding up or down [...] This prevents it from adding
insufficient capacity or removing too much capacity"). From 0 tasks it stays at 0: a per-target metric
has no target to divide by.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.sim.autoscaling import ScalingPolicyError

__all__ = ["HIGH_PERIODS", "LOW_FRACTION", "LOW_PERIODS", "PREDEFINED", "TargetTrackingPolicy",
           "TrackedMetric"]

HIGH_PERIODS = 3
LOW_PERIODS = 15
LOW_FRACTION = 0.9
DEFAULT_ECS_COOLDOWN = 300


@dataclass(frozen=True)
class TrackedMetric:
    namespace: str
    name: str
    statistic: str
    dimensions: tuple[tuple[str, str], ...] = ()


PREDEFINED: dict[str, TrackedMetric] = {
    "ALBRequestCountPerTarget": TrackedMetric("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
    "ECSServiceAverageCPUUtilization": TrackedMetric("AWS/ECS", "CPUUtilization", "Average"),
    "ECSServiceAverageMemoryUtilization": TrackedMetric("AWS/ECS", "MemoryUtilization", "Average"),
}


@dataclass(frozen=True)
class TargetTrackingPolicy:
    """A ``TargetTrackingScaling`` policy as ``describe_scaling_policies()`` returns it."""

    name: str
    arn: str
    resource_id: str
    target_value: float
    metric: TrackedMetric
    scale_out_cooldown: int = DEFAULT_ECS_COOLDOWN
    scale_in_cooldown: int = DEFAULT_ECS_COOLDOWN
    disable_scale_in: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TargetTrackingPolicy:
        name = str(data.get("PolicyName", "<unnamed policy>"))
        config = data.get("TargetTrackingScalingPolicyConfiguration") or {}
        if config.get("TargetValue") is None:
            raise ScalingPolicyError(f"target tracking policy {name!r} has no TargetValue")
        return cls(name, str(data.get("PolicyARN", name)), str(data.get("ResourceId", "")),
                   float(config["TargetValue"]), _metric(name, config),
                   int(config.get("ScaleOutCooldown", DEFAULT_ECS_COOLDOWN)),
                   int(config.get("ScaleInCooldown", DEFAULT_ECS_COOLDOWN)),
                   bool(config.get("DisableScaleIn", False)))

    def capacity(self, current: int, metric_value: float) -> int:
        """``ceil(current x metric / target)``: what the policy wants from ``current``."""
        if current <= 0:
            return 0
        return math.ceil(current * metric_value / self.target_value - 1e-9)

    def managed_alarms(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The AlarmHigh and AlarmLow definitions, in the ``describe_alarms`` shape."""
        return self._alarm("AlarmHigh", "GreaterThanThreshold", HIGH_PERIODS, self.target_value), \
            self._alarm("AlarmLow", "LessThanThreshold", LOW_PERIODS, LOW_FRACTION * self.target_value)

    def _alarm(self, kind: str, operator: str, periods: int, threshold: float) -> dict[str, Any]:
        ident = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.arn}/{kind}")
        return {
            "AlarmName": f"TargetTracking-{self.resource_id}-{kind}-{ident}",
            "AlarmDescription": f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {self.arn}.",
            "ComparisonOperator": operator,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": periods,
            "Threshold": threshold,
            "Namespace": self.metric.namespace,
            "MetricName": self.metric.name,
            "Statistic": self.metric.statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.metric.dimensions],
            "Period": 60,
            "AlarmActions": [self.arn],
        }


def _metric(name: str, config: Mapping[str, Any]) -> TrackedMetric:
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        kind = predefined.get("PredefinedMetricType")
        if kind not in PREDEFINED:
            raise ScalingPolicyError(f"target tracking policy {name!r}: predefined metric {kind!r} is not "
                                     f"emulated (emulated: {', '.join(sorted(PREDEFINED))})")
        return PREDEFINED[str(kind)]
    custom = config.get("CustomizedMetricSpecification") or {}
    if not custom.get("MetricName") or not custom.get("Namespace"):
        raise ScalingPolicyError(f"target tracking policy {name!r} has neither a predefined nor a customized "
                                 "metric with MetricName and Namespace")
    dims = tuple((str(d["Name"]), str(d["Value"])) for d in custom.get("Dimensions") or [])
    return TrackedMetric(str(custom["Namespace"]), str(custom["MetricName"]), str(custom.get("Statistic", "Average")),
                         dims)
