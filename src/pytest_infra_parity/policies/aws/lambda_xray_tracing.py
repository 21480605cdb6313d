"""IPP_LAMBDA_002: every function traces its invocations with X-Ray (active tracing).

AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray": with
``TracingConfig`` ``Mode: Active`` Lambda samples and records requests; ``PassThrough`` (the default)
only propagates an upstream trace header.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class FunctionXRayTracing(BasePolicy):
    policy_id = "IPP_LAMBDA_002"
    title = "Functions have X-Ray active tracing"
    kinds = ("function",)
    severity = "low"
    passes = "TracingConfig Mode is Active"
    fails = "TracingConfig Mode is PassThrough or not set (the default)"
    unknown_when = "the source does not describe tracing, or it is known only after apply"
    reference = "AWS Lambda Developer Guide, \"Visualize Lambda function invocations using AWS X-Ray\""

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.has_tracing(resource)
