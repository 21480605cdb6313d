"""IPP_S3_003: buckets block every kind of public access.

Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage": the four settings
BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets must all be true.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class BucketPublicAccessBlock(BasePolicy):
    policy_id = "IPP_S3_003"
    title = "Buckets block public access"
    kinds = ("bucket",)
    severity = "high"
    passes = "PublicAccessBlockConfiguration has all four flags true"
    fails = "no public access block, or a flag that is false or missing"
    unknown_when = "the source does not describe the block, or a flag is known only after apply"
    reference = "Amazon S3 User Guide, \"Blocking public access to your Amazon S3 storage\""

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.public_access_blocked(resource)
