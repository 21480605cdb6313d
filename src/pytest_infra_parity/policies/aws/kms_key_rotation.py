"""IPP_KMS_001: customer managed symmetric keys rotate their key material automatically.

AWS KMS API Reference, EnableKeyRotation: automatic rotation is supported only on symmetric
encryption keys (``SYMMETRIC_DEFAULT``), not on asymmetric or HMAC keys, which are not checked.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource, is_unknown
from pytest_infra_parity.policies.base import PolicyContext
from pytest_infra_parity.policies.declarative import SettingEquals
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class KeyRotation(SettingEquals):
    policy_id = "IPP_KMS_001"
    title = "Symmetric KMS keys have automatic rotation enabled"
    kinds = ("key",)
    severity = "medium"
    setting = "rotation"
    expectation = "automatic key rotation (EnableKeyRotation)"
    aws_property = "EnableKeyRotation"
    when_true = "rotation enabled"
    when_false = "rotation disabled"
    passes = "EnableKeyRotation is true on a symmetric encryption key"
    fails = "EnableKeyRotation is false or not set (asymmetric and HMAC keys are not checked)"
    unknown_when = "the source does not describe rotation, or it is known only after apply"
    reference = "AWS KMS API Reference, \"EnableKeyRotation\""

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        spec = resource.setting("key_spec")
        symmetric = spec is None or is_unknown(spec) or spec == "SYMMETRIC_DEFAULT"
        return super().applies_to(resource, context) and symmetric
