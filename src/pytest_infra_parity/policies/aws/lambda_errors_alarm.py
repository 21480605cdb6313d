"""IPP_LAMBDA_001: every function has an alarm on its Errors metric.

AWS Lambda Developer Guide, "Types of metrics for Lambda functions": ``Errors`` (``AWS/Lambda``,
dimension ``FunctionName``) counts invocations that result in a function error.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import AlarmOn
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class FunctionErrorsAlarm(AlarmOn):
    policy_id = "IPP_LAMBDA_001"
    title = "Functions have an alarm on Errors"
    kinds = ("function",)
    metrics_key = "function"
    namespace = "AWS/Lambda"
    passes = "an alarm watches the function's Errors metric (PolicyOptions.alarm_metrics['function'])"
    fails = "no alarm watches it (an alarm on Throttles or Duration only does not count)"
    unknown_when = "an alarm on the function watches a metric known only after apply"
    reference = "AWS Lambda Developer Guide, \"Types of metrics for Lambda functions\""
