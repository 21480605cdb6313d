"""IPP_LOGS_002: log groups keep their events for a bounded, finite time.

CloudWatch Logs API Reference, PutRetentionPolicy: without a retention policy events never expire;
RetentionInDays takes values from 1 to 3653 days. The bounds are PolicyOptions.log_retention_min_days
and log_retention_max_days (7 and 3653 by default).
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class LogRetentionBounds(BasePolicy):
    policy_id = "IPP_LOGS_002"
    title = "Log groups have a retention within the bounds"
    kinds = ("log group",)
    severity = "medium"
    passes = "RetentionInDays is between log_retention_min_days (7) and log_retention_max_days (3653)"
    fails = "no RetentionInDays (events never expire), or a retention outside the bounds"
    unknown_when = "RetentionInDays is known only after apply, or is not a number"
    reference = "Amazon CloudWatch Logs API Reference, \"PutRetentionPolicy\""

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        options = context.options
        return checks.log_retention_within(resource, options.log_retention_min_days, options.log_retention_max_days)
