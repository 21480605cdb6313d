"""Report evidence of a deployment: what was created where, and how it reads back against its template.

``deploy_section(stack, target)`` is the ``deploy`` section (the resources by type, counted in whole numbers, a
table of logical id / type / physical id of at most :data:`MAX_RESOURCE_ROWS` rows, the outputs). It holds only
what the stack is, nothing of when or how fast it was deployed, so the scenarios that share a session's stack
record the same section (the report shows it once); ``readback_section(stack, problems)`` turns what the deployer's
read-back found (``Deployments.verify``: one line per difference, by logical id) into a ``parity``
section: every declared resource paired with what the target holds, differences as bad cells.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.report.from_parity import short_source
from pytest_infra_parity.report.model import Bar, Cell, Chart, Figure, Section, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack

__all__ = ["BARS_FROM_TYPES", "MAX_RESOURCE_ROWS", "deploy_section", "readback_section", "split_problem"]

BARS_FROM_TYPES = 5
"""From this many resource types on, the count by type is a ``bars`` chart (below, a line of the summary)."""
MAX_RESOURCE_ROWS = 40
"""Rows the deploy section's resources table keeps (the resources not created always among them)."""

_DIFFERS = re.compile(r"^(?P<attribute>.+?) is (?P<live>.+), declared (?P<declared>.+)$", re.DOTALL)
_MISSING_TAG = re.compile(r"^(?P<attribute>tag .+?) is missing \(declared (?P<declared>.+)\)$", re.DOTALL)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _by_type(stack: Stack) -> list[tuple[str, int]]:
    counts = Counter(resource.resource_type for resource in stack.resources.values())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _resources_table(stack: Stack) -> Table:
    """Logical id, type, physical id, by logical id; the resources not created last, never cut."""
    created: list[tuple[Cell, ...]] = [(Cell(lid), Cell(res.resource_type), Cell(_text(res.physical_id)))
                                       for lid, res in sorted(stack.resources.items())]
    declared = getattr(stack.template, "resources", {})
    skipped: list[tuple[Cell, ...]] = [
        (Cell(lid), Cell(getattr(declared.get(lid), "resource_type", "")), Cell(f"(not created: {reason})"))
        for lid, reason in sorted(stack.skipped.items())]
    room = max(0, MAX_RESOURCE_ROWS - len(skipped))
    rows = created[:room] + skipped[:MAX_RESOURCE_ROWS]
    total = len(created) + len(skipped)
    # not Table.truncated: the rows left out are not in the JSON report either (the chart counts them all)
    note = f"{len(rows)} of {total} resources shown, by logical id" if len(rows) < total else ""
    return Table("Resources", ("logical id", "type", "physical id"), tuple(rows), note=note)


def deploy_section(stack: Stack, target: str = "") -> Section:
    """The ``deploy`` section of ``stack`` on ``target`` (the target's name: moto, localstack, aws)."""
    by_type = _by_type(stack)
    count = len(stack.resources)
    where = f"{target} " if target else ""
    summary = (f"{count} resource{'s' * (count != 1)} of {len(by_type)} type{'s' * (len(by_type) != 1)} created by "
               f"the {stack.deployer} on {where}{stack.region} (account {stack.account_id})")
    if stack.skipped:
        summary += f"; {len(stack.skipped)} declared but not created"
    charts: tuple[Chart, ...] = ()
    if len(by_type) >= BARS_FROM_TYPES:
        charts = (Chart("bars", "Resources by type", x_label="resources",
                        bars=tuple(Bar(kind, n) for kind, n in by_type)),)
    elif by_type:
        summary += ": " + ", ".join(f"{n} {kind}" for kind, n in by_type)
    tables = [_resources_table(stack)]
    if stack.outputs:
        tables.append(table("Outputs", ("output", "value"),
                            [(Cell(name), Cell(_text(value))) for name, value in sorted(stack.outputs.items())]))
    lines = [f"parameters: {', '.join(f'{k}={v}' for k, v in sorted(stack.parameters.items()))}"] \
        if stack.parameters else []
    text = "\n".join([*lines, *(f"cfn-lint: {short_source(warning)}" for warning in stack.warnings)])
    return Section(kind="deploy", title=f"Deployed {stack.design or stack.name} as {stack.name}", verdict="good",
                   summary=summary, figures=(Figure("deploy.resources", count, label="resources created"),),
                   tables=tuple(tables), charts=charts, text=text)


def split_problem(problem: str) -> tuple[str, str, str]:
    """``(attribute, declared, live)`` of one read-back line (``Name is 'x', declared 'y'``, ``tag 'K' is
    missing (declared 'v')``); a line of another shape is ``("", "", line)``."""
    found = _DIFFERS.match(problem)
    if found is not None:
        return found["attribute"], found["declared"], found["live"]
    found = _MISSING_TAG.match(problem)
    if found is not None:
        return found["attribute"], found["declared"], "(missing)"
    return "", "", problem


def _difference_rows(stack: Stack, problems: Mapping[str, Sequence[str]]) -> list[tuple[Cell, ...]]:
    declared = getattr(stack.template, "resources", {})
    rows: list[tuple[Cell, ...]] = []
    for lid in sorted(problems):
        created = stack.resources.get(lid)
        kind = created.resource_type if created else getattr(declared.get(lid), "resource_type", "")
        physical = created.physical_id if created else "(not created)"
        for problem in problems[lid]:
            attribute, value_a, value_b = split_problem(problem)
            rows.append((Cell(lid), Cell(_text(physical)), Cell(kind), Cell("read back"), Cell(attribute),
                         Cell(value_a, "bad"), Cell(value_b, "bad")))
    return rows


def _pair_rows(stack: Stack, problems: Mapping[str, Sequence[str]]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for lid, res in sorted(stack.resources.items()):
        count = len(problems.get(lid, ()))
        result: tuple[str, Tone] = (f"{count} difference{'s' * (count != 1)}", "bad") if count else ("equal", "good")
        rows.append((Cell(lid), Cell(_text(res.physical_id)), Cell(res.resource_type), Cell("read back"),
                     Cell(*result)))
    return rows


def readback_section(stack: Stack, problems: Mapping[str, Sequence[str]]) -> Section:
    """A ``parity`` section: the template's resources (A) against what the target holds (B) after a read-back.

    ``problems``: by logical id, the lines the deployer's ``verify`` gave (and ``was not created`` for a
    declared resource that is missing). A logical id absent from ``stack.resources`` is only in A.
    """
    missing = sorted(lid for lid in problems if lid not in stack.resources)
    present = {lid: lines for lid, lines in problems.items() if lid in stack.resources}
    differences = sum(len(lines) for lines in present.values())
    tables: list[Table] = []
    if present:
        tables.append(table("Differences (declared A, live B)", ("resource A", "resource B", "type", "aspect",
                                                                 "attribute", "A value", "B value"),
                            _difference_rows(stack, present), group_by=0))
    tables.append(table("Resources read back", ("resource A", "resource B", "type", "aspect", "result"),
                        _pair_rows(stack, problems)))
    if missing:
        declared = getattr(stack.template, "resources", {})
        tables.append(table("Only in the template (A)", ("resource", "type", "why"),
                            [(Cell(lid), Cell(getattr(declared.get(lid), "resource_type", "")),
                              Cell("; ".join(problems[lid]), "bad")) for lid in missing]))
    ok = not problems
    summary = (f"A = template of stack {stack.name}, B = live on {stack.region}: {len(stack.resources)} resources "
               f"read back, {differences} difference{'s' * (differences != 1)}, {len(missing)} not created")
    figures = (Figure("parity.pairs", len(stack.resources), label="resources read back"),
               Figure("parity.differences", differences + len(missing), label="differences",
                      tone="good" if ok else "bad"),
               Figure("parity.only_a", len(missing), label="only in the template"),
               Figure("parity.only_b", 0, label="only live"))
    return Section(kind="parity", title=f"Template and live resources of {stack.name}",
                   verdict="good" if ok else "bad", summary=summary, figures=figures, tables=tuple(tables))
