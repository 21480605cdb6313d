"""IPP_SQS_002: every queue that is not itself a dead-letter queue has one.

Amazon SQS Developer Guide, "Using dead-letter queues in Amazon SQS": the source queue's
RedrivePolicy names the DLQ (``deadLetterTargetArn``) and ``maxReceiveCount``. A queue another
queue of the inventory redrives to is a DLQ (setting ``is_dlq``) and is not checked.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class QueueHasDeadLetterQueue(BasePolicy):
    policy_id = "IPP_SQS_002"
    title = "Queues that are not dead-letter queues have one"
    kinds = ("queue",)
    severity = "high"
    passes = "the queue's RedrivePolicy names a dead-letter queue"
    fails = "the queue has no RedrivePolicy (queues that are themselves DLQs are not checked)"
    unknown_when = ("the source does not describe the RedrivePolicy, the target is known only after apply, "
                    "or a queue without one may itself be a DLQ")
    reference = "Amazon SQS Developer Guide, \"Using dead-letter queues in Amazon SQS\""

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        return super().applies_to(resource, context) and checks.is_not_a_dlq(resource)

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.has_dlq(resource)
