"""IPP_DDB_001: Tables are encrypted with a customer managed KMS key.

Amazon DynamoDB Developer Guide, "Encryption at rest": a table is encrypted with an AWS owned key
(default), the AWS managed key ``aws/dynamodb`` (SSEEnabled without a key) or a customer managed key
(SSEType KMS with KMSMasterKeyId); only the last passes.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import EncryptedWithCmk
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class TableKmsCmk(EncryptedWithCmk):
    policy_id = "IPP_DDB_001"
    title = "Tables are encrypted with a customer managed KMS key"
    kinds = ("table",)
    passes = "SSESpecification SSEType KMS with a customer managed KMSMasterKeyId"
    fails = "the default AWS owned key, or the AWS managed key aws/dynamodb"
