"""IPP_S3_002: buckets refuse requests made without TLS.

Amazon S3 User Guide, "Security best practices for Amazon S3" and the AWS Config rule
s3-bucket-ssl-requests-only: the bucket policy must explicitly Deny requests whose
``aws:SecureTransport`` is ``false``; a policy that only Allows HTTPS does not count.
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import SettingEquals
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class BucketTlsOnly(SettingEquals):
    policy_id = "IPP_S3_002"
    title = "Buckets deny requests made without TLS"
    kinds = ("bucket",)
    severity = "high"
    setting = "tls_only"
    expectation = "a bucket policy denying requests without TLS (Deny on aws:SecureTransport false)"
    aws_property = "the bucket policy"
    when_true = "such a Deny statement"
    when_false = "no Deny on aws:SecureTransport false"
    passes = "the bucket policy has a Deny statement on aws:SecureTransport false"
    fails = "no bucket policy, or none that denies insecure transport"
    unknown_when = "the source does not describe the bucket policy, or it is known only after apply"
    reference = "AWS Config Developer Guide, \"s3-bucket-ssl-requests-only\""
