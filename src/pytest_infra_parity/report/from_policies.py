"""Report evidence of compliance checks: the findings of policies (or of one step's check) on resources.

The ``policies`` section lists the violations grouped by resource (resource, type, policy id, title,
message; bad), the findings a source could not decide (values known only after apply; warn), and the
resources that passed with the checks they passed (good). The source is named short (see
:func:`~pytest_infra_parity.report.from_parity.short_source`). Figures: ``policies.checked`` (findings made),
``policies.violations`` and ``policies.unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.report.from_parity import short_source
from pytest_infra_parity.report.model import Cell, Figure, Section, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Resource
    from pytest_infra_parity.policies.base import Finding
    from pytest_infra_parity.policies.results import PolicyReport

__all__ = ["VIOLATION_COLUMNS", "policies_section", "policy_report_section"]

VIOLATION_COLUMNS = ("resource", "type", "policy id", "title", "message")


def _resource(resource: Resource) -> str:
    physical = resource.physical_id
    text = f"{resource.kind} {resource.name}"
    if isinstance(physical, str) and physical and physical != resource.name:
        text += f" ({physical})"
    return text


def _title(found: Finding, titles: Mapping[str, str]) -> str:
    if not found.policy_id:  # a bare check: what it expects is its title
        return found.expectation
    if found.policy_id in titles:
        return titles[found.policy_id]
    from pytest_infra_parity.policies.registry import get_policy

    try:
        return get_policy(found.policy_id).title
    except InfraParityError:  # a policy given as an object, not registered: its expectation says what it wants
        return found.expectation


def _tail(found: Finding) -> str:
    if found.outcome == "unknown":
        return f"expected {found.expectation}, cannot tell: {found.observed}"
    return f"expected {found.expectation}, found {found.observed}"


def _rows(findings: list[Finding], titles: Mapping[str, str], check: str, tone: Tone) -> list[tuple[Cell, ...]]:
    order = {key: index for index, key in enumerate(dict.fromkeys(f.resource.key for f in findings))}
    rows: list[tuple[Cell, ...]] = []
    for found in sorted(findings, key=lambda f: (order[f.resource.key], f.policy_id)):
        rows.append((Cell(_resource(found.resource)), Cell(found.resource.cfn_type),
                     Cell(found.policy_id or check or "-", tone), Cell(_title(found, titles)),
                     Cell(_tail(found), tone)))
    return rows


def _passed_table(passed: list[Finding], check: str) -> Table:
    checks: dict[tuple[str, str], list[str]] = {}
    types: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], str] = {}
    for found in passed:
        key = found.resource.key
        checks.setdefault(key, []).append(found.policy_id or check or found.expectation)
        types[key], names[key] = found.resource.cfn_type, _resource(found.resource)
    rows: list[tuple[Cell, ...]] = [(Cell(names[key]), Cell(types[key]), Cell(", ".join(dict.fromkeys(ids)), "good"))
            for key, ids in checks.items()]
    return table("Passed", ("resource", "type", "checks passed"), rows)


def policies_section(findings: Iterable[Finding], *, title: str, source: str = "", check: str = "",
                     titles: Mapping[str, str] | None = None) -> Section:
    """The ``policies`` section of ``findings``.

    ``check`` names a bare check (a step's: ``has_dlq``) for findings without a policy id, ``titles``
    gives policy titles (default: the registry's), ``source`` the inventory the findings are about.
    """
    found = list(findings)
    titles = titles or {}
    failed = [f for f in found if f.outcome == "fail"]
    unknown = [f for f in found if f.outcome == "unknown"]
    passed = [f for f in found if f.outcome == "pass"]
    tables: list[Table] = []
    if failed:
        tables.append(table("Violations", VIOLATION_COLUMNS, _rows(failed, titles, check, "bad"), group_by=0))
    if unknown:
        tables.append(table("Cannot tell (known only after apply, or not described by the source)",
                            VIOLATION_COLUMNS, _rows(unknown, titles, check, "warn"), group_by=0))
    if passed:
        tables.append(_passed_table(passed, check))
    resources = len({f.resource.key for f in found})
    where = f" on {short_source(source)}" if source else ""
    summary = (f"{len(found)} finding{'s' * (len(found) != 1)} on {resources} resource{'s' * (resources != 1)}"
               f"{where}: {len(failed)} violation{'s' * (len(failed) != 1)}, {len(unknown)} unknown, "
               f"{len(passed)} passed") if found else f"nothing to check{where}: the selection has no such resource"
    verdict: Tone = "bad" if failed else ("warn" if unknown or not found else "good")
    figures = (Figure("policies.checked", len(found), label="findings"),
               Figure("policies.violations", len(failed), label="violations", tone="bad" if failed else "good"),
               Figure("policies.unknown", len(unknown), label="unknown", tone="warn" if unknown else "neutral"))
    return Section(kind="policies", title=title, verdict=verdict, summary=summary, figures=figures,
                   tables=tuple(tables))


def policy_report_section(report: PolicyReport, *, title: str = "") -> Section:
    """The ``policies`` section of an evaluation of registered policies."""
    chosen = ", ".join(report.policy_ids)
    name = title or (f"Compliance policies {chosen}" if len(report.policy_ids) <= 5 else "Every compliance policy")
    return policies_section(report.findings, title=name, source=report.source)
