"""What every policy shares: outcomes, findings, options, the :class:`Policy` protocol and its base.

A policy looks at one normalized :class:`~pytest_infra_parity.inventory.model.Resource` and returns a
:class:`Finding` (``pass``, ``fail`` or ``unknown``). It keeps no state between resources, so one
instance serves every scan, thread and xdist worker. ``unknown`` means the source cannot tell (a value
known only after apply, a setting the source does not describe); it never becomes a pass or a fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final, Literal, Protocol, runtime_checkable

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import Inventory, Resource, is_unknown

Outcome = Literal["pass", "fail", "unknown"]
OUTCOMES: Final[tuple[Outcome, ...]] = ("pass", "fail", "unknown")
Severity = Literal["low", "medium", "high"]

POLICY_ID_PATTERN: Final = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9]+_\d{3}$")
"""``<PREFIX>_<SERVICE>_<NNN>``; the ``IPP`` prefix is reserved for the built-in policies."""

ADHOC_ID: Final = ""
"""The policy id of a finding made by a bare check (a Gherkin step), not by a registered policy."""

DEFAULT_MANDATORY_TAGS: Final = ("Project", "Env", "Owner", "CostCenter")
DEFAULT_ALARM_METRICS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "function": ("Errors",),
    "http api": ("5xx",),
    "rest api": ("5XXError",),
    "dead letter queue": ("ApproximateNumberOfMessagesVisible",),
})
"""Metrics that must each have an alarm, per kind. API Gateway publishes ``5xx`` for HTTP APIs and
``5XXError`` for REST APIs, both in ``AWS/ApiGateway`` (API Gateway Developer Guide, "Monitor
CloudWatch metrics for HTTP APIs" and "Amazon API Gateway dimensions and metrics")."""


def shown(value: Any) -> str:
    """A value as a finding shows it: ``(known after apply)`` for UNKNOWN, ``none`` for None."""
    if is_unknown(value):
        return "(known after apply)"
    if value is None:
        return "none"
    return str(value)


@dataclass(frozen=True)
class Finding:
    """The verdict of one policy (or one bare check) on one resource."""

    policy_id: str
    resource: Resource
    outcome: Outcome
    expectation: str
    """What was expected, in words: ``a dead-letter queue (RedrivePolicy)``."""
    observed: str
    """What was found (``none``), or for ``unknown`` why the source cannot tell."""
    severity: Severity = "medium"

    @property
    def label(self) -> str:
        return f"{self.resource.kind} {self.resource.name}"

    def message(self) -> str:
        """``queue ProcessingQueue: expected a dead-letter queue (RedrivePolicy), found none``."""
        if self.outcome == "unknown":
            return f"{self.label}: expected {self.expectation}, cannot tell: {self.observed}"
        return f"{self.label}: expected {self.expectation}, found {self.observed}"

    def as_dict(self) -> dict[str, Any]:
        resource = self.resource
        return {
            "policy_id": self.policy_id, "outcome": self.outcome, "severity": self.severity,
            "kind": resource.kind, "name": resource.name, "cfn_type": resource.cfn_type,
            "physical_id": None if resource.physical_id is None else shown(resource.physical_id),
            "location": resource.location, "source": resource.source,
            "expectation": self.expectation, "observed": self.observed, "message": self.message(),
        }


def finding(resource: Resource, outcome: Outcome, expectation: str, observed: str) -> Finding:
    """A finding of a bare check (policy id :data:`ADHOC_ID`); a policy stamps its id on it."""
    return Finding(ADHOC_ID, resource, outcome, expectation, observed)


@dataclass(frozen=True)
class PolicyOptions:
    """What the built-in policies can be tuned with.

    Log retention bounds default to 7..3653 days: under a week, logs are gone before an incident
    found after a weekend can be investigated; 3653 days (ten years) is the longest finite retention
    CloudWatch Logs accepts (PutRetentionPolicy). Logs that never expire always fail.
    """

    mandatory_tags: tuple[str, ...] = DEFAULT_MANDATORY_TAGS
    log_retention_min_days: int = 7
    log_retention_max_days: int = 3653
    alarm_metrics: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ALARM_METRICS))
    """Per kind (``dead letter queue`` for queues that are DLQs), the metrics that need an alarm."""
    kinds: frozenset[str] | None = None
    """Only resources of these kinds are checked; ``None`` checks every kind."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mandatory_tags", tuple(self.mandatory_tags))
        if self.kinds is not None:
            object.__setattr__(self, "kinds", frozenset(self.kinds))
        object.__setattr__(self, "alarm_metrics", {k: tuple(v) for k, v in self.alarm_metrics.items()})
        if not self.mandatory_tags or any(not isinstance(k, str) or not k.strip() for k in self.mandatory_tags):
            raise ConfigError(f"mandatory tags must be non-empty tag keys, got {list(self.mandatory_tags)}")
        low, high = self.log_retention_min_days, self.log_retention_max_days
        if not 1 <= low <= high:
            raise ConfigError(f"log retention bounds must satisfy 1 <= min <= max days, got {low}..{high}")

    def metrics_for(self, kind: str) -> tuple[str, ...]:
        return self.alarm_metrics.get(kind, ())


@dataclass(frozen=True)
class PolicyContext:
    """What a policy may read besides the resource: the options and the whole inventory."""

    options: PolicyOptions = field(default_factory=PolicyOptions)
    inventory: Inventory | None = None


@runtime_checkable
class Policy(Protocol):
    """One compliance rule on resources of some kinds (``*``: every kind), with a stable id."""

    @property
    def policy_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kinds(self) -> tuple[str, ...]: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def passes(self) -> str: ...
    @property
    def fails(self) -> str: ...
    @property
    def unknown_when(self) -> str: ...

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        """False when the rule says nothing about this resource (no finding is made)."""
        ...

    def check(self, resource: Resource, context: PolicyContext) -> Finding:
        """The finding on one resource the policy applies to."""
        ...


class BasePolicy:
    """Base of the built-in policies: subclasses set the class attributes and write ``evaluate``."""

    policy_id: str = ""
    title: str = ""
    kinds: tuple[str, ...] = ()
    severity: Severity = "medium"
    passes: str = ""
    """Catalogue text: what passes."""
    fails: str = ""
    """Catalogue text: what fails."""
    unknown_when: str = ""
    """Catalogue text: when the outcome is unknown."""
    reference: str = ""
    """The AWS documentation the semantics come from."""

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        return "*" in self.kinds or resource.kind in self.kinds

    def check(self, resource: Resource, context: PolicyContext) -> Finding:
        return replace(self.evaluate(resource, context), policy_id=self.policy_id, severity=self.severity)

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        """The finding, before the policy stamps its id and severity on it."""
        raise NotImplementedError(f"{type(self).__name__} must define evaluate()")

    def __repr__(self) -> str:
        return f"<policy {self.policy_id}: {self.title}>"
