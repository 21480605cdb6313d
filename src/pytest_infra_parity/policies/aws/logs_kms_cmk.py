"""IPP_LOGS_001: Log groups are encrypted with a customer managed KMS key.

Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": log data is
always encrypted at rest, with the service's own keys unless a KmsKeyId is associated.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import EncryptedWithCmk
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class LogGroupKmsCmk(EncryptedWithCmk):
    policy_id = "IPP_LOGS_001"
    title = "Log groups are encrypted with a customer managed KMS key"
    kinds = ("log group",)
    passes = "KmsKeyId names a customer managed key"
    fails = "no KmsKeyId (the CloudWatch Logs default encryption)"
