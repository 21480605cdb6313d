"""A third-party policy pack, as an entry point of the group ``pytest_infra_parity.policies`` names it."""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import BasePolicy, Finding, PolicyContext, register_policy
from pytest_infra_parity.policies.checks import setting_is


@register_policy
class BucketVersioning(BasePolicy):
    policy_id = "ACME_S3_001"
    title = "Buckets keep object versions"
    kinds = ("bucket",)
    passes = "versioning on"
    fails = "versioning off"
    unknown_when = "not described"

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return setting_is(resource, "versioning", True, "versioning (VersioningConfiguration)",
                          aws_property="VersioningConfiguration")


class TopicIsFifo(BasePolicy):
    policy_id = "ACME_SNS_001"
    title = "Topics are FIFO"
    kinds = ("topic",)
    passes = "fifo"
    fails = "standard"
    unknown_when = "not described"

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return setting_is(resource, "fifo", True, "a FIFO topic", aws_property="FifoTopic")


LISTED = [TopicIsFifo]
NOT_A_POLICY = 42
