"""IPP_SNS_001: Topics are encrypted with a customer managed KMS key.

Amazon SNS Developer Guide, "Data encryption" / "Securing Amazon SNS data with server-side
encryption": topics are unencrypted unless KmsMasterKeyId is set; ``alias/aws/sns`` is AWS managed.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import EncryptedWithCmk
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class TopicKmsCmk(EncryptedWithCmk):
    policy_id = "IPP_SNS_001"
    title = "Topics are encrypted with a customer managed KMS key"
    kinds = ("topic",)
    passes = "KmsMasterKeyId names a customer managed key"
    fails = "no KmsMasterKeyId (not encrypted), or the AWS managed key alias/aws/sns"
