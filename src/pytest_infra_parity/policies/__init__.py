"""Compliance policies on inventories: a registry keyed by kind, one small policy per module.

Inner room: nothing here imports boto3 or the outer rooms. ``evaluate(inventory)`` runs every
registered policy (or the ones named) on every resource it applies to and returns a
:class:`PolicyReport`; :mod:`.checks` holds the reusable checks the policies and the steps share.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import Inventory
from pytest_infra_parity.policies.base import (
    ADHOC_ID,
    BasePolicy,
    Finding,
    Outcome,
    Policy,
    PolicyContext,
    PolicyOptions,
    Severity,
)
from pytest_infra_parity.policies.registry import (
    ENTRY_POINT_GROUP,
    all_policies,
    get_policy,
    policies_for,
    register_policy,
)
from pytest_infra_parity.policies.results import PolicyReport, report_of

__all__ = [
    "ADHOC_ID",
    "ENTRY_POINT_GROUP",
    "BasePolicy",
    "Finding",
    "Outcome",
    "Policy",
    "PolicyContext",
    "PolicyOptions",
    "PolicyReport",
    "Severity",
    "all_policies",
    "evaluate",
    "get_policy",
    "policies_for",
    "register_policy",
    "report_of",
    "select_policies",
]


def select_policies(policies: Iterable[str | Policy] | None = None) -> list[Policy]:
    """Policies by id, by pattern (``IPP_S3_*``) or as objects; ``None`` selects every policy."""
    if policies is None:
        return all_policies()
    chosen: dict[str, Policy] = {}
    for item in policies:
        if not isinstance(item, str):
            chosen[item.policy_id] = item
        elif any(ch in item for ch in "*?["):
            matched = [p for p in all_policies() if fnmatch.fnmatchcase(p.policy_id, item.strip())]
            if not matched:
                known = ", ".join(p.policy_id for p in all_policies())
                raise ConfigError(f"no policy matches {item!r}; known policies: {known}")
            chosen.update((p.policy_id, p) for p in matched)
        else:
            policy = get_policy(item)
            chosen[policy.policy_id] = policy
    return [chosen[pid] for pid in sorted(chosen)]


def evaluate(inventory: Inventory, *, policies: Iterable[str | Policy] | None = None,
             options: PolicyOptions | None = None) -> PolicyReport:
    """Run the selected policies on every resource they apply to.

    A policy that raises is a bug (in it or in the source): the exception propagates with a note
    naming the policy and the resource, it is never turned into an outcome.
    """
    selected = select_policies(policies)
    context = PolicyContext(options or PolicyOptions(), inventory)
    kinds = context.options.kinds
    findings: list[Finding] = []
    for resource in inventory.resources:
        if kinds is not None and resource.kind not in kinds:
            continue
        for policy in selected:
            if resource.kind not in policy.kinds and "*" not in policy.kinds:
                continue
            try:
                if policy.applies_to(resource, context):
                    findings.append(policy.check(resource, context))
            except Exception as exc:  # re-raised with a note, never swallowed
                exc.add_note(f"while policy {policy.policy_id} checked {resource.describe()}")
                raise
    return PolicyReport(findings, source=inventory.source, policy_ids=tuple(p.policy_id for p in selected))
