"""IPP_SQS_001: Queues are encrypted with a customer managed KMS key.

Amazon SQS Developer Guide, "Encryption at rest": SSE-SQS (SQS-managed keys, the default for new
queues) is not KMS; SSE-KMS with the AWS managed key ``alias/aws/sqs`` is not customer managed.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import EncryptedWithCmk
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class QueueKmsCmk(EncryptedWithCmk):
    policy_id = "IPP_SQS_001"
    title = "Queues are encrypted with a customer managed KMS key"
    kinds = ("queue",)
    passes = "KmsMasterKeyId names a customer managed key"
    fails = "no encryption, SQS-managed SSE (SqsManagedSseEnabled), or the AWS managed key alias/aws/sqs"
