"""The parity report as an aligned text table, for a pytest failure message or a terminal.

Layout: a header naming both sources and the aspects compared, a summary line, one line per
difference grouped by resource pair (kind and names written once per pair), then the resources on
one side only, the unknowns, the ambiguous names and the mapping warnings. Long outputs stop after
``limit`` lines per section with "… and N more".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.parity.report import ABSENT, Difference, ParityReport, UnknownValue

_WIDTHS = {"kind": 14, "name": 46, "aspect": 13, "attribute": 44, "value": 34}


def cell(value: Any, width: int) -> str:
    """``value`` as one table cell: absent shown as ``(absent)``, empty as ``""``, cut with ``…`` past ``width``."""
    if value is None:
        text = ABSENT
    elif value == "":
        text = '""'
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | dict):
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _align(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _header(report: ParityReport) -> list[str]:
    a, b = report.labels
    title = "Drift" if report.mode == "drift" else "Parity"
    width = max(len(a), len(b))
    verdict = "no differences" if report.ok else f"{len(report.differences)} differences"
    return [
        f"{title} of  {a.ljust(width)} = {report.source_a}",
        f"{' ' * len(title)} and {b.ljust(width)} = {report.source_b}",
        f"aspects compared: {', '.join(report.aspects)}",
        f"result: {verdict} ({report.summary()})",
    ]


def _difference_rows(report: ParityReport, items: Sequence[Difference | UnknownValue],
                     with_reason: bool) -> list[list[str]]:
    a, b = report.labels
    head = ["kind", f"resource in {a}", f"resource in {b}", "aspect", "attribute", f"{a} value", f"{b} value"]
    rows = [head + (["why"] if with_reason else []), ["-" * len(h) for h in head] + (["---"] if with_reason else [])]
    previous: tuple[str, str | None, str | None] | None = None
    for item in items:
        ident = (item.kind, item.name_a, item.name_b)
        first = ident != previous
        previous = ident
        row = [cell(item.kind, _WIDTHS["kind"]) if first else "",
               (cell(item.name_a, _WIDTHS["name"]) if item.name_a is not None else "-") if first else "",
               (cell(item.name_b, _WIDTHS["name"]) if item.name_b is not None else "-") if first else "",
               cell(item.aspect, _WIDTHS["aspect"]), cell(item.attribute, _WIDTHS["attribute"]),
               cell(item.value_a, _WIDTHS["value"]), cell(item.value_b, _WIDTHS["value"])]
        if with_reason and isinstance(item, UnknownValue):
            row.append(cell(item.reason, 90))
        rows.append(row)
    return rows


def _limited(lines: list[str], limit: int, what: str) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"  … and {len(lines) - limit} more {what}"]


def _pair_differences(report: ParityReport) -> list[Difference]:
    return [d for pair in report.pairs for d in pair.differences]


def _resource_line(resource: Resource) -> str:
    where = f" at {resource.location}" if resource.location else ""
    return f"  {resource.kind:<14} {resource.name} ({resource.cfn_type}){where}"


def _only_section(report: ParityReport, side: int, limit: int) -> list[str]:
    label = report.labels[side]
    source = (report.source_a, report.source_b)[side]
    resources = (report.only_a, report.only_b)[side]
    note = "" if report.presence_checked else " (not a difference: 'types' is not compared)"
    if not resources:
        return [f"only in {label} ({source}): none"]
    lines = [_resource_line(r) for r in sorted(resources, key=lambda r: (r.kind, r.name))]
    return [f"only in {label} ({source}): {len(resources)}{note}", *_limited(lines, limit, "resources")]


def _counts_section(report: ParityReport) -> list[str]:
    different = report.kinds_with_different_counts()
    if not different or not report.presence_checked:
        return []
    a, b = report.labels
    parts = [f"{kind} {na}/{nb}" for kind, (na, nb) in different.items()]
    return [f"resources per kind that differ ({a}/{b}): " + ", ".join(parts)]


def render(report: ParityReport, *, limit: int = 60) -> str:
    """The report as text (see the module docstring)."""
    lines = _header(report)
    differences = _pair_differences(report)
    if differences:
        rows = _difference_rows(report, differences, with_reason=False)
        body = _align(rows)
        lines += ["", *body[:2], *_limited(body[2:], limit, "differences")]
    lines += ["", *_only_section(report, 0, limit), *_only_section(report, 1, limit)]
    lines += _counts_section(report)
    unknowns = report.unknowns
    if unknowns:
        body = _align(_difference_rows(report, unknowns, with_reason=True))
        lines += ["", f"unknown, not compared (neither a difference nor an equality): {len(unknowns)}",
                  *body[:2], *_limited(body[2:], limit, "unknowns")]
    if report.ambiguous:
        lines += ["", f"ambiguous names, not paired (add them to a mapping file): {len(report.ambiguous)}",
                  *_limited([f"  {x.describe()}" for x in report.ambiguous], limit, "ambiguities")]
    if report.warnings:
        lines += ["", "mapping warnings:", *_limited([f"  {w}" for w in report.warnings], limit, "warnings")]
    return "\n".join(lines)
