"""Declarative bases for the common policy shapes (checkov's ``BaseResourceValueCheck`` idea).

A policy on one boolean setting, on customer managed encryption or on alarms is a subclass that
sets a few class attributes; custom logic overrides ``evaluate``.
"""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import BasePolicy, Finding, PolicyContext, finding


class SettingEquals(BasePolicy):
    """The inventory setting ``setting`` equals ``expected`` (absent or UNKNOWN: unknown)."""

    setting: str = ""
    expected: Any = True
    expectation: str = ""
    aws_property: str = ""
    when_true: str = "enabled"
    when_false: str = "disabled"

    def describe(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.when_true if value else self.when_false
        return f"{self.aws_property} {value!r}"

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.setting_is(resource, self.setting, self.expected, self.expectation,
                                 aws_property=self.aws_property, describe=self.describe)


class EncryptedWithCmk(BasePolicy):
    """Encrypted at rest with a customer managed KMS key (see :func:`checks.encrypted_with_cmk`)."""

    severity = "high"
    unknown_when = "the source does not describe the encryption, or it is known only after apply"
    reference = ("AWS KMS Developer Guide, \"AWS KMS keys\" (customer managed keys, AWS managed keys, "
                 "AWS owned keys)")

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return checks.encrypted_with_cmk(resource)


def combine(resource: Resource, findings: list[Finding]) -> Finding:
    """One finding from several on the same resource: the first failure, else the first unknown."""
    for outcome in ("fail", "unknown"):
        for found in findings:
            if found.outcome == outcome:
                return found
    expectation = " and ".join(f.expectation for f in findings)
    return finding(resource, "pass", expectation, "; ".join(f.observed for f in findings))


class AlarmOn(BasePolicy):
    """Alarms on the metrics ``PolicyOptions.alarm_metrics[metrics_key]`` in ``namespace``."""

    metrics_key: str = ""
    namespace: str = ""
    severity = "high"

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        return super().applies_to(resource, context) and bool(context.options.metrics_for(self.metrics_key))

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        metrics = context.options.metrics_for(self.metrics_key)
        return combine(resource, [checks.has_alarm_on(resource, m, self.namespace or None) for m in metrics])
