"""IPP_TAG_001: every taggable resource carries the mandatory tags (Project, Env, Owner, CostCenter).

AWS tag keys are case-sensitive (Tagging AWS Resources User Guide, "Tag naming limits and
requirements"); a mandatory tag with an empty value does not allocate cost, so it fails too.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class MandatoryTags(BasePolicy):
    policy_id = "IPP_TAG_001"
    title = "Taggable resources carry the mandatory tags"
    kinds = ("*",)
    severity = "medium"
    passes = "every mandatory tag key (PolicyOptions.mandatory_tags) is present, with a non-empty value"
    fails = "a key is missing (keys are case-sensitive) or has an empty value"
    unknown_when = "the tag map, or a mandatory tag's value, is known only after apply"
    reference = "Tagging AWS Resources User Guide, \"Best practices and strategies\" (cost allocation tags)"

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        return checks.is_taggable(resource)

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.has_tags(resource, context.options.mandatory_tags)
