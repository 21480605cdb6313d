"""IPP_SQS_003: every dead-letter queue has an alarm on its inflow.

A DLQ's inflow shows as ``ApproximateNumberOfMessagesVisible`` (``AWS/SQS``), the metric of Amazon
SQS Developer Guide, "Creating alarms for dead-letter queues using Amazon CloudWatch";
``NumberOfMessagesSent`` does not count messages moved to a DLQ after failed processing attempts
("Using dead-letter queues in Amazon SQS").
"""

from __future__ import annotations

from dataclasses import replace

from pytest_infra_parity.inventory.model import Resource, is_unknown
from pytest_infra_parity.policies.base import Finding, PolicyContext
from pytest_infra_parity.policies.declarative import AlarmOn
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class DeadLetterQueueInflowAlarm(AlarmOn):
    policy_id = "IPP_SQS_003"
    title = "Dead-letter queues have an alarm on their inflow"
    kinds = ("queue",)
    metrics_key = "dead letter queue"
    namespace = "AWS/SQS"
    passes = ("an alarm watches ApproximateNumberOfMessagesVisible of the DLQ "
              "(PolicyOptions.alarm_metrics['dead letter queue'])")
    fails = "no alarm watches that metric of the DLQ (queues that are not DLQs are not checked)"
    unknown_when = "an alarm's metric, or whether the queue is a DLQ, is known only after apply"
    reference = "Amazon SQS Developer Guide, \"Available CloudWatch metrics for Amazon SQS\""

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        flag = resource.setting("is_dlq")
        return super().applies_to(resource, context) and (flag is True or is_unknown(flag))

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        found = super().evaluate(resource, context)
        if found.outcome == "fail" and is_unknown(resource.setting("is_dlq")):
            observed = f"{found.observed}, and whether it is a dead-letter queue is known only after apply"
            return replace(found, outcome="unknown", observed=observed)
        return found
