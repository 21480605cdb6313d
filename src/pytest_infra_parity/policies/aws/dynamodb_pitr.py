"""IPP_DDB_002: tables have point-in-time recovery enabled.

Amazon DynamoDB Developer Guide, "Point-in-time recovery for DynamoDB": continuous backups are on
when ``PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled`` is true (off by default).
"""

from __future__ import annotations

from pytest_infra_parity.policies.declarative import SettingEquals
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class TablePointInTimeRecovery(SettingEquals):
    policy_id = "IPP_DDB_002"
    title = "Tables have point-in-time recovery enabled"
    kinds = ("table",)
    severity = "high"
    setting = "pitr"
    expectation = "point-in-time recovery (PointInTimeRecoverySpecification)"
    aws_property = "PointInTimeRecoverySpecification"
    when_true = "point-in-time recovery enabled"
    when_false = "point-in-time recovery disabled"
    passes = "PointInTimeRecoveryEnabled is true"
    fails = "PointInTimeRecoveryEnabled is false or not set (the default)"
    unknown_when = "the source does not describe it, or it is known only after apply"
    reference = "Amazon DynamoDB Developer Guide, \"Point-in-time recovery for DynamoDB\""
