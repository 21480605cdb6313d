"""IPP_S3_001: Buckets are encrypted with a customer managed KMS key.

Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)": default encryption
``aws:kms`` with a KMSMasterKeyID of a customer managed key passes; SSE-S3 (AES256), DSSE without
a customer key and the AWS managed key ``aws/s3`` do not.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import EncryptedWithCmk
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class BucketKmsCmk(EncryptedWithCmk):
    policy_id = "IPP_S3_001"
    title = "Buckets are encrypted with a customer managed KMS key"
    kinds = ("bucket",)
    passes = "default encryption is SSE-KMS (or DSSE-KMS) with a customer managed key"
    fails = "no default encryption, SSE-S3 (AES256), or the AWS managed key aws/s3"
