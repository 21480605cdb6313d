"""The result of evaluating policies on an inventory: findings, a readable table and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies.base import Finding, shown

_MARK = {"fail": "FAIL", "unknown": "UNKNOWN", "pass": "pass"}


def resource_heading(resource: Resource) -> str:
    """``queue ProcessingQueue (AWS::SQS::Queue) https://... at template.yaml:12``."""
    text = f"{resource.kind} {resource.name} ({resource.cfn_type})"
    if resource.physical_id is not None and resource.physical_id != resource.name:
        text += f" {shown(resource.physical_id)}"
    if resource.region and resource.account:
        text += f" in {resource.account}/{resource.region}"
    if resource.location:
        text += f" at {resource.location}"
    return text


@dataclass
class PolicyReport:
    """Findings of one evaluation. ``ok`` means no failure; unknowns are listed, not failures."""

    findings: list[Finding] = field(default_factory=list)
    source: str = ""
    policy_ids: tuple[str, ...] = ()

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "fail"]

    @property
    def unknowns(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "unknown"]

    @property
    def passed(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "pass"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def by_resource(self) -> dict[tuple[str, str], list[Finding]]:
        """Findings grouped by resource key ``(kind, name)``, in the order the resources came."""
        grouped: dict[tuple[str, str], list[Finding]] = {}
        for found in self.findings:
            grouped.setdefault(found.resource.key, []).append(found)
        return grouped

    def summary(self) -> str:
        where = f" on {self.source}" if self.source else ""
        return (f"policies{where}: {len(self.failures)} failed, {len(self.unknowns)} unknown, "
                f"{len(self.passed)} passed ({len(self.by_resource())} resources checked)")

    def format_table(self, *, include_passed: bool = False) -> str:
        """Readable text: the violations (and unknowns) grouped by resource, one line each."""
        lines = [self.summary()]
        shown_outcomes = ("fail", "unknown", "pass") if include_passed else ("fail", "unknown")
        for group in self.by_resource().values():
            rows = [f for f in group if f.outcome in shown_outcomes]
            if not rows:
                continue
            lines += ["", resource_heading(rows[0].resource)]
            rows.sort(key=lambda f: (shown_outcomes.index(f.outcome), f.policy_id))
            width = max(len(f.policy_id) for f in rows)
            for found in rows:
                tail = (f"expected {found.expectation}, cannot tell: {found.observed}" if found.outcome == "unknown"
                        else f"expected {found.expectation}, found {found.observed}")
                pid = f"{found.policy_id:<{width}} " if width else ""
                lines.append(f"  {_MARK[found.outcome]:<7} {pid}[{found.severity}] {tail}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "policies": list(self.policy_ids),
            "summary": {"failed": len(self.failures), "unknown": len(self.unknowns), "passed": len(self.passed)},
            "findings": [f.as_dict() for f in self.findings],
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=False)


def report_of(findings: Iterable[Finding], source: str = "") -> PolicyReport:
    """A report over findings made by bare checks (a Gherkin step), for its failure message."""
    return PolicyReport(list(findings), source=source)
